import { PERMISSIONS } from '../../http/permissions.ts';
import type { GraphRoute } from '../../http/route.ts';
import { requireItem } from '../../model/drive.ts';
import { childrenResponse, driveOf, drivePaths } from './resolve.ts';

/** `GET …/drive/root/children` and `…/items/{itemId}/children`. */
export const listChildren: GraphRoute = {
  method: 'GET',
  url: [...drivePaths('/root/children'), ...drivePaths('/items/:itemId/children')],
  permissions: PERMISSIONS.filesRead,
  handler: (call) => {
    const { drive } = driveOf(call);
    return childrenResponse(call, drive, requireItem(call.graph, drive, call.params.itemId ?? 'root'));
  },
};
