import type * as MicrosoftGraph from '@microsoft/microsoft-graph-types';
import { boundKey } from '../../../http/binds.ts';
import { jsonBody } from '../../../http/body.ts';
import { GraphError, graphErrors } from '../../../http/errors.ts';
import { PERMISSIONS } from '../../../http/permissions.ts';
import type { GraphRoute } from '../../../http/route.ts';
import { findUser } from '../../../model/directory.ts';
import { requireTeam, rolesFor, setTeamMember } from '../../../model/teams.ts';

/**
 * `POST /teams/{id}/members/add` with `{values:[…]}`: one actionResultPart per member (200, or 207 when
 * some failed).
 */
export const addTeamMembers: GraphRoute = {
  method: 'POST',
  url: '/v1.0/teams/:teamId/members/add',
  permissions: PERMISSIONS.teamMembersWrite,
  handler: (call) => {
    const { group } = requireTeam(call.tenant, call.graph, call.params.teamId ?? '', call.now);
    const values = jsonBody(call).values;
    if (!Array.isArray(values) || values.length === 0)
      throw graphErrors.badRequest("'values' must be a non-empty collection.");
    if (values.length > 200) throw graphErrors.badRequest('At most 200 members can be added in one request.');
    const results = values.map(
      (value): MicrosoftGraph.AadUserConversationMemberResult & Record<string, unknown> => {
        const key = boundKey((value as Record<string, unknown> | null)?.['user@odata.bind'], ['users']);
        const user = key ? findUser(call.tenant, key) : undefined;
        if (!user) {
          return {
            '@odata.type': '#microsoft.graph.aadUserConversationMemberResult',
            userId: key ?? null,
            error: { code: 'NotFound', message: `User ${key ?? '(missing user@odata.bind)'} was not found.` },
          };
        }
        try {
          setTeamMember(group, user, rolesFor(user, (value as Record<string, unknown>).roles));
          return {
            '@odata.type': '#microsoft.graph.aadUserConversationMemberResult',
            userId: user.id,
            error: null,
          };
        } catch (error) {
          if (!(error instanceof GraphError)) throw error;
          return {
            '@odata.type': '#microsoft.graph.aadUserConversationMemberResult',
            userId: user.id,
            error: { code: error.code, message: error.message },
          };
        }
      },
    );
    call.reply.code(results.some((r) => r.error) ? 207 : 200);
    return {
      '@odata.context': `${call.base}/$metadata#Collection(microsoft.graph.actionResultPart)`,
      value: results,
    };
  },
};
