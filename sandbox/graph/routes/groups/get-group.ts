import { entity } from '../../http/odata.ts';
import { PERMISSIONS } from '../../http/permissions.ts';
import type { GraphRoute } from '../../http/route.ts';
import { groupShape, requireGroup } from '../../model/directory.ts';
import { labelById } from '../../model/labels.ts';
import { findReadyTeam } from '../../model/teams.ts';

/** `GET /groups/{id}`; `assignedLabels` only when `$select`-ed, as in Graph. */
export const getGroup: GraphRoute = {
  method: 'GET',
  url: '/v1.0/groups/:groupId',
  permissions: PERMISSIONS.groupsRead,
  handler: (call) => {
    const group = requireGroup(call.tenant, call.params.groupId ?? '');
    const shape = groupShape(group, findReadyTeam(call.graph, group.id, call.now) !== undefined);
    if (/\bassignedLabels\b/.test(call.query.$select ?? '')) {
      shape.assignedLabels = (group.assignedLabelIds ?? []).map((id) => ({
        labelId: id,
        displayName: labelById(id)?.displayName ?? null,
      }));
    }
    return entity(call, shape, {
      context: 'groups',
      entityType: 'microsoft.graph.group',
      directory: true,
    });
  },
};
