import type { FastifyInstance } from 'fastify';
import type { SandboxContext } from '../../context.ts';
import { callerOf } from '../connector.ts';
import { connectorErrors } from '../errors.ts';
import { findTeam } from '../roster.ts';
import { registrationFor } from '../world.ts';

const teamParams = {
  type: 'object',
  required: ['teamId'],
  properties: { teamId: { type: 'string', minLength: 1 } },
} as const;

/**
 * `GET /v3/teams/{teamId}` (TeamDetails) and `/v3/teams/{teamId}/conversations` (the team's
 * standard channels; General has no name). `teamId` is the General channel's id, as in
 * `channelData.team.id`; the group id is accepted too.
 */
export function teamRoutes(app: FastifyInstance, ctx: SandboxContext): void {
  const teamFor = (request: Parameters<typeof callerOf>[0], teamId: string) => {
    const caller = callerOf(request);
    const team = findTeam(ctx, teamId, caller.tenant);
    if (!team || !registrationFor(team.tenant, caller.clientId)) throw connectorErrors.teamNotFound();
    return team;
  };

  app.get<{ Params: { teamId: string } }>(
    '/v3/teams/:teamId',
    { schema: { params: teamParams } },
    async (request) => {
      const { tree, botTeamId, tenant } = teamFor(request, request.params.teamId);
      return {
        id: botTeamId,
        name: tree.displayName,
        aadGroupId: tree.id,
        tenantId: tenant.id,
        type: 'standard',
        channelCount: tree.channels.length,
        memberCount: tree.members.length,
      };
    },
  );

  app.get<{ Params: { teamId: string } }>(
    '/v3/teams/:teamId/conversations',
    { schema: { params: teamParams } },
    async (request) => {
      const { tree, botTeamId } = teamFor(request, request.params.teamId);
      // Bots see standard channels only; private and shared channels have their own rosters.
      const conversations = tree.channels
        .filter((c) => c.membershipType === 'standard')
        .map((c) => ({ id: c.id, name: c.id === botTeamId ? null : c.displayName }));
      return { conversations };
    },
  );
}
