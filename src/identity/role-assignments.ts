import { randomUUID } from 'node:crypto';
import type { Role } from '../api/caller.ts';
import { type AuditActor, type AuditSource, recordAudit } from '../audit/index.ts';
import type { Db } from '../db/index.ts';
import { errors } from '../errors/index.ts';

/** A role given in Trellis to one user (Entra object id). */
export interface RoleAssignment {
  assignmentId: string;
  principalId: string;
  role: Role;
  createdBy: string;
  createdAt: string;
}

/** A role held by every (transitive) member of an Entra group. */
export interface GroupRoleMapping {
  mappingId: string;
  groupId: string;
  role: Role;
  createdBy: string;
  createdAt: string;
}

/** Keyset position of listings: creation time, then id. */
export interface ListPosition {
  after?: { createdAt: string; id: string } | undefined;
  limit: number;
}

export interface RoleAssignmentStore {
  listAssignments(tenantId: string, page: ListPosition): Promise<RoleAssignment[]>;
  /** @throws AppError(conflict) when the principal already holds the role. */
  assign(
    tenantId: string,
    input: { principalId: string; role: Role },
    actor: AuditActor,
    source?: AuditSource,
  ): Promise<RoleAssignment>;
  /** @throws AppError(not_found) */
  unassign(tenantId: string, assignmentId: string, actor: AuditActor, source?: AuditSource): Promise<void>;
  listGroupMappings(tenantId: string, page: ListPosition): Promise<GroupRoleMapping[]>;
  /** @throws AppError(conflict) when the group already maps to the role. */
  mapGroup(
    tenantId: string,
    input: { groupId: string; role: Role },
    actor: AuditActor,
    source?: AuditSource,
  ): Promise<GroupRoleMapping>;
  /** @throws AppError(not_found) */
  unmapGroup(tenantId: string, mappingId: string, actor: AuditActor, source?: AuditSource): Promise<void>;
  /** Roles assigned in Trellis to the user. */
  assignedRoles(tenantId: string, principalId: string): Promise<Role[]>;
  /** Every group mapping of the tenant (small: a handful per role). */
  groupMappings(tenantId: string): Promise<{ groupId: string; role: Role }[]>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const iso = (d: Date) => new Date(d).toISOString();

function assignmentOf(r: {
  assignment_id: string;
  principal_id: string;
  role: string;
  created_by: string;
  created_at: Date;
}): RoleAssignment {
  return {
    assignmentId: r.assignment_id,
    principalId: r.principal_id,
    role: r.role as Role,
    createdBy: r.created_by,
    createdAt: iso(r.created_at),
  };
}

function mappingOf(r: {
  mapping_id: string;
  group_id: string;
  role: string;
  created_by: string;
  created_at: Date;
}): GroupRoleMapping {
  return {
    mappingId: r.mapping_id,
    groupId: r.group_id,
    role: r.role as Role,
    createdBy: r.created_by,
    createdAt: iso(r.created_at),
  };
}

/**
 * Role assignments and group mappings (audited in the same transaction). `onChange` lets the
 * identity service drop cached roles at once instead of within a minute.
 */
export function createRoleAssignmentStore(deps: {
  db: Db;
  onChange: (tenantId: string, principalId?: string) => Promise<void>;
}): RoleAssignmentStore {
  const { db } = deps;
  return {
    async listAssignments(tenantId, page) {
      const rows = await db.withTenant(tenantId, (tx) => {
        let q = tx.selectFrom('role_assignments').selectAll();
        const after = page.after;
        if (after) {
          q = q.where((eb) =>
            eb.or([
              eb('created_at', '>', new Date(after.createdAt)),
              eb.and([eb('created_at', '=', new Date(after.createdAt)), eb('assignment_id', '>', after.id)]),
            ]),
          );
        }
        return q.orderBy('created_at').orderBy('assignment_id').limit(page.limit).execute();
      });
      return rows.map(assignmentOf);
    },

    async assign(tenantId, input, actor, source) {
      const row = await db.withTenant(tenantId, async (tx) => {
        const inserted = await tx
          .insertInto('role_assignments')
          .values({
            tenant_id: tenantId,
            assignment_id: randomUUID(),
            principal_id: input.principalId.toLowerCase(),
            role: input.role,
            created_by: actor.id,
            // Millisecond precision, as cursors carry it.
            created_at: new Date(),
          })
          .onConflict((oc) => oc.doNothing())
          .returningAll()
          .executeTakeFirst();
        if (!inserted) throw errors.conflict(`${input.principalId} already holds the ${input.role} role`);
        await recordAudit(tx, tenantId, {
          actor,
          action: 'role.assigned',
          target: { type: 'role_assignment', id: inserted.assignment_id },
          after: { principalId: inserted.principal_id, role: input.role },
          source,
        });
        return inserted;
      });
      await deps.onChange(tenantId, row.principal_id);
      return assignmentOf(row);
    },

    async unassign(tenantId, assignmentId, actor, source) {
      if (!UUID.test(assignmentId)) throw errors.notFound('Role assignment');
      const row = await db.withTenant(tenantId, async (tx) => {
        const deleted = await tx
          .deleteFrom('role_assignments')
          .where('assignment_id', '=', assignmentId)
          .returningAll()
          .executeTakeFirst();
        if (!deleted) throw errors.notFound('Role assignment');
        await recordAudit(tx, tenantId, {
          actor,
          action: 'role.unassigned',
          target: { type: 'role_assignment', id: assignmentId },
          before: { principalId: deleted.principal_id, role: deleted.role },
          source,
        });
        return deleted;
      });
      await deps.onChange(tenantId, row.principal_id);
    },

    async listGroupMappings(tenantId, page) {
      const rows = await db.withTenant(tenantId, (tx) => {
        let q = tx.selectFrom('group_role_mappings').selectAll();
        const after = page.after;
        if (after) {
          q = q.where((eb) =>
            eb.or([
              eb('created_at', '>', new Date(after.createdAt)),
              eb.and([eb('created_at', '=', new Date(after.createdAt)), eb('mapping_id', '>', after.id)]),
            ]),
          );
        }
        return q.orderBy('created_at').orderBy('mapping_id').limit(page.limit).execute();
      });
      return rows.map(mappingOf);
    },

    async mapGroup(tenantId, input, actor, source) {
      const row = await db.withTenant(tenantId, async (tx) => {
        const inserted = await tx
          .insertInto('group_role_mappings')
          .values({
            tenant_id: tenantId,
            mapping_id: randomUUID(),
            group_id: input.groupId.toLowerCase(),
            role: input.role,
            created_by: actor.id,
            // Millisecond precision, as cursors carry it.
            created_at: new Date(),
          })
          .onConflict((oc) => oc.doNothing())
          .returningAll()
          .executeTakeFirst();
        if (!inserted) throw errors.conflict(`Group ${input.groupId} already maps to the ${input.role} role`);
        await recordAudit(tx, tenantId, {
          actor,
          action: 'role.group_mapped',
          target: { type: 'group_role_mapping', id: inserted.mapping_id },
          after: { groupId: inserted.group_id, role: input.role },
          source,
        });
        return inserted;
      });
      await deps.onChange(tenantId);
      return mappingOf(row);
    },

    async unmapGroup(tenantId, mappingId, actor, source) {
      if (!UUID.test(mappingId)) throw errors.notFound('Group role mapping');
      await db.withTenant(tenantId, async (tx) => {
        const deleted = await tx
          .deleteFrom('group_role_mappings')
          .where('mapping_id', '=', mappingId)
          .returningAll()
          .executeTakeFirst();
        if (!deleted) throw errors.notFound('Group role mapping');
        await recordAudit(tx, tenantId, {
          actor,
          action: 'role.group_unmapped',
          target: { type: 'group_role_mapping', id: mappingId },
          before: { groupId: deleted.group_id, role: deleted.role },
          source,
        });
      });
      await deps.onChange(tenantId);
    },

    async assignedRoles(tenantId, principalId) {
      const rows = await db.withTenant(tenantId, (tx) =>
        tx
          .selectFrom('role_assignments')
          .select('role')
          .where('principal_id', '=', principalId.toLowerCase())
          .execute(),
      );
      return rows.map((r) => r.role as Role);
    },

    async groupMappings(tenantId) {
      const rows = await db.withTenant(tenantId, (tx) =>
        tx.selectFrom('group_role_mappings').select(['group_id', 'role']).execute(),
      );
      return rows.map((r) => ({ groupId: r.group_id, role: r.role as Role }));
    },
  };
}
