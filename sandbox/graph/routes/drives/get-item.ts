import { PERMISSIONS } from '../../http/permissions.ts';
import type { GraphRoute } from '../../http/route.ts';
import { requireItem } from '../../model/drive.ts';
import { driveOf, drivePaths, itemResponse } from './resolve.ts';

/** `GET …/drive/root` and `…/items/{itemId}`. */
export const getDriveItem: GraphRoute = {
  method: 'GET',
  url: [...drivePaths('/root'), ...drivePaths('/items/:itemId')],
  permissions: PERMISSIONS.filesRead,
  handler: (call) => {
    const { drive } = driveOf(call);
    return itemResponse(call, drive, requireItem(call.graph, drive, call.params.itemId ?? 'root'));
  },
};
