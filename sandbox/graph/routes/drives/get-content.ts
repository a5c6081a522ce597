import { PERMISSIONS } from '../../http/permissions.ts';
import type { GraphRoute } from '../../http/route.ts';
import { requireItem } from '../../model/drive.ts';
import { driveOf, drivePaths, redirectToContent } from './resolve.ts';

/** `GET …/items/{itemId}/content`: 302 to the file's download URL. */
export const getContent: GraphRoute = {
  method: 'GET',
  url: drivePaths('/items/:itemId/content'),
  permissions: PERMISSIONS.filesRead,
  handler: (call) => {
    const { drive } = driveOf(call);
    return redirectToContent(call, requireItem(call.graph, drive, call.params.itemId ?? ''));
  },
};
