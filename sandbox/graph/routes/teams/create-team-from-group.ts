import { optionalJsonBody, requireReplicated } from '../../http/body.ts';
import { GraphError, graphErrors } from '../../http/errors.ts';
import { randomIds } from '../../http/ids.ts';
import { PERMISSIONS } from '../../http/permissions.ts';
import type { GraphRoute } from '../../http/route.ts';
import { requireGroup } from '../../model/directory.ts';
import { ensureGroupDrive } from '../../model/drive.ts';
import { createTeamRecord, teamShape } from '../../model/teams.ts';

/** `PUT /groups/{id}/team`: teamifies a Microsoft 365 group (201 + team; 404 while the group replicates). */
export const createTeamFromGroup: GraphRoute = {
  method: 'PUT',
  url: '/v1.0/groups/:groupId/team',
  permissions: PERMISSIONS.teamFromGroup,
  handler: (call) => {
    const group = requireGroup(call.tenant, call.params.groupId ?? '');
    requireReplicated(call, group);
    if (!group.groupTypes.includes('Unified'))
      throw graphErrors.badRequest('Only Microsoft 365 groups can have a team.');
    if (call.graph.teams.some((t) => t.id === group.id)) {
      throw new GraphError(409, 'Conflict', `Group ${group.id} already has a team.`);
    }
    if (group.ownerIds.length === 0) {
      throw graphErrors.badRequest(
        'The group needs at least one owner before a team can be created from it.',
      );
    }
    const body = optionalJsonBody(call);
    ensureGroupDrive(call.tenant, call.graph, group, randomIds, call.now);
    const team = createTeamRecord(call.tenant, call.graph, group, {
      settings: body,
      classification: typeof body.classification === 'string' ? body.classification : null,
      readyAt: call.now,
      ids: randomIds,
      now: call.now,
    });
    call.reply.code(201).header('Location', `${call.base}/teams/${team.id}`);
    return {
      '@odata.context': `${call.base}/$metadata#teams/$entity`,
      ...teamShape(call.tenant, team, group),
    };
  },
};
