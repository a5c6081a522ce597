import { boundKey } from '../../../http/binds.ts';
import { jsonBody, optionalString } from '../../../http/body.ts';
import { graphErrors } from '../../../http/errors.ts';
import { randomIds } from '../../../http/ids.ts';
import { PERMISSIONS } from '../../../http/permissions.ts';
import type { GraphRoute } from '../../../http/route.ts';
import { requireUser } from '../../../model/directory.ts';
import {
  addChannel,
  channelShape,
  requireActive,
  requireTeam,
  rolesFor,
  teamMembers,
  validateChannelName,
} from '../../../model/teams.ts';

/**
 * `POST /teams/{id}/channels`: standard, private (members with an owner) or shared (exactly one owner).
 * 201 + channel; 400 on a bad name or roster, 409 `NameAlreadyExists` on a taken name.
 */
export const createChannel: GraphRoute = {
  method: 'POST',
  url: '/v1.0/teams/:teamId/channels',
  permissions: PERMISSIONS.channelCreate,
  handler: (call) => {
    const { team, group } = requireTeam(call.tenant, call.graph, call.params.teamId ?? '', call.now);
    requireActive(team);
    const body = jsonBody(call);
    const displayName = validateChannelName(body.displayName);
    const description = optionalString(body, 'description');
    if (description && description.length > 1024)
      throw graphErrors.badRequest("'description' is at most 1024 characters.");
    const membershipType = String(body.membershipType ?? 'standard');
    if (membershipType !== 'standard' && membershipType !== 'private' && membershipType !== 'shared') {
      throw graphErrors.badRequest(
        `Invalid membershipType '${membershipType}' (standard, private or shared).`,
      );
    }
    const given = body.members ?? [];
    if (!Array.isArray(given)) throw graphErrors.badRequest("'members' must be a collection.");
    if (membershipType === 'standard' && given.length > 0) {
      throw graphErrors.badRequest('Members cannot be set on a standard channel: it has the team roster.');
    }
    const members = given.map((m, i) => {
      const key = boundKey((m as Record<string, unknown> | null)?.['user@odata.bind'], ['users']);
      if (!key)
        throw graphErrors.badRequest(`members[${i}]: 'user@odata.bind' must reference users('{id}').`);
      const user = requireUser(call.tenant, key);
      return { user, roles: rolesFor(user, (m as Record<string, unknown>).roles) };
    });
    if (membershipType !== 'standard') {
      // With delegated permissions the caller owns the channel when no owner is named.
      if (!members.some((m) => m.roles.includes('owner')) && call.caller.userId) {
        members.unshift({ user: requireUser(call.tenant, call.caller.userId), roles: ['owner'] });
      }
      const owners = members.filter((m) => m.roles.includes('owner'));
      if (owners.length === 0) {
        throw graphErrors.badRequest(
          `A ${membershipType} channel needs an owner in 'members' when created with application permissions.`,
        );
      }
      if (membershipType === 'shared' && (owners.length !== 1 || members.length !== 1)) {
        throw graphErrors.badRequest(
          'A shared channel is created with exactly one member, its owner; add others afterwards.',
        );
      }
      if (membershipType === 'private') {
        if (members.length > 200) throw graphErrors.badRequest('A private channel has at most 200 members.');
        const roster = new Set(teamMembers(call.tenant, group).map((m) => m.user.id));
        const outsider = members.find((m) => !roster.has(m.user.id));
        if (outsider) {
          throw graphErrors.badRequest(
            `${outsider.user.userPrincipalName} is not a member of the team: private channel members must be.`,
          );
        }
      }
    }
    const channel = addChannel(
      call.tenant,
      call.graph,
      team,
      group,
      {
        displayName,
        description,
        membershipType,
        isFavoriteByDefault: body.isFavoriteByDefault === true,
        members: members.map((m) => ({ userId: m.user.id, roles: m.roles })),
      },
      randomIds,
      call.now,
    );
    call.reply
      .code(201)
      .header('Location', `${call.base}/teams/${team.id}/channels/${encodeURIComponent(channel.id)}`);
    return {
      '@odata.context': `${call.base}/$metadata#teams('${team.id}')/channels/$entity`,
      ...channelShape(call.tenant, channel),
    };
  },
};
