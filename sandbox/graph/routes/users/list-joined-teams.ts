import { GraphError } from '../../http/errors.ts';
import { collection } from '../../http/odata.ts';
import type { GraphRoute } from '../../http/route.ts';
import { requireUser } from '../../model/directory.ts';
import { findReadyTeam } from '../../model/teams.ts';

const TEAM_READ = [
  'Team.ReadBasic.All',
  'TeamSettings.Read.All',
  'TeamSettings.ReadWrite.All',
  'User.Read.All',
  'User.ReadWrite.All',
  'Directory.Read.All',
  'Directory.ReadWrite.All',
];

/**
 * `GET /me/joinedTeams` (delegated) and `GET /users/{id}/joinedTeams`: the ready teams whose group
 * the user owns or is a member of, with Graph's basic team properties only.
 */
export const listJoinedTeams: GraphRoute = {
  method: 'GET',
  url: ['/v1.0/users/:userId/joinedTeams', '/v1.0/me/joinedTeams'],
  permissions: { application: TEAM_READ, delegated: TEAM_READ },
  handler: (call) => {
    if (call.params.userId === undefined && call.caller.kind === 'application') {
      throw new GraphError(
        400,
        'BadRequest',
        '/me request is only valid with delegated authentication flow.',
      );
    }
    const user = requireUser(call.tenant, call.params.userId ?? call.caller.userId ?? '');
    const teams = call.tenant.directory.groups
      .filter((g) => g.memberIds.includes(user.id) || g.ownerIds.includes(user.id))
      .flatMap((g) => {
        const team = findReadyTeam(call.graph, g.id, call.now);
        return team
          ? [
              {
                id: team.id,
                displayName: g.displayName,
                description: g.description,
                isArchived: team.isArchived,
                tenantId: call.tenant.id,
              },
            ]
          : [];
      });
    return collection(call, teams, { context: 'teams', entityType: 'microsoft.graph.team' });
  },
};
