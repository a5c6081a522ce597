import { graphErrors } from '../../http/errors.ts';
import { entity } from '../../http/odata.ts';
import { PERMISSIONS } from '../../http/permissions.ts';
import type { GraphRoute } from '../../http/route.ts';
import { operationShape } from '../../model/operations.ts';

/** `GET /teams/{id}/operations/{opId}` (also reached as `/teams('{id}')/operations('{opId}')`). */
export const getTeamOperation: GraphRoute = {
  method: 'GET',
  url: '/v1.0/teams/:teamId/operations/:operationId',
  permissions: PERMISSIONS.teamRead,
  handler: (call) => {
    const teamId = (call.params.teamId ?? '').toLowerCase();
    const operation = call.graph.operations.find(
      (o) =>
        o.teamId.toLowerCase() === teamId &&
        o.id.toLowerCase() === (call.params.operationId ?? '').toLowerCase(),
    );
    if (!operation)
      throw graphErrors.notFound(
        `Operation ${call.params.operationId} was not found for team ${call.params.teamId}.`,
      );
    return entity(call, operationShape(operation, call.now), {
      context: `teams('${operation.teamId}')/operations`,
      entityType: 'microsoft.graph.teamsAsyncOperation',
    });
  },
};
