import { graphErrors } from '../../../http/errors.ts';
import { entity } from '../../../http/odata.ts';
import { PERMISSIONS } from '../../../http/permissions.ts';
import type { GraphRoute } from '../../../http/route.ts';
import { driveItemShape, requireItem } from '../../../model/drive.ts';
import { requireChannel, requireTeam } from '../../../model/teams.ts';

/** `GET /teams/{id}/channels/{channelId}/filesFolder`: the driveItem of the channel's folder. */
export const getFilesFolder: GraphRoute = {
  method: 'GET',
  url: '/v1.0/teams/:teamId/channels/:channelId/filesFolder',
  permissions: PERMISSIONS.filesFolder,
  handler: (call) => {
    const { team } = requireTeam(call.tenant, call.graph, call.params.teamId ?? '', call.now);
    const channel = requireChannel(call.graph, team.id, call.params.channelId ?? '');
    const drive = call.graph.drives.find((d) => d.id === channel.driveId);
    if (!drive) throw graphErrors.itemNotFound();
    const folder = requireItem(call.graph, drive, channel.folderId);
    return entity(call, driveItemShape(call.tenant, call.graph, drive, folder, call.ctx.config.origin), {
      context: `teams('${team.id}')/channels('${encodeURIComponent(channel.id)}')/filesFolder`,
      entityType: 'microsoft.graph.driveItem',
    });
  },
};
