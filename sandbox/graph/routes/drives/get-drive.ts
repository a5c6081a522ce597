import { entity } from '../../http/odata.ts';
import { PERMISSIONS } from '../../http/permissions.ts';
import type { GraphRoute } from '../../http/route.ts';
import { driveShape } from '../../model/drive.ts';
import { driveOf, drivePaths } from './resolve.ts';

/** `GET /groups/{id}/drive` or `/drives/{driveId}`: the document library. */
export const getDrive: GraphRoute = {
  method: 'GET',
  url: drivePaths(''),
  permissions: PERMISSIONS.filesRead,
  handler: (call) => {
    const { drive, group } = driveOf(call);
    return entity(call, driveShape(call.graph, drive, group), {
      context: 'drives',
      entityType: 'microsoft.graph.drive',
    });
  },
};
