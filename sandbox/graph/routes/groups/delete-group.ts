import { PERMISSIONS } from '../../http/permissions.ts';
import type { GraphRoute } from '../../http/route.ts';
import { requireGroup } from '../../model/directory.ts';
import { deleteGroupDrives } from '../../model/drive.ts';
import { deleteGroupPlans } from '../../model/planner.ts';
import { deleteTeamData } from '../../model/teams.ts';

/** `DELETE /groups/{id}`: the group and its team, sites and plans go with it (204). */
export const deleteGroup: GraphRoute = {
  method: 'DELETE',
  url: '/v1.0/groups/:groupId',
  permissions: PERMISSIONS.groupsWrite,
  handler: (call) => {
    const group = requireGroup(call.tenant, call.params.groupId ?? '');
    call.tenant.directory.groups = call.tenant.directory.groups.filter((g) => g.id !== group.id);
    deleteTeamData(call.graph, group.id);
    deleteGroupDrives(call.graph, group.id);
    deleteGroupPlans(call.graph, group.id);
    call.reply.code(204);
    return undefined;
  },
};
