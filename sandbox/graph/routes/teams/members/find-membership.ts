import type { DirectoryGroup, DirectoryUser, TenantState } from '../../../../state/types.ts';
import { graphErrors } from '../../../http/errors.ts';
import { membershipId } from '../../../http/ids.ts';
import { teamMembers } from '../../../model/teams.ts';

/** The team member a membership id names. @throws GraphError(404) */
export function findMembership(
  tenant: TenantState,
  teamId: string,
  group: DirectoryGroup,
  id: string,
): { user: DirectoryUser; roles: string[] } {
  const member = teamMembers(tenant, group).find((m) => membershipId(teamId, m.user.id) === id);
  if (!member) throw graphErrors.notFound(`Member ${id} was not found in the team.`);
  return member;
}
