import { GraphError, graphErrors } from '../../http/errors.ts';
import { PERMISSIONS } from '../../http/permissions.ts';
import type { GraphRoute } from '../../http/route.ts';
import { itemAtPath, requireItem } from '../../model/drive.ts';
import {
  childrenResponse,
  createFolderIn,
  driveOf,
  drivePaths,
  itemResponse,
  redirectToContent,
  uploadUnder,
} from './resolve.ts';

// `root:/a/b.txt:/content`, `root:/a:`, `root:/a:/children`, `items/{id}:/name.txt:/content` …
const ADDRESS = /^(?:root|items\/([^/:]+)):\/(.*?)(?::(\/children|\/content)?)?$/;

/**
 * Path-addressed drive items (`…/root:/{path}:` and `…/items/{parentId}:/{path}:`): GET the item, its
 * children or its content; PUT content (simple upload, creating missing folders); POST a child folder.
 */
export const driveItemByPath: GraphRoute = {
  method: ['GET', 'PUT', 'POST'],
  url: drivePaths('/*'),
  permissions: PERMISSIONS.filesRead,
  handler: (call) => {
    const tail = call.params['*'] ?? '';
    const match = ADDRESS.exec(tail);
    if (!match)
      throw graphErrors.badRequest(`Resource not found for the segment '${tail.split('/')[0] ?? tail}'.`);
    const { drive } = driveOf(call);
    const from = requireItem(call.graph, drive, match[1] ?? 'root');
    const path = decodeURIComponent(match[2] ?? '');
    const suffix = match[3];
    const method = call.request.method;
    if (method !== 'GET') {
      // One route serves reads and writes here: writes need a write permission.
      const writes =
        call.caller.kind === 'application'
          ? PERMISSIONS.filesWrite.application
          : PERMISSIONS.filesWrite.delegated;
      if (!writes.some((p) => call.caller.permissions.includes(p))) {
        throw new GraphError(
          403,
          'Authorization_RequestDenied',
          `Insufficient privileges to complete the operation. The call needs one of: ${writes.join(', ')}.`,
        );
      }
    }
    if (method === 'PUT') {
      if (suffix !== '/content') throw graphErrors.badRequest('Upload to …:/{path}:/content.');
      return uploadUnder(call, drive, from, path);
    }
    const item = itemAtPath(call.graph, from, path);
    if (!item) throw graphErrors.itemNotFound('The resource could not be found.');
    if (method === 'POST') {
      if (suffix !== '/children')
        throw graphErrors.badRequest('Create folders with POST …:/{path}:/children.');
      return createFolderIn(call, drive, item);
    }
    if (suffix === '/children') return childrenResponse(call, drive, item);
    if (suffix === '/content') return redirectToContent(call, item);
    return itemResponse(call, drive, item);
  },
};
