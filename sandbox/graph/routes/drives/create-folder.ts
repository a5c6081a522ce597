import { PERMISSIONS } from '../../http/permissions.ts';
import type { GraphRoute } from '../../http/route.ts';
import { requireItem } from '../../model/drive.ts';
import { createFolderIn, driveOf, drivePaths } from './resolve.ts';

/** `POST …/root/children` or `…/items/{itemId}/children` with `folder:{}` and a conflict behaviour: 201. */
export const createDriveFolder: GraphRoute = {
  method: 'POST',
  url: [...drivePaths('/root/children'), ...drivePaths('/items/:itemId/children')],
  permissions: PERMISSIONS.filesWrite,
  handler: (call) => {
    const { drive } = driveOf(call);
    return createFolderIn(call, drive, requireItem(call.graph, drive, call.params.itemId ?? 'root'));
  },
};
