import { randomIds } from '../../http/ids.ts';
import { PERMISSIONS } from '../../http/permissions.ts';
import type { GraphRoute } from '../../http/route.ts';
import { operationLocation, startOperation } from '../../model/operations.ts';
import { requireTeam } from '../../model/teams.ts';

/** `POST /teams/{id}/unarchive`: 202 + unarchiveTeam operation. */
export const unarchiveTeam: GraphRoute = {
  method: 'POST',
  url: '/v1.0/teams/:teamId/unarchive',
  permissions: PERMISSIONS.teamWrite,
  handler: (call) => {
    const { team } = requireTeam(call.tenant, call.graph, call.params.teamId ?? '', call.now);
    const operation = startOperation(
      call.graph,
      team.id,
      'unarchiveTeam',
      call.ctx.faults.operationDurationMs(),
      randomIds,
      call.now,
    );
    team.pendingArchive = {
      isArchived: false,
      effectiveAt: operation.succeedsAt,
      siteReadOnlyForMembers: false,
    };
    call.reply.code(202).header('Location', operationLocation(operation));
    return undefined;
  },
};
