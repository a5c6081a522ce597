import type { DirectoryGroup } from '../../../state/types.ts';
import { actorOf, requireReplicated } from '../../http/body.ts';
import { graphErrors } from '../../http/errors.ts';
import { randomIds } from '../../http/ids.ts';
import { collection, entity } from '../../http/odata.ts';
import type { GraphCall } from '../../http/route.ts';
import { requireGroup } from '../../model/directory.ts';
import {
  type ConflictBehavior,
  childrenOf,
  createFolder,
  downloadUrl,
  driveItemShape,
  ensureFolderPath,
  uploadFile,
} from '../../model/drive.ts';
import type { DriveItemRecord, DriveRecord } from '../../state.ts';

/**
 * The drive a request addresses: `/groups/{id}/drive` (404 while the group's site is still being
 * provisioned) or `/drives/{driveId}`.
 * @throws GraphError(404)
 */
export function driveOf(call: GraphCall): { drive: DriveRecord; group: DirectoryGroup } {
  if (call.params.groupId) {
    const group = requireGroup(call.tenant, call.params.groupId);
    requireReplicated(call, group, 'Drive');
    const drive = call.graph.drives.find((d) => d.groupId === group.id && d.channelId === null);
    if (!drive) throw graphErrors.itemNotFound('The group has no document library.');
    return { drive, group };
  }
  const drive = call.graph.drives.find((d) => d.id === call.params.driveId);
  const group = drive ? requireGroup(call.tenant, drive.groupId) : undefined;
  if (!drive || !group) throw graphErrors.itemNotFound('The drive was not found.');
  return { drive, group };
}

/** `/groups/{id}/drive` or `/drives/{id}` route prefixes for a suffix. */
export function drivePaths(suffix: string): string[] {
  return [`/v1.0/groups/:groupId/drive${suffix}`, `/v1.0/drives/:driveId${suffix}`];
}

/** The driveItem entity response. */
export function itemResponse(
  call: GraphCall,
  drive: DriveRecord,
  item: DriveItemRecord,
): Record<string, unknown> {
  return entity(call, driveItemShape(call.tenant, call.graph, drive, item, call.ctx.config.origin), {
    context: `drives('${drive.id}')/items`,
    entityType: 'microsoft.graph.driveItem',
  });
}

/** The children collection response (200 a page, as OneDrive pages). */
export function childrenResponse(
  call: GraphCall,
  drive: DriveRecord,
  folder: DriveItemRecord,
): Record<string, unknown> {
  if (folder.kind !== 'folder') throw graphErrors.invalidRequest('The item is not a folder.');
  return collection(
    call,
    childrenOf(call.graph, folder.id).map((c) =>
      driveItemShape(call.tenant, call.graph, drive, c, call.ctx.config.origin),
    ),
    {
      context: `drives('${drive.id}')/items('${folder.id}')/children`,
      entityType: 'microsoft.graph.driveItem',
      pageSize: 200,
    },
  );
}

function conflictBehavior(value: unknown, fallback: ConflictBehavior): ConflictBehavior {
  if (value === undefined || value === null) return fallback;
  if (value === 'fail' || value === 'rename' || value === 'replace') return value;
  throw graphErrors.invalidRequest(
    `Invalid @microsoft.graph.conflictBehavior '${String(value)}' (fail, rename or replace).`,
  );
}

/** `POST …/children` with `{name, folder:{}, @microsoft.graph.conflictBehavior}` (fail by default): 201. */
export function createFolderIn(
  call: GraphCall,
  drive: DriveRecord,
  parent: DriveItemRecord,
): Record<string, unknown> {
  const body = call.body;
  if (!body || typeof body !== 'object' || Array.isArray(body) || Buffer.isBuffer(body)) {
    throw graphErrors.invalidRequest('Expected a JSON driveItem.');
  }
  const b = body as Record<string, unknown>;
  if (b.folder === undefined || b.folder === null || typeof b.folder !== 'object') {
    throw graphErrors.invalidRequest(
      "Only folders can be created this way: give 'folder': {} (upload files with PUT …/content).",
    );
  }
  const folder = createFolder(
    call.graph,
    parent,
    String(b.name ?? ''),
    conflictBehavior(b['@microsoft.graph.conflictBehavior'], 'fail'),
    actorOf(call.caller),
    randomIds,
    call.now,
  );
  call.reply.code(201);
  return itemResponse(call, drive, folder);
}

/** Reads the upload's bytes (any content type). */
function uploadBytes(call: GraphCall): Buffer {
  const body = call.body;
  if (Buffer.isBuffer(body)) return body;
  if (body === undefined || body === null) return Buffer.alloc(0);
  if (typeof body === 'string') return Buffer.from(body);
  return Buffer.from(JSON.stringify(body));
}

const MAX_SIMPLE_UPLOAD = 4 * 1024 * 1024;

/** `PUT …:/{path}:/content` under a folder: 201 for a new file, 200 when it replaced one. */
export function uploadUnder(
  call: GraphCall,
  drive: DriveRecord,
  from: DriveItemRecord,
  path: string,
): Record<string, unknown> {
  const bytes = uploadBytes(call);
  if (bytes.length > MAX_SIMPLE_UPLOAD) {
    throw graphErrors.invalidRequest(
      'The sandbox takes simple uploads up to 4 MB; larger files need an upload session.',
    );
  }
  const segments = path.split('/').filter(Boolean);
  const name = segments.pop();
  if (!name) throw graphErrors.invalidRequest('The upload path names no file.');
  const by = actorOf(call.caller);
  const parent = ensureFolderPath(call.graph, from, segments.join('/'), by, randomIds, call.now);
  const { item, created } = uploadFile(
    call.graph,
    parent,
    name,
    bytes,
    conflictBehavior(call.query['@microsoft.graph.conflictBehavior'], 'replace'),
    by,
    randomIds,
    call.now,
  );
  call.reply.code(created ? 201 : 200);
  return itemResponse(call, drive, item);
}

/** `GET …/content`: 302 to the pre-authenticated download URL, as Graph answers. */
export function redirectToContent(call: GraphCall, item: DriveItemRecord): undefined {
  if (item.kind !== 'file') throw graphErrors.invalidRequest('Folders have no content.');
  call.reply.code(302).header('Location', downloadUrl(call.ctx.config.origin, call.tenant, item));
  return undefined;
}
