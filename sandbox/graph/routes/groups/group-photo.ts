import { graphErrors } from '../../http/errors.ts';
import { PERMISSIONS } from '../../http/permissions.ts';
import type { GraphCall, GraphRoute } from '../../http/route.ts';
import { requireGroup } from '../../model/directory.ts';
import { requireTeam } from '../../model/teams.ts';
import { GraphError } from '../../http/errors.ts';
import type { DirectoryGroup } from '../../../state/types.ts';

/** Graph takes profile photos up to 4 MB. */
const MAX_PHOTO_BYTES = 4 * 1024 * 1024;

/** Width and height of a PNG or JPEG, or undefined when the bytes are neither. */
export function imageSize(bytes: Buffer): { type: string; width: number; height: number } | undefined {
  if (
    bytes.length > 24 &&
    bytes.readUInt32BE(0) === 0x89504e47 &&
    bytes.toString('ascii', 12, 16) === 'IHDR'
  ) {
    return { type: 'image/png', width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
  }
  if (bytes.length > 4 && bytes[0] === 0xff && bytes[1] === 0xd8) {
    let at = 2;
    while (at + 9 < bytes.length && bytes[at] === 0xff) {
      const marker = bytes[at + 1] ?? 0;
      const length = bytes.readUInt16BE(at + 2);
      // SOF0…SOF15 except DHT (C4), JPG (C8) and DAC (CC) carry the frame size.
      if (marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker)) {
        return { type: 'image/jpeg', height: bytes.readUInt16BE(at + 5), width: bytes.readUInt16BE(at + 7) };
      }
      at += 2 + length;
    }
    return undefined;
  }
  return undefined;
}

/** The group behind `/groups/{id}/photo` or `/teams/{id}/photo` (a team must be ready). */
function groupOf(call: GraphCall): DirectoryGroup {
  if (call.params.teamId !== undefined)
    return requireTeam(call.tenant, call.graph, call.params.teamId, call.now).group;
  return requireGroup(call.tenant, call.params.groupId ?? '');
}

const noPhoto = () =>
  new GraphError(
    404,
    'ImageNotFound',
    "Exception of type 'Microsoft.Fast.Profile.Core.Exception.ImageNotFoundException' was thrown.",
  );

/** `PUT /groups/{id}/photo/$value` and `/teams/{id}/photo/$value`: a JPEG or PNG up to 4 MB (200, empty). */
export const putGroupPhoto: GraphRoute = {
  method: 'PUT',
  url: ['/v1.0/groups/:groupId/photo/$value', '/v1.0/teams/:teamId/photo/$value'],
  permissions: PERMISSIONS.groupsWrite,
  handler: (call) => {
    const group = groupOf(call);
    const body = call.body;
    const bytes = Buffer.isBuffer(body) ? body : Buffer.alloc(0);
    if (bytes.length > MAX_PHOTO_BYTES) {
      throw new GraphError(413, 'RequestEntityTooLarge', 'The photo is larger than 4 MB.');
    }
    const size = imageSize(bytes);
    if (!size) throw graphErrors.badRequest('The photo must be a JPEG or PNG image.');
    group.photo = {
      contentType: size.type,
      data: bytes.toString('base64'),
      width: size.width,
      height: size.height,
    };
    call.reply.code(200);
    return undefined;
  },
};

/** `GET /groups/{id}/photo/$value` (and teams): the bytes; 404 ImageNotFound when none. */
export const getGroupPhotoValue: GraphRoute = {
  method: 'GET',
  url: ['/v1.0/groups/:groupId/photo/$value', '/v1.0/teams/:teamId/photo/$value'],
  permissions: PERMISSIONS.groupsRead,
  handler: (call) => {
    const photo = groupOf(call).photo;
    if (!photo) throw noPhoto();
    call.reply.type(photo.contentType);
    return Buffer.from(photo.data, 'base64');
  },
};

/** `GET /groups/{id}/photo` (and teams): the profilePhoto entity. */
export const getGroupPhoto: GraphRoute = {
  method: 'GET',
  url: ['/v1.0/groups/:groupId/photo', '/v1.0/teams/:teamId/photo'],
  permissions: PERMISSIONS.groupsRead,
  handler: (call) => {
    const group = groupOf(call);
    if (!group.photo) throw noPhoto();
    return {
      '@odata.context': `${call.base}/$metadata#groups('${group.id}')/photo/$entity`,
      '@odata.mediaContentType': group.photo.contentType,
      '@odata.mediaEtag': `"${group.photo.data.length.toString(16)}"`,
      id: `${group.photo.width}X${group.photo.height}`,
      height: group.photo.height,
      width: group.photo.width,
    };
  },
};
