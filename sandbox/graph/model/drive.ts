import { createHash } from 'node:crypto';
import type * as MicrosoftGraph from '@microsoft/microsoft-graph-types';
import type { DirectoryGroup, TenantState } from '../../state/types.ts';
import { signDownload } from '../http/download-tokens.ts';
import { GraphError, graphErrors } from '../http/errors.ts';
import { driveId, driveItemId, type Ids } from '../http/ids.ts';
import type { DriveItemRecord, DriveRecord, GraphState } from '../state.ts';

export type ConflictBehavior = 'fail' | 'rename' | 'replace';
export type Actor = { kind: 'user' | 'application'; id: string };

/** `contoso.onmicrosoft.com` → `https://contoso.sharepoint.com`. */
export function sharePointOrigin(tenant: TenantState): string {
  return `https://${tenant.domain.split('.')[0]?.toLowerCase() ?? 'tenant'}.sharepoint.com`;
}

function newDrive(
  tenant: TenantState,
  graph: GraphState,
  group: DirectoryGroup,
  site: string,
  channelId: string | null,
  ids: Ids,
  now: Date,
): DriveRecord {
  const stamp = now.toISOString();
  const root: DriveItemRecord = {
    id: driveItemId(ids),
    driveId: driveId(ids),
    parentId: null,
    name: 'root',
    kind: 'folder',
    content: null,
    mimeType: null,
    size: 0,
    createdDateTime: stamp,
    lastModifiedDateTime: stamp,
    version: 1,
    createdBy: { kind: 'application', id: 'SharePoint' },
  };
  const drive: DriveRecord = {
    id: root.driveId,
    groupId: group.id,
    channelId,
    name: 'Documents',
    webUrl: `${sharePointOrigin(tenant)}/sites/${encodeURIComponent(site)}/Shared%20Documents`,
    createdDateTime: stamp,
    rootId: root.id,
  };
  graph.drives.push(drive);
  graph.driveItems.push(root);
  return drive;
}

/** The group's document library (its SharePoint site comes with the Microsoft 365 group). */
export function ensureGroupDrive(
  tenant: TenantState,
  graph: GraphState,
  group: DirectoryGroup,
  ids: Ids,
  now: Date,
): DriveRecord {
  const existing = graph.drives.find((d) => d.groupId === group.id && d.channelId === null);
  return existing ?? newDrive(tenant, graph, group, group.mailNickname, null, ids, now);
}

/** The own site of a private or shared channel: `{team}-{channel}`, holding the channel's folder. */
export function createChannelDrive(
  tenant: TenantState,
  graph: GraphState,
  group: DirectoryGroup,
  channel: { id: string; displayName: string },
  ids: Ids,
  now: Date,
): DriveRecord {
  const site = `${group.mailNickname}-${channel.displayName.replace(/[^A-Za-z0-9]/g, '')}`;
  return newDrive(tenant, graph, group, site, channel.id, ids, now);
}

/** Items directly inside a folder. */
export function childrenOf(graph: GraphState, folderId: string): DriveItemRecord[] {
  return graph.driveItems.filter((i) => i.parentId === folderId);
}

/** A child by name (SharePoint names are case-insensitive). */
export function childNamed(graph: GraphState, folderId: string, name: string): DriveItemRecord | undefined {
  const key = name.toLowerCase();
  return graph.driveItems.find((i) => i.parentId === folderId && i.name.toLowerCase() === key);
}

/** An item of the drive by id. @throws GraphError(404 itemNotFound) */
export function requireItem(graph: GraphState, drive: DriveRecord, itemId: string): DriveItemRecord {
  const item =
    itemId.toLowerCase() === 'root'
      ? graph.driveItems.find((i) => i.id === drive.rootId)
      : graph.driveItems.find((i) => i.id === itemId && i.driveId === drive.id);
  if (!item) throw graphErrors.itemNotFound('Item not found');
  return item;
}

/** Follows `a/b/c` from a folder; undefined when a segment is missing. */
export function itemAtPath(
  graph: GraphState,
  from: DriveItemRecord,
  path: string,
): DriveItemRecord | undefined {
  let current: DriveItemRecord | undefined = from;
  for (const segment of path.split('/').filter(Boolean)) {
    if (current?.kind !== 'folder') return undefined;
    current = childNamed(graph, current.id, segment);
  }
  return current;
}

const FORBIDDEN_NAME = /["*:<>?/\\|]/;

/** SharePoint's rules for item names. @throws GraphError(400 invalidRequest) */
export function validateItemName(name: unknown): string {
  if (typeof name !== 'string' || name.trim() === '')
    throw graphErrors.invalidRequest('Invalid request: name is required.');
  if (FORBIDDEN_NAME.test(name) || name !== name.trim() || name.endsWith('.') || name.length > 255) {
    throw graphErrors.invalidRequest(`The provided name '${name}' contains characters that are not allowed.`);
  }
  return name;
}

function renamed(graph: GraphState, parentId: string, name: string): string {
  const dot = name.lastIndexOf('.');
  const [base, ext] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ''];
  for (let n = 1; ; n++) {
    const candidate = `${base} ${n}${ext}`;
    if (!childNamed(graph, parentId, candidate)) return candidate;
  }
}

function removeTree(graph: GraphState, item: DriveItemRecord): void {
  const doomed = new Set<string>([item.id]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const i of graph.driveItems) {
      if (i.parentId && doomed.has(i.parentId) && !doomed.has(i.id)) {
        doomed.add(i.id);
        grew = true;
      }
    }
  }
  graph.driveItems = graph.driveItems.filter((i) => !doomed.has(i.id));
}

function touchAncestors(graph: GraphState, item: DriveItemRecord, stamp: string): void {
  let parent = item.parentId ? graph.driveItems.find((i) => i.id === item.parentId) : undefined;
  while (parent) {
    parent.lastModifiedDateTime = stamp;
    parent.version++;
    const next = parent.parentId;
    parent = next ? graph.driveItems.find((i) => i.id === next) : undefined;
  }
}

/**
 * Creates a folder under `parent` with Graph's conflict behaviours (`fail` by default).
 * @throws GraphError(409 nameAlreadyExists) on a conflict with `fail`.
 */
export function createFolder(
  graph: GraphState,
  parent: DriveItemRecord,
  name: string,
  conflict: ConflictBehavior,
  by: Actor,
  ids: Ids,
  now: Date,
): DriveItemRecord {
  if (parent.kind !== 'folder') throw graphErrors.invalidRequest('The parent item is not a folder.');
  let finalName = validateItemName(name);
  const existing = childNamed(graph, parent.id, finalName);
  if (existing) {
    if (conflict === 'fail') {
      throw new GraphError(409, 'nameAlreadyExists', 'The specified item name already exists.');
    }
    if (conflict === 'rename') finalName = renamed(graph, parent.id, finalName);
    else removeTree(graph, existing);
  }
  const stamp = now.toISOString();
  const folder: DriveItemRecord = {
    id: driveItemId(ids),
    driveId: parent.driveId,
    parentId: parent.id,
    name: finalName,
    kind: 'folder',
    content: null,
    mimeType: null,
    size: 0,
    createdDateTime: stamp,
    lastModifiedDateTime: stamp,
    version: 1,
    createdBy: by,
  };
  graph.driveItems.push(folder);
  touchAncestors(graph, folder, stamp);
  return folder;
}

/** A folder at `path` under `from`, made with its missing parents (uploads by path do this). */
export function ensureFolderPath(
  graph: GraphState,
  from: DriveItemRecord,
  path: string,
  by: Actor,
  ids: Ids,
  now: Date,
): DriveItemRecord {
  let current = from;
  for (const segment of path.split('/').filter(Boolean)) {
    const next = childNamed(graph, current.id, segment);
    if (next && next.kind !== 'folder')
      throw graphErrors.invalidRequest(`'${segment}' is a file, not a folder.`);
    current = next ?? createFolder(graph, current, segment, 'fail', by, ids, now);
  }
  return current;
}

const MIME: Record<string, string> = {
  txt: 'text/plain',
  md: 'text/markdown',
  csv: 'text/csv',
  json: 'application/json',
  html: 'text/html',
  pdf: 'application/pdf',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
};

/** SharePoint infers a file's type from its extension. */
export function mimeTypeOf(name: string): string {
  const ext = name.includes('.') ? (name.split('.').pop() ?? '').toLowerCase() : '';
  return MIME[ext] ?? 'application/octet-stream';
}

/**
 * Writes a file under `parent` (simple upload): replaces by default, as Graph's PUT does.
 * @returns the item and whether it is new (201) or replaced (200).
 * @throws GraphError(409 nameAlreadyExists) with `fail` when the name is taken.
 */
export function uploadFile(
  graph: GraphState,
  parent: DriveItemRecord,
  name: string,
  content: Buffer,
  conflict: ConflictBehavior,
  by: Actor,
  ids: Ids,
  now: Date,
): { item: DriveItemRecord; created: boolean } {
  let finalName = validateItemName(name);
  const stamp = now.toISOString();
  const existing = childNamed(graph, parent.id, finalName);
  if (existing) {
    if (conflict === 'fail')
      throw new GraphError(409, 'nameAlreadyExists', 'The specified item name already exists.');
    if (conflict === 'replace') {
      if (existing.kind === 'folder')
        throw graphErrors.invalidRequest('A folder with that name already exists.');
      existing.content = content.toString('base64');
      existing.size = content.length;
      existing.lastModifiedDateTime = stamp;
      existing.version++;
      touchAncestors(graph, existing, stamp);
      return { item: existing, created: false };
    }
    finalName = renamed(graph, parent.id, finalName);
  }
  const item: DriveItemRecord = {
    id: driveItemId(ids),
    driveId: parent.driveId,
    parentId: parent.id,
    name: finalName,
    kind: 'file',
    content: content.toString('base64'),
    mimeType: mimeTypeOf(finalName),
    size: content.length,
    createdDateTime: stamp,
    lastModifiedDateTime: stamp,
    version: 1,
    createdBy: by,
  };
  graph.driveItems.push(item);
  touchAncestors(graph, item, stamp);
  return { item, created: true };
}

/** Replaces a file's bytes in place (PUT …/items/{id}/content). */
export function replaceContent(graph: GraphState, item: DriveItemRecord, content: Buffer, now: Date): void {
  if (item.kind !== 'file') throw graphErrors.invalidRequest('Cannot upload content to a folder.');
  item.content = content.toString('base64');
  item.size = content.length;
  item.lastModifiedDateTime = now.toISOString();
  item.version++;
  touchAncestors(graph, item, item.lastModifiedDateTime);
}

/** Path segments from the root to the item (root excluded). */
export function pathSegments(graph: GraphState, item: DriveItemRecord): string[] {
  const segments: string[] = [];
  let current: DriveItemRecord | undefined = item;
  while (current?.parentId) {
    segments.unshift(current.name);
    const parentId: string = current.parentId;
    current = graph.driveItems.find((i) => i.id === parentId);
  }
  return segments;
}

function folderSize(graph: GraphState, folder: DriveItemRecord): number {
  return childrenOf(graph, folder.id).reduce(
    (sum, c) => sum + (c.kind === 'file' ? c.size : folderSize(graph, c)),
    0,
  );
}

function etagGuid(id: string): string {
  const h = createHash('md5').update(id).digest('hex').toUpperCase();
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function identity(tenant: TenantState, actor: Actor): MicrosoftGraph.IdentitySet {
  if (actor.kind === 'user') {
    const user = tenant.directory.users.find((u) => u.id === actor.id);
    return { user: { id: actor.id, displayName: user?.displayName ?? null } };
  }
  return { application: { id: actor.id, displayName: actor.id === 'SharePoint' ? 'SharePoint' : null } };
}

/** A driveItem as Graph returns it (folder{childCount} or file{mimeType}, parentReference, eTag …). */
export function driveItemShape(
  tenant: TenantState,
  graph: GraphState,
  drive: DriveRecord,
  item: DriveItemRecord,
  origin: string,
): MicrosoftGraph.DriveItem & Record<string, unknown> {
  const segments = pathSegments(graph, item);
  const tag = etagGuid(item.id);
  const parentSegments = segments.slice(0, -1);
  const shape: MicrosoftGraph.DriveItem & Record<string, unknown> = {
    createdDateTime: item.createdDateTime,
    eTag: `"{${tag}},${item.version}"`,
    id: item.id,
    lastModifiedDateTime: item.lastModifiedDateTime,
    name: item.parentId === null ? 'root' : item.name,
    webUrl: [drive.webUrl, ...segments.map(encodeURIComponent)].join('/'),
    cTag: `"c:{${tag}},${item.version}"`,
    size: item.kind === 'file' ? item.size : folderSize(graph, item),
    createdBy: identity(tenant, item.createdBy),
    lastModifiedBy: identity(tenant, item.createdBy),
    parentReference:
      item.parentId === null
        ? { driveId: drive.id, driveType: 'documentLibrary' }
        : {
            driveId: drive.id,
            driveType: 'documentLibrary',
            id: item.parentId,
            path: parentSegments.length > 0 ? `/drive/root:/${parentSegments.join('/')}` : '/drive/root:',
          },
    fileSystemInfo: {
      createdDateTime: item.createdDateTime,
      lastModifiedDateTime: item.lastModifiedDateTime,
    },
  };
  if (item.parentId === null) shape.root = {};
  if (item.kind === 'folder') {
    shape.folder = { childCount: childrenOf(graph, item.id).length };
  } else {
    shape.file = {
      mimeType: item.mimeType,
      hashes: {
        quickXorHash: createHash('sha1')
          .update(item.content ?? '')
          .digest('base64'),
      },
    };
    shape['@microsoft.graph.downloadUrl'] = downloadUrl(origin, tenant, item);
  }
  return shape;
}

/** The pre-authenticated URL a file's content is served from (`/content` redirects here). */
export function downloadUrl(origin: string, tenant: TenantState, item: DriveItemRecord): string {
  const token = signDownload({ t: tenant.id, d: item.driveId, i: item.id });
  return `${origin}/_layouts/15/download.aspx?UniqueId=${encodeURIComponent(etagGuid(item.id))}&tempauth=${token}`;
}

/** A drive as Graph returns it. */
export function driveShape(
  graph: GraphState,
  drive: DriveRecord,
  group: DirectoryGroup,
): Record<string, unknown> {
  const root = graph.driveItems.find((i) => i.id === drive.rootId);
  const used = root ? folderSize(graph, root) : 0;
  const total = 27_487_790_694_400;
  const shape = {
    id: drive.id,
    createdDateTime: drive.createdDateTime,
    description: '',
    lastModifiedDateTime: root?.lastModifiedDateTime ?? drive.createdDateTime,
    name: drive.name,
    webUrl: drive.webUrl,
    driveType: 'documentLibrary',
    createdBy: { user: { displayName: 'System Account' } },
    quota: { deleted: 0, remaining: total - used, state: 'normal', total, used },
  } satisfies MicrosoftGraph.Drive;
  // Graph names a group drive's owner as `owner.group`, which the v1.0 identitySet typings lack.
  return { ...shape, owner: { group: { id: group.id, displayName: group.displayName, email: group.mail } } };
}

/** Removes every drive (team site and channel sites) of a deleted group. */
export function deleteGroupDrives(graph: GraphState, groupId: string): void {
  const driveIds = new Set(graph.drives.filter((d) => d.groupId === groupId).map((d) => d.id));
  graph.drives = graph.drives.filter((d) => !driveIds.has(d.id));
  graph.driveItems = graph.driveItems.filter((i) => !driveIds.has(i.driveId));
}
