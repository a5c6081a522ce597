import { optionalJsonBody } from '../../http/body.ts';
import { graphErrors } from '../../http/errors.ts';
import { randomIds } from '../../http/ids.ts';
import { PERMISSIONS } from '../../http/permissions.ts';
import type { GraphRoute } from '../../http/route.ts';
import { operationLocation, startOperation } from '../../model/operations.ts';
import { requireTeam } from '../../model/teams.ts';

/** `POST /teams/{id}/archive` (optional `shouldSetSpoSiteReadOnlyForMembers`): 202 + archiveTeam operation. */
export const archiveTeam: GraphRoute = {
  method: 'POST',
  url: '/v1.0/teams/:teamId/archive',
  permissions: PERMISSIONS.teamWrite,
  handler: (call) => {
    const { team } = requireTeam(call.tenant, call.graph, call.params.teamId ?? '', call.now);
    const body = optionalJsonBody(call);
    const readOnly = body.shouldSetSpoSiteReadOnlyForMembers;
    if (readOnly !== undefined && readOnly !== null && typeof readOnly !== 'boolean') {
      throw graphErrors.badRequest("'shouldSetSpoSiteReadOnlyForMembers' must be true or false.");
    }
    const operation = startOperation(
      call.graph,
      team.id,
      'archiveTeam',
      call.ctx.faults.operationDurationMs(),
      randomIds,
      call.now,
    );
    team.pendingArchive = {
      isArchived: true,
      effectiveAt: operation.succeedsAt,
      siteReadOnlyForMembers: readOnly === true,
    };
    call.reply.code(202).header('Location', operationLocation(operation));
    return undefined;
  },
};
