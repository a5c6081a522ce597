import { Type } from 'typebox';
import type { ApiDeps, ApiRoutes } from '../../api/api-types.ts';
import { callerOf } from '../../api/request-context.ts';
import { errorResponses, Uuid } from '../../api/schemas.ts';
import { errors } from '../../errors/index.ts';
import { graphPath, isGraphError } from '../../graph/index.ts';

const TAGS = ['Provisioning'];
/** Owners and members are counted up to this; a team with more shows the cap. */
const MAX_COUNTED = 999;

const RequestParams = Type.Object({ requestId: Uuid });
const Nullable = Type.Union([Type.String(), Type.Null()]);

export const RequestTeamSchema = Type.Object(
  {
    teamId: Type.String(),
    displayName: Nullable,
    description: Nullable,
    isArchived: Type.Boolean(),
    exists: Type.Boolean({ description: 'false when the team was deleted since' }),
    webUrl: Type.Union([Type.String({ description: 'Teams deep link to the team' }), Type.Null()]),
    generalChannel: Type.Union([
      Type.Object({
        id: Type.String(),
        displayName: Type.String(),
        webUrl: Type.Union([Type.String({ description: 'Teams deep link to the channel' }), Type.Null()]),
      }),
      Type.Null(),
    ]),
    owners: Type.Integer(),
    members: Type.Integer(),
    minimumOwners: Type.Integer({ description: "The template's owner policy" }),
  },
  { description: 'The team a request produced, as Microsoft 365 has it now, with its governance status' },
);

interface GraphTeam {
  id: string;
  displayName?: string | null;
  description?: string | null;
  isArchived?: boolean | null;
  webUrl?: string | null;
}

interface GraphChannel {
  id: string;
  displayName: string;
  webUrl?: string | null;
}

async function entraTenantOf(deps: ApiDeps, tenantId: string): Promise<string> {
  const row = await deps.db.withTenant(tenantId, (tx) =>
    tx.selectFrom('tenants').select('entra_tenant_id').where('tenant_id', '=', tenantId).executeTakeFirst(),
  );
  if (!row?.entra_tenant_id)
    throw errors.conflict('This tenant is not connected to a Microsoft Entra tenant');
  return row.entra_tenant_id;
}

/** A 404 from Graph means the team is gone; anything else is a failure to report. */
async function orMissing<T>(call: Promise<T>): Promise<T | null> {
  try {
    return await call;
  } catch (error) {
    if (isGraphError(error) && error.status === 404) return null;
    throw error;
  }
}

/** `GET /requests/{id}/team`: the provisioned team with its links and owner policy, for "My teams". */
export const teamRoutes: ApiRoutes = async (app, deps) => {
  app.get(
    '/requests/:requestId/team',
    {
      config: { access: 'requests:read' },
      schema: {
        tags: TAGS,
        operationId: 'getRequestTeam',
        summary:
          'The team a request produced: name, archive state, deep links to it and its General channel, owners against the policy',
        params: RequestParams,
        response: { 200: RequestTeamSchema, ...errorResponses(404, 409) },
      },
    },
    async (request) => {
      const caller = callerOf(request);
      const view = await deps.domain.requests.get(caller, request.params.requestId);
      const run = await deps.domain.provisioning.runOf(caller.tenantId, view.requestId);
      const teamId = view.teamId ?? run?.teamId ?? null;
      if (!teamId) throw errors.notFound(`The team of request ${view.requestId}`);
      const graph = deps.domain.graph.forTenant(await entraTenantOf(deps, caller.tenantId));
      const version = await deps.domain.templates
        .getVersion(caller.tenantId, view.template.templateId, view.template.version)
        .catch(() => null);
      const minimumOwners = version?.document?.minimumOwners ?? 1;
      const team = await orMissing(
        graph.request<GraphTeam>('GET', graphPath`/teams/${teamId}`, {
          query: { select: ['id', 'displayName', 'description', 'isArchived', 'webUrl'] },
        }),
      );
      if (!team) {
        return {
          teamId,
          displayName: view.names?.displayName ?? view.name,
          description: null,
          isArchived: false,
          exists: false,
          webUrl: null,
          generalChannel: null,
          owners: 0,
          members: 0,
          minimumOwners,
        };
      }
      const [general, owners, members] = await Promise.all([
        orMissing(
          graph.request<GraphChannel>('GET', graphPath`/teams/${teamId}/primaryChannel`, {
            query: { select: ['id', 'displayName', 'webUrl'] },
          }),
        ),
        graph.all<{ id: string }>(
          graphPath`/groups/${teamId}/owners`,
          { select: ['id'] },
          { max: MAX_COUNTED },
        ),
        graph.all<{ id: string }>(
          graphPath`/groups/${teamId}/members`,
          { select: ['id'] },
          { max: MAX_COUNTED },
        ),
      ]);
      return {
        teamId,
        displayName: team.displayName ?? null,
        description: team.description ?? null,
        isArchived: team.isArchived === true,
        exists: true,
        webUrl: team.webUrl ?? null,
        generalChannel: general
          ? { id: general.id, displayName: general.displayName, webUrl: general.webUrl ?? null }
          : null,
        owners: owners.length,
        members: members.length,
        minimumOwners,
      };
    },
  );
};
