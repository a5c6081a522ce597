import { boundKey } from '../../../http/binds.ts';
import { jsonBody } from '../../../http/body.ts';
import { graphErrors } from '../../../http/errors.ts';
import { PERMISSIONS } from '../../../http/permissions.ts';
import type { GraphRoute } from '../../../http/route.ts';
import { requireUser } from '../../../model/directory.ts';
import { memberShape, requireChannel, requireTeam, rolesFor, teamMembers } from '../../../model/teams.ts';

/**
 * `POST /teams/{id}/channels/{channelId}/members` (private and shared channels): 201 + member.
 * Private channel members must belong to the team; adding someone already there updates their roles.
 */
export const addChannelMember: GraphRoute = {
  method: 'POST',
  url: '/v1.0/teams/:teamId/channels/:channelId/members',
  permissions: PERMISSIONS.channelMembersWrite,
  handler: (call) => {
    const { team, group } = requireTeam(call.tenant, call.graph, call.params.teamId ?? '', call.now);
    const channel = requireChannel(call.graph, team.id, call.params.channelId ?? '');
    if (channel.membershipType === 'standard') {
      throw graphErrors.badRequest('Members cannot be added to a standard channel: it has the team roster.');
    }
    const body = jsonBody(call);
    const key = boundKey(body['user@odata.bind'], ['users']);
    if (!key) throw graphErrors.badRequest("'user@odata.bind' must reference users('{id}').");
    const user = requireUser(call.tenant, key);
    const roles = rolesFor(user, body.roles);
    if (
      channel.membershipType === 'private' &&
      !teamMembers(call.tenant, group).some((m) => m.user.id === user.id)
    ) {
      throw graphErrors.badRequest(
        `${user.userPrincipalName} is not a member of the team: private channel members must be.`,
      );
    }
    const existing = channel.members.find((m) => m.userId === user.id);
    if (existing) {
      const owners = channel.members.filter((m) => m.roles.includes('owner'));
      if (existing.roles.includes('owner') && !roles.includes('owner') && owners.length === 1) {
        throw graphErrors.badRequest('The last owner of a channel cannot be demoted.');
      }
      existing.roles = roles;
    } else {
      channel.members.push({ userId: user.id, roles, createdDateTime: call.now.toISOString() });
    }
    call.reply.code(201);
    return {
      '@odata.context': `${call.base}/$metadata#teams('${team.id}')/channels('${encodeURIComponent(channel.id)}')/members/$entity`,
      ...memberShape(call.tenant, channel.id, user, roles),
    };
  },
};
