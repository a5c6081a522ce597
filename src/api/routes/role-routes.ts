import { Type } from 'typebox';
import { errors } from '../../errors/index.ts';
import type { ApiRoutes } from '../api-types.ts';
import { auditActorOf, type Caller, ROLE_SCOPES, ROLES, type Role } from '../caller.ts';
import { DEFAULT_PAGE_SIZE, decodeCursor, PageQuery, pageOf, toPage } from '../pagination.ts';
import { callerOf, sourceOf } from '../request-context.ts';
import { DateTime, errorResponses, Uuid } from '../schemas.ts';

const TAGS = ['Identity'];
const RoleSchema = Type.Enum(ROLES);
/** Entra object ids are GUIDs. */
const ObjectId = Type.String({ format: 'uuid', description: 'Entra object id' });

export const RoleAssignmentSchema = Type.Object({
  assignmentId: Uuid,
  principalId: Type.String({ description: 'Entra object id of the user' }),
  role: RoleSchema,
  createdBy: Type.String(),
  createdAt: DateTime,
});

export const GroupRoleMappingSchema = Type.Object({
  mappingId: Uuid,
  groupId: Type.String({ description: 'Entra object id of the group' }),
  role: RoleSchema,
  createdBy: Type.String(),
  createdAt: DateTime,
});

/** Nobody hands out more than they hold: the role's scopes must all be the caller's. */
function assertMayGrant(caller: Caller, role: Role): void {
  const beyond = ROLE_SCOPES[role].filter((s) => !caller.scopes.has(s));
  if (beyond.length > 0) {
    throw errors.forbidden(`Granting ${role} needs scopes you do not hold: ${beyond.join(', ')}`);
  }
}

/** Roles given in Trellis: to users directly, or to every member of an Entra group. */
export const roleRoutes: ApiRoutes = async (app, deps) => {
  const store = () => deps.domain.identity.assignments;

  app.get(
    '/roles/assignments',
    {
      config: { access: 'roles:manage' },
      schema: {
        tags: TAGS,
        operationId: 'listRoleAssignments',
        summary: 'List roles assigned in Trellis to users',
        querystring: PageQuery,
        response: { 200: pageOf(RoleAssignmentSchema), ...errorResponses(400) },
      },
    },
    async (request) => {
      const limit = request.query.limit ?? DEFAULT_PAGE_SIZE;
      const at = request.query.cursor ? decodeCursor('role-assignments', request.query.cursor, 2) : undefined;
      const rows = await store().listAssignments(callerOf(request).tenantId, {
        after: at ? { createdAt: String(at[0]), id: String(at[1]) } : undefined,
        limit: limit + 1,
      });
      return toPage(rows, limit, 'role-assignments', (r) => [r.createdAt, r.assignmentId]);
    },
  );

  app.post(
    '/roles/assignments',
    {
      config: { access: 'roles:manage', idempotent: true, cost: 'write' },
      schema: {
        tags: TAGS,
        operationId: 'createRoleAssignment',
        summary: 'Assign a role to a user (by Entra object id)',
        body: Type.Object({ principalId: ObjectId, role: RoleSchema }, { additionalProperties: false }),
        response: { 201: RoleAssignmentSchema, ...errorResponses(400, 409, 422) },
      },
    },
    async (request, reply) => {
      const caller = callerOf(request);
      assertMayGrant(caller, request.body.role);
      const created = await store().assign(
        caller.tenantId,
        request.body,
        auditActorOf(caller),
        sourceOf(request),
      );
      return reply
        .code(201)
        .header('location', `/api/v1/roles/assignments/${created.assignmentId}`)
        .send(created);
    },
  );

  app.delete(
    '/roles/assignments/:assignmentId',
    {
      config: { access: 'roles:manage', cost: 'write' },
      schema: {
        tags: TAGS,
        operationId: 'deleteRoleAssignment',
        summary: 'Remove a role assignment',
        params: Type.Object({ assignmentId: Uuid }),
        response: { 204: Type.Null({ description: 'Removed' }), ...errorResponses(400, 404) },
      },
    },
    async (request, reply) => {
      const caller = callerOf(request);
      await store().unassign(
        caller.tenantId,
        request.params.assignmentId,
        auditActorOf(caller),
        sourceOf(request),
      );
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/roles/group-mappings',
    {
      config: { access: 'roles:manage' },
      schema: {
        tags: TAGS,
        operationId: 'listGroupRoleMappings',
        summary: 'List Entra groups whose members hold a role',
        querystring: PageQuery,
        response: { 200: pageOf(GroupRoleMappingSchema), ...errorResponses(400) },
      },
    },
    async (request) => {
      const limit = request.query.limit ?? DEFAULT_PAGE_SIZE;
      const at = request.query.cursor ? decodeCursor('group-mappings', request.query.cursor, 2) : undefined;
      const rows = await store().listGroupMappings(callerOf(request).tenantId, {
        after: at ? { createdAt: String(at[0]), id: String(at[1]) } : undefined,
        limit: limit + 1,
      });
      return toPage(rows, limit, 'group-mappings', (r) => [r.createdAt, r.mappingId]);
    },
  );

  app.post(
    '/roles/group-mappings',
    {
      config: { access: 'roles:manage', idempotent: true, cost: 'write' },
      schema: {
        tags: TAGS,
        operationId: 'createGroupRoleMapping',
        summary: 'Give a role to every (transitive) member of an Entra group',
        body: Type.Object({ groupId: ObjectId, role: RoleSchema }, { additionalProperties: false }),
        response: { 201: GroupRoleMappingSchema, ...errorResponses(400, 409, 422) },
      },
    },
    async (request, reply) => {
      const caller = callerOf(request);
      assertMayGrant(caller, request.body.role);
      const created = await store().mapGroup(
        caller.tenantId,
        request.body,
        auditActorOf(caller),
        sourceOf(request),
      );
      return reply
        .code(201)
        .header('location', `/api/v1/roles/group-mappings/${created.mappingId}`)
        .send(created);
    },
  );

  app.delete(
    '/roles/group-mappings/:mappingId',
    {
      config: { access: 'roles:manage', cost: 'write' },
      schema: {
        tags: TAGS,
        operationId: 'deleteGroupRoleMapping',
        summary: 'Remove a group role mapping',
        params: Type.Object({ mappingId: Uuid }),
        response: { 204: Type.Null({ description: 'Removed' }), ...errorResponses(400, 404) },
      },
    },
    async (request, reply) => {
      const caller = callerOf(request);
      await store().unmapGroup(
        caller.tenantId,
        request.params.mappingId,
        auditActorOf(caller),
        sourceOf(request),
      );
      return reply.code(204).send(null);
    },
  );
};
