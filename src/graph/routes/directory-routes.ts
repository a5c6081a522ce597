import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { ApiDeps, ApiRoutes } from '../../api/api-types.ts';
import { pageOf } from '../../api/pagination.ts';
import { callerOf } from '../../api/request-context.ts';
import { errorResponses } from '../../api/schemas.ts';
import { errors } from '../../errors/index.ts';
import type { DirectoryUser, TenantDirectory } from '../directory-types.ts';

const TAGS = ['directory'];
const Nullable = Type.Union([Type.String(), Type.Null()]);

/** A directory user as the API shows it: the DirectoryUser fields, nothing else. */
export const DirectoryUserSchema = Type.Object(
  {
    id: Type.String({ description: 'Entra object id' }),
    userPrincipalName: Type.String(),
    displayName: Type.String(),
    mail: Nullable,
    givenName: Nullable,
    surname: Nullable,
    jobTitle: Nullable,
    department: Nullable,
    country: Nullable,
    officeLocation: Nullable,
    usageLocation: Nullable,
    companyName: Nullable,
    preferredLanguage: Nullable,
    userType: Type.Union([Type.Literal('Member'), Type.Literal('Guest'), Type.Null()]),
    accountEnabled: Type.Union([Type.Boolean(), Type.Null()]),
  },
  { additionalProperties: false },
);

function view(user: DirectoryUser): DirectoryUser {
  return {
    id: user.id,
    userPrincipalName: user.userPrincipalName,
    displayName: user.displayName,
    mail: user.mail,
    givenName: user.givenName,
    surname: user.surname,
    jobTitle: user.jobTitle,
    department: user.department,
    country: user.country,
    officeLocation: user.officeLocation,
    usageLocation: user.usageLocation,
    companyName: user.companyName,
    preferredLanguage: user.preferredLanguage,
    userType: user.userType,
    accountEnabled: user.accountEnabled,
  };
}

/**
 * The caller's tenant's directory: its Entra tenant is read under the caller's tenant (RLS).
 * @throws AppError(conflict) when the tenant is not connected to an Entra tenant.
 */
async function directoryOf(deps: ApiDeps, request: FastifyRequest): Promise<TenantDirectory> {
  const { tenantId } = callerOf(request);
  const row = await deps.db.withTenant(tenantId, (tx) =>
    tx.selectFrom('tenants').select('entra_tenant_id').where('tenant_id', '=', tenantId).executeTakeFirst(),
  );
  if (!row?.entra_tenant_id) {
    throw errors.conflict(
      'This tenant is not connected to a Microsoft Entra tenant: there is no directory to read',
    );
  }
  return deps.domain.directory.forTenant(row.entra_tenant_id);
}

/** The people picker: `GET /directory/users?q=` and `GET /directory/users/{userId}`. */
export const directoryRoutes: ApiRoutes = async (app, deps) => {
  app.get(
    '/directory/users',
    {
      config: { access: 'authenticated', cost: 'search' },
      schema: {
        tags: TAGS,
        operationId: 'searchDirectoryUsers',
        summary:
          'Find people in the tenant’s directory by the start of their name, mail or UPN (people picker)',
        description:
          'Answers the first `limit` matches, sorted by display name; not paginated (`nextCursor` is always null): refine `q` instead.',
        querystring: Type.Object({
          q: Type.String({
            minLength: 1,
            maxLength: 100,
            description: 'Start of a display name, mail or UPN.',
          }),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 50, default: 10 })),
        }),
        response: { 200: pageOf(DirectoryUserSchema), ...errorResponses(400, 409, 503) },
      },
    },
    async (request) => {
      const q = request.query.q.trim();
      if (!q) throw errors.validation('q must not be blank', { q: 'blank' });
      const directory = await directoryOf(deps, request);
      const users = await directory.searchUsers(q, request.query.limit ?? 10);
      return { items: users.map(view), nextCursor: null };
    },
  );

  app.get(
    '/directory/users/:userId',
    {
      config: { access: 'authenticated' },
      schema: {
        tags: TAGS,
        operationId: 'getDirectoryUser',
        summary: 'Read one person of the tenant’s directory by Entra object id or user principal name',
        params: Type.Object({
          userId: Type.String({ minLength: 1, maxLength: 256, description: 'Entra object id or UPN' }),
        }),
        response: { 200: DirectoryUserSchema, ...errorResponses(400, 404, 409, 503) },
      },
    },
    async (request) => {
      const directory = await directoryOf(deps, request);
      const user = await directory.getUser(request.params.userId);
      if (!user) throw errors.notFound('Directory user');
      return view(user);
    },
  );
};
