import { Type } from 'typebox';
import type { ApiRoutes } from '../api-types.ts';
import { API_TOKEN_SCOPES } from '../../identity/index.ts';
import { API_SCOPES, ROLES } from '../caller.ts';
import { callerOf, signedInUser } from '../request-context.ts';
import { listJoinedTeams } from '../../graph/index.ts';
import { errorResponses, Uuid } from '../schemas.ts';
import { errors } from '../../errors/index.ts';

export const MeSchema = Type.Object(
  {
    tenant: Type.Object({ tenantId: Uuid, slug: Type.String(), displayName: Type.String() }),
    principal: Type.Object({
      kind: Type.Union([Type.Literal('user'), Type.Literal('api_token')]),
      id: Type.String({ description: 'Entra object id of a user, or the token id.' }),
      displayName: Type.Union([Type.String(), Type.Null()]),
      userPrincipalName: Type.Union([Type.String(), Type.Null()]),
      entraTenantId: Type.Union([Type.String(), Type.Null()]),
    }),
    roles: Type.Array(Type.Enum(ROLES)),
    scopes: Type.Array(Type.Enum(API_TOKEN_SCOPES)),
  },
  { description: 'The caller: tenant, identity, roles and effective scopes.' },
);

export const JoinedTeamSchema = Type.Object({
  teamId: Type.String(),
  displayName: Type.String(),
  description: Type.Union([Type.String(), Type.Null()]),
  isArchived: Type.Boolean(),
});

/**
 * `GET /me`: who the credential is, in which tenant, with which roles and scopes. `GET /me/teams`:
 * the teams the signed-in user is in, read from Graph with the user's own rights (on-behalf-of).
 */
export const meRoutes: ApiRoutes = async (app, deps) => {
  app.get(
    '/me',
    {
      config: { access: 'authenticated' },
      schema: {
        tags: ['Identity'],
        operationId: 'getMe',
        summary: 'The caller: tenant, user or token, roles and effective scopes',
        response: { 200: MeSchema, ...errorResponses() },
      },
    },
    async (request) => {
      const caller = callerOf(request);
      const tenant = await deps.db.withTenant(caller.tenantId, (tx) =>
        tx.selectFrom('tenants').select(['tenant_id', 'slug', 'display_name']).executeTakeFirst(),
      );
      if (!tenant) throw errors.notFound('Tenant');
      return {
        tenant: { tenantId: tenant.tenant_id, slug: tenant.slug, displayName: tenant.display_name },
        principal: {
          kind: caller.kind,
          id: caller.id,
          displayName: caller.displayName,
          userPrincipalName: caller.userPrincipalName ?? null,
          entraTenantId: caller.entraTenantId ?? null,
        },
        roles: [...caller.roles],
        scopes: API_SCOPES.filter((s) => caller.scopes.has(s)),
      };
    },
  );

  app.get(
    '/me/teams',
    {
      config: { access: 'authenticated' },
      schema: {
        tags: ['Identity'],
        operationId: 'listMyTeams',
        summary: "The teams the signed-in user owns or is a member of, read with the user's own rights",
        description:
          'Microsoft Graph `GET /me/joinedTeams` on behalf of the user (delegated `Team.ReadBasic.All`). ' +
          'Users only: an API token acts for no user (400). `403 consent_required` when the organisation has ' +
          'not consented to the permission; `details.consentUrl` starts admin consent.',
        response: {
          200: Type.Object({ items: Type.Array(JoinedTeamSchema) }),
          ...errorResponses(400),
        },
      },
    },
    async (request) => ({ items: await listJoinedTeams(deps.domain.graph, signedInUser(request)) }),
  );
};
