import { PERMISSIONS } from '../../http/permissions.ts';
import type { GraphRoute } from '../../http/route.ts';
import { replaceContent, requireItem } from '../../model/drive.ts';
import { driveOf, drivePaths, itemResponse } from './resolve.ts';

/** `PUT …/items/{itemId}/content`: replaces an existing file's bytes (200). */
export const replaceItemContent: GraphRoute = {
  method: 'PUT',
  url: drivePaths('/items/:itemId/content'),
  permissions: PERMISSIONS.filesWrite,
  handler: (call) => {
    const { drive } = driveOf(call);
    const item = requireItem(call.graph, drive, call.params.itemId ?? '');
    const body = call.body;
    replaceContent(
      call.graph,
      item,
      Buffer.isBuffer(body) ? body : Buffer.from(typeof body === 'string' ? body : ''),
      call.now,
    );
    return itemResponse(call, drive, item);
  },
};
