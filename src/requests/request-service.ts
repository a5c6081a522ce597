import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Caller } from '../api/caller.ts';
import { auditActorOf, hasRole } from '../api/caller.ts';
import { decodeCursor, toPage } from '../api/pagination.ts';
import { recordAudit } from '../audit/index.ts';
import type { RequestStatus, Tx } from '../db/index.ts';
import { errors } from '../errors/index.ts';
import { applyEdits, diffRequest } from './diff-request.ts';
import { decideRequest, type StoredContext } from './decide-request.ts';
import {
  prepareFields,
  previewRequest,
  type Requester,
  resolveRequester,
  resolveStage,
  type TemplateRef,
} from './prepare-request.ts';
import {
  canSee,
  emit,
  personOf,
  prepareContext,
  type RequestDeps,
  seesAllRequests,
} from './request-context.ts';
import {
  activityView,
  addActivity,
  editableOf,
  loadForUpdate,
  loadStages,
  loadStagesOf,
  type RequestRow,
  requestView,
  writeFields,
} from './request-repository.ts';
import { assertTransition } from './request-state.ts';
import type {
  ActivityView,
  ChangeOptions,
  CreateRequestInput,
  RequestEdits,
  RequestPreview,
  RequestView,
  ResolvedApprover,
} from './request-types.ts';
import { sweepRequests, type SweepReport } from './sweep-requests.ts';

export interface RequestFilter {
  status?: RequestStatus[] | undefined;
  template?: string | undefined;
  requester?: string | undefined;
  /** Text in the name or display name, or the request id (message-extension search). */
  q?: string | undefined;
  /** Only requests whose current stage waits on the caller. */
  awaitingMe?: boolean | undefined;
  /** `key` → value: requests whose metadata holds these values. */
  metadata?: Record<string, string | number | boolean> | undefined;
  cursor?: string | undefined;
  limit?: number | undefined;
}

/** Team requests: drafting, submission, approval, edits and the provisioning hand-off. */
export interface RequestService {
  create(caller: Caller, input: CreateRequestInput, options?: ChangeOptions): Promise<RequestView>;
  preview(caller: Caller, input: CreateRequestInput): Promise<RequestPreview>;
  get(caller: Caller, requestId: string): Promise<RequestView>;
  list(caller: Caller, filter: RequestFilter): Promise<{ items: RequestView[]; nextCursor: string | null }>;
  activity(
    caller: Caller,
    requestId: string,
    page: { cursor?: string | undefined; limit?: number | undefined },
  ): Promise<{ items: ActivityView[]; nextCursor: string | null }>;
  /** Requester edits a draft. */
  update(
    caller: Caller,
    requestId: string,
    edits: RequestEdits,
    options?: ChangeOptions,
  ): Promise<RequestView>;
  submit(caller: Caller, requestId: string, options?: ChangeOptions): Promise<RequestView>;
  approve(
    caller: Caller,
    requestId: string,
    decision: { comment?: string | undefined; edits?: RequestEdits | undefined; stage?: number | undefined },
    options?: ChangeOptions,
  ): Promise<RequestView>;
  reject(
    caller: Caller,
    requestId: string,
    decision: { comment: string; stage?: number | undefined },
    options?: ChangeOptions,
  ): Promise<RequestView>;
  cancel(
    caller: Caller,
    requestId: string,
    reason: string | undefined,
    options?: ChangeOptions,
  ): Promise<RequestView>;
  comment(caller: Caller, requestId: string, text: string, options?: ChangeOptions): Promise<ActivityView>;
  /** The provisioning engine moves approved requests on (approved → provisioning → completed …). */
  transition(
    tenantId: string,
    requestId: string,
    to: RequestStatus,
    details?: { reason?: string; teamId?: string },
  ): Promise<RequestView>;
  /** Sends due reminders and expires stale requests, across tenants. */
  sweep(now?: Date): Promise<SweepReport>;
}

const SYSTEM = { type: 'system' as const, id: 'trellis' };

export function createRequestService(deps: RequestDeps): RequestService {
  async function loadTemplate(tenantId: string, idOrSlug: string, version?: number): Promise<TemplateRef> {
    return deps.templates.getForRequest(tenantId, idOrSlug, version);
  }

  async function readVisible(caller: Caller, requestId: string) {
    const found = await deps.db.withTenant(caller.tenantId, async (tx) => {
      const row = await tx
        .selectFrom('requests')
        .selectAll()
        .where('request_id', '=', requestId)
        .executeTakeFirst();
      return row ? { row, stages: await loadStages(tx, requestId) } : undefined;
    });
    // Invisible and missing look the same: nothing leaks about other people's requests.
    if (!found || !canSee(caller, found.row, found.stages)) throw errors.notFound(`Request ${requestId}`);
    return found;
  }

  function checkRevision(row: RequestRow, options: ChangeOptions | undefined) {
    if (options?.expectedRevision !== undefined && options.expectedRevision !== row.revision) {
      throw errors.conflict(
        `The request changed (revision ${row.revision}, you sent ${options.expectedRevision}); reload it`,
      );
    }
  }

  function isRequester(caller: Caller, row: RequestRow) {
    return row.requester_id.toLowerCase() === caller.id.toLowerCase() || row.created_by_id === caller.id;
  }

  /** Opens stage 0 (or approves at once when the template needs no approval), inside `tx`. */
  async function enterApproval(
    tx: Tx,
    caller: Caller,
    row: RequestRow,
    template: TemplateRef,
    firstApprovers: ResolvedApprover[] | null,
    now: Date,
  ): Promise<RequestRow> {
    const stages = template.document.approval.stages;
    const actor = auditActorOf(caller);
    if (stages.length === 0) {
      const updated = await tx
        .updateTable('requests')
        .set({
          status: 'approved',
          submitted_at: now,
          decided_at: now,
          updated_at: now,
          current_stage: null,
          revision: sql`revision + 1`,
        })
        .where('request_id', '=', row.request_id)
        .returningAll()
        .executeTakeFirstOrThrow();
      await addActivity(tx, row.tenant_id, row.request_id, {
        kind: 'approved',
        actor: SYSTEM,
        body: 'No approval needed for this template',
        fromStatus: row.status,
        toStatus: 'approved',
      });
      await emit(deps, tx, row.tenant_id, 'request.submitted', updated, actor);
      await emit(deps, tx, row.tenant_id, 'request.approved', updated, SYSTEM, { approval: 'none' });
      return updated;
    }
    const expiresAt = new Date(now.getTime() + template.document.approval.expireAfterDays * 86_400_000);
    const updated = await tx
      .updateTable('requests')
      .set({
        status: 'pending_approval',
        submitted_at: now,
        expires_at: expiresAt,
        reminder_after_hours: template.document.approval.reminderAfterHours,
        current_stage: 0,
        stage_count: stages.length,
        updated_at: now,
        revision: sql`revision + 1`,
      })
      .where('request_id', '=', row.request_id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await tx
      .insertInto('request_stages')
      .values(
        stages.map((stage, index) => ({
          tenant_id: row.tenant_id,
          request_id: row.request_id,
          stage: index,
          name: stage.name,
          allow_edit: stage.allowEdit,
          approvers: JSON.stringify(index === 0 ? firstApprovers : []),
          status: index === 0 ? ('pending' as const) : ('waiting' as const),
          opened_at: index === 0 ? now : null,
        })),
      )
      .execute();
    await addActivity(tx, row.tenant_id, row.request_id, {
      kind: 'submitted',
      actor,
      fromStatus: row.status,
      toStatus: 'pending_approval',
    });
    await addActivity(tx, row.tenant_id, row.request_id, { kind: 'stage_opened', actor: SYSTEM, stage: 0 });
    await emit(deps, tx, row.tenant_id, 'request.submitted', updated, actor);
    await emit(deps, tx, row.tenant_id, 'approval.requested', updated, SYSTEM, {
      stage: 0,
      stageName: stages[0]?.name,
      approvers: firstApprovers,
      reminder: false,
    });
    return updated;
  }

  async function finish(caller: Caller, requestId: string): Promise<RequestView> {
    return deps.db.withTenant(caller.tenantId, async (tx) => {
      const row = await tx
        .selectFrom('requests')
        .selectAll()
        .where('request_id', '=', requestId)
        .executeTakeFirstOrThrow();
      return requestView(row, await loadStages(tx, requestId));
    });
  }

  const service: RequestService = {
    async create(caller, input, options = {}) {
      const { context, template, requester } = await newRequestContext(caller, input);
      const fields = await prepareFields(context, template, requester, {
        name: input.name,
        description: input.description ?? null,
        welcomeMessage: input.welcomeMessage ?? null,
        metadata: input.metadata ?? {},
        owners: input.owners ?? [],
        members: input.members ?? [],
      });
      const submit = input.submit !== false;
      const firstApprovers =
        submit && template.document.approval.stages.length > 0
          ? await resolveStage(context, template, requester, 0, fields.metadata)
          : null;
      const requestId = randomUUID();
      const now = context.now;
      await deps.db.withTenant(caller.tenantId, async (tx) => {
        const row = await tx
          .insertInto('requests')
          .values({
            tenant_id: caller.tenantId,
            request_id: requestId,
            template_id: template.templateId,
            template_slug: template.slug,
            template_version: template.version,
            status: 'draft',
            created_by_type: caller.kind,
            created_by_id: caller.id,
            requester_id: requester.id,
            requester_name: requester.displayName,
            requested_name: fields.name,
            description: fields.description,
            welcome_message: fields.welcomeMessage,
            metadata: JSON.stringify(fields.metadata),
            owners: fields.owners,
            members: fields.members,
            names: JSON.stringify(fields.names),
            created_at: now,
            updated_at: now,
          })
          .returningAll()
          .executeTakeFirstOrThrow();
        await addActivity(tx, caller.tenantId, requestId, {
          kind: 'created',
          actor: auditActorOf(caller),
          toStatus: 'draft',
        });
        await recordAudit(tx, caller.tenantId, {
          actor: auditActorOf(caller),
          action: 'request.created',
          target: { type: 'request', id: requestId },
          after: { template: template.slug, version: template.version, name: fields.name, submit },
          source: options.source,
        });
        await emit(deps, tx, caller.tenantId, 'request.created', row, auditActorOf(caller));
        if (submit) {
          await enterApproval(tx, caller, row, template, firstApprovers, now);
          await recordAudit(tx, caller.tenantId, {
            actor: auditActorOf(caller),
            action: 'request.submitted',
            target: { type: 'request', id: requestId },
            source: options.source,
          });
        }
      });
      return finish(caller, requestId);
    },

    async preview(caller, input) {
      const { context, template, requester } = await newRequestContext(caller, input);
      return previewRequest(context, template, requester, {
        name: input.name,
        metadata: input.metadata ?? {},
      });
    },

    async get(caller, requestId) {
      const { row, stages } = await readVisible(caller, requestId);
      return requestView(row, stages);
    },

    async list(caller, filter) {
      const limit = filter.limit ?? 50;
      const position = filter.cursor ? decodeCursor('requests', filter.cursor, 2) : undefined;
      return deps.db.withTenant(caller.tenantId, async (tx) => {
        let query = tx.selectFrom('requests').selectAll();
        if (filter.status?.length) query = query.where('status', 'in', filter.status);
        if (filter.template) {
          const ref = filter.template;
          query = query.where((eb) =>
            eb.or([eb('template_slug', '=', ref), eb(sql`template_id::text`, '=', ref)]),
          );
        }
        if (filter.requester) query = query.where('requester_id', '=', filter.requester);
        if (filter.q) {
          // Words of the name or display name, or the request id itself.
          const like = `%${filter.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
          query = query.where((eb) =>
            eb.or([
              eb('requested_name', 'ilike', like),
              eb(sql`names->>'displayName'`, 'ilike', like),
              eb(sql`request_id::text`, '=', filter.q?.toLowerCase() ?? ''),
            ]),
          );
        }
        if (filter.metadata && Object.keys(filter.metadata).length > 0) {
          query = query.where(sql<boolean>`metadata @> ${JSON.stringify(filter.metadata)}::jsonb`);
        }
        const me = personOf(caller);
        const mine = [
          { id: me.id },
          ...(me.userPrincipalName ? [{ userPrincipalName: me.userPrincipalName }] : []),
        ];
        const anyMine = sql.join(
          mine.map((m) => sql`s.approvers @> ${JSON.stringify([m])}::jsonb`),
          sql` or `,
        );
        if (filter.awaitingMe) {
          if (caller.kind !== 'user') throw errors.validation('awaitingMe is for signed-in users');
          query = query
            .where('status', '=', 'pending_approval')
            .where(
              sql<boolean>`exists (select 1 from request_stages s where s.request_id = requests.request_id and s.stage = requests.current_stage and s.status = 'pending' and (${anyMine}))`,
            );
        } else if (!seesAllRequests(caller)) {
          query = query.where((eb) =>
            eb.or([
              eb('requester_id', '=', caller.id),
              eb('created_by_id', '=', caller.id),
              sql<boolean>`exists (select 1 from request_stages s where s.request_id = requests.request_id and (${anyMine}))`,
            ]),
          );
        }
        if (position) {
          const [at, id] = position as [string, string];
          query = query.where((eb) =>
            eb.or([
              eb('created_at', '<', new Date(at)),
              eb.and([eb('created_at', '=', new Date(at)), eb('request_id', '<', id)]),
            ]),
          );
        }
        const rows = await query
          .orderBy('created_at', 'desc')
          .orderBy('request_id', 'desc')
          .limit(limit + 1)
          .execute();
        const page = toPage(rows, limit, 'requests', (r) => [
          new Date(r.created_at).toISOString(),
          r.request_id,
        ]);
        const stages = await loadStagesOf(
          tx,
          page.items.map((row) => row.request_id),
        );
        const items: RequestView[] = page.items.map((row) =>
          requestView(row, stages.get(row.request_id) ?? []),
        );
        return { items, nextCursor: page.nextCursor };
      });
    },

    async activity(caller, requestId, page) {
      await readVisible(caller, requestId);
      const limit = page.limit ?? 50;
      const position = page.cursor ? decodeCursor(`activity:${requestId}`, page.cursor, 2) : undefined;
      return deps.db.withTenant(caller.tenantId, async (tx) => {
        let query = tx.selectFrom('request_activity').selectAll().where('request_id', '=', requestId);
        if (position) {
          const [at, id] = position as [string, string];
          query = query.where((eb) =>
            eb.or([
              eb('at', '>', new Date(at)),
              eb.and([eb('at', '=', new Date(at)), eb('activity_id', '>', id)]),
            ]),
          );
        }
        const rows = await query
          .orderBy('at', 'asc')
          .orderBy('activity_id', 'asc')
          .limit(limit + 1)
          .execute();
        const result = toPage(rows, limit, `activity:${requestId}`, (r) => [
          new Date(r.at).toISOString(),
          r.activity_id,
        ]);
        return { items: result.items.map(activityView), nextCursor: result.nextCursor };
      });
    },

    async update(caller, requestId, edits, options = {}) {
      const { row } = await readVisible(caller, requestId);
      if (!isRequester(caller, row)) throw errors.forbidden('Only the requester edits a draft');
      if (row.status !== 'draft') {
        throw errors.conflict(`Only drafts are edited by the requester; this request is ${row.status}`);
      }
      checkRevision(row, options);
      const { context, template, requester } = await storedContext(row);
      const current = editableOf(row);
      const next = applyEdits(current, edits);
      const fields = await prepareFields(context, template, requester, next);
      const changes = diffRequest(current, { ...fields });
      await deps.db.withTenant(caller.tenantId, async (tx) => {
        const locked = await loadForUpdate(tx, requestId);
        checkRevision(locked.row, { expectedRevision: row.revision });
        if (changes.length === 0) return;
        const updated = await writeFields(tx, requestId, fields, context.now);
        await addActivity(tx, caller.tenantId, requestId, {
          kind: 'edited',
          actor: auditActorOf(caller),
          diff: { changes },
        });
        await recordAudit(tx, caller.tenantId, {
          actor: auditActorOf(caller),
          action: 'request.edited',
          target: { type: 'request', id: requestId },
          before: Object.fromEntries(changes.map((c) => [c.field, c.before])),
          after: Object.fromEntries(changes.map((c) => [c.field, c.after])),
          source: options.source,
        });
        await emit(deps, tx, caller.tenantId, 'request.updated', updated, auditActorOf(caller), { changes });
      });
      return finish(caller, requestId);
    },

    async submit(caller, requestId, options = {}) {
      const { row } = await readVisible(caller, requestId);
      if (!isRequester(caller, row)) throw errors.forbidden('Only the requester submits a request');
      assertTransition(row.status, 'pending_approval');
      checkRevision(row, options);
      const { context, template, requester } = await storedContext(row);
      // Names may have been taken since the draft was saved: check everything again.
      const fields = await prepareFields(context, template, requester, editableOf(row));
      const firstApprovers =
        template.document.approval.stages.length > 0
          ? await resolveStage(context, template, requester, 0, fields.metadata)
          : null;
      await deps.db.withTenant(caller.tenantId, async (tx) => {
        const locked = await loadForUpdate(tx, requestId);
        checkRevision(locked.row, { expectedRevision: row.revision });
        const updated = await writeFields(tx, requestId, fields, context.now, false);
        await enterApproval(tx, caller, updated, template, firstApprovers, context.now);
        await recordAudit(tx, caller.tenantId, {
          actor: auditActorOf(caller),
          action: 'request.submitted',
          target: { type: 'request', id: requestId },
          source: options.source,
        });
      });
      return finish(caller, requestId);
    },

    async approve(caller, requestId, decision, options = {}) {
      const found = await readVisible(caller, requestId);
      await decideRequest(deps, caller, found, { outcome: 'approved', ...decision }, options, storedContext);
      return finish(caller, requestId);
    },

    async reject(caller, requestId, decision, options = {}) {
      if (!decision.comment.trim())
        throw errors.validation('Say why the request is rejected', { fields: { comment: 'required' } });
      const found = await readVisible(caller, requestId);
      await decideRequest(deps, caller, found, { outcome: 'rejected', ...decision }, options, storedContext);
      return finish(caller, requestId);
    },

    async cancel(caller, requestId, reason, options = {}) {
      const { row } = await readVisible(caller, requestId);
      if (
        !isRequester(caller, row) &&
        !hasRole(caller, 'tenant_admin', 'governance_admin') &&
        caller.kind !== 'api_token'
      ) {
        throw errors.forbidden('Only the requester or an administrator cancels a request');
      }
      checkRevision(row, options);
      const now = deps.now();
      await deps.db.withTenant(caller.tenantId, async (tx) => {
        const locked = await loadForUpdate(tx, requestId);
        assertTransition(locked.row.status, 'cancelled');
        const updated = await tx
          .updateTable('requests')
          .set({
            status: 'cancelled',
            closed_reason: reason ?? null,
            decided_at: now,
            updated_at: now,
            revision: sql`revision + 1`,
          })
          .where('request_id', '=', requestId)
          .returningAll()
          .executeTakeFirstOrThrow();
        await tx
          .updateTable('request_stages')
          .set({ status: 'cancelled' })
          .where('request_id', '=', requestId)
          .where('status', 'in', ['pending', 'waiting'])
          .execute();
        await addActivity(tx, caller.tenantId, requestId, {
          kind: 'cancelled',
          actor: auditActorOf(caller),
          body: reason ?? null,
          fromStatus: locked.row.status,
          toStatus: 'cancelled',
        });
        await recordAudit(tx, caller.tenantId, {
          actor: auditActorOf(caller),
          action: 'request.cancelled',
          target: { type: 'request', id: requestId },
          before: { status: locked.row.status },
          after: { status: 'cancelled', reason: reason ?? null },
          source: options.source,
        });
        await emit(deps, tx, caller.tenantId, 'request.cancelled', updated, auditActorOf(caller), {
          reason: reason ?? null,
        });
      });
      return finish(caller, requestId);
    },

    async comment(caller, requestId, text, options = {}) {
      await readVisible(caller, requestId);
      const body = text.trim();
      if (!body) throw errors.validation('A comment needs text', { fields: { text: 'required' } });
      return deps.db.withTenant(caller.tenantId, async (tx) => {
        await addActivity(tx, caller.tenantId, requestId, {
          kind: 'commented',
          actor: auditActorOf(caller),
          body,
        });
        await recordAudit(tx, caller.tenantId, {
          actor: auditActorOf(caller),
          action: 'request.commented',
          target: { type: 'request', id: requestId },
          after: { length: body.length },
          source: options.source,
        });
        const row = await tx
          .selectFrom('request_activity')
          .selectAll()
          .where('request_id', '=', requestId)
          .where('kind', '=', 'commented')
          .orderBy('at', 'desc')
          .limit(1)
          .executeTakeFirstOrThrow();
        return activityView(row);
      });
    },

    async transition(tenantId, requestId, to, details = {}) {
      const now = deps.now();
      return deps.db.withTenant(tenantId, async (tx) => {
        const { row } = await loadForUpdate(tx, requestId);
        if (row.status === to) return requestView(row, await loadStages(tx, requestId));
        assertTransition(row.status, to);
        const updated = await tx
          .updateTable('requests')
          .set({
            status: to,
            updated_at: now,
            revision: sql`revision + 1`,
            ...(details.teamId ? { team_id: details.teamId } : {}),
            ...(details.reason ? { closed_reason: details.reason } : {}),
          })
          .where('request_id', '=', requestId)
          .returningAll()
          .executeTakeFirstOrThrow();
        await addActivity(tx, tenantId, requestId, {
          kind: 'transitioned',
          actor: SYSTEM,
          body: details.reason ?? null,
          fromStatus: row.status,
          toStatus: to,
        });
        await recordAudit(tx, tenantId, {
          actor: SYSTEM,
          action: `request.${to}`,
          target: { type: 'request', id: requestId },
          before: { status: row.status },
          after: { status: to, teamId: details.teamId ?? null },
        });
        const type =
          to === 'provisioning'
            ? 'provisioning.started'
            : to === 'completed'
              ? 'provisioning.completed'
              : to === 'completed_with_drift'
                ? 'provisioning.completed_with_drift'
                : to === 'failed'
                  ? 'provisioning.failed'
                  : to === 'cancelled'
                    ? 'request.cancelled'
                    : undefined;
        if (type) await emit(deps, tx, tenantId, type, updated, SYSTEM, { reason: details.reason ?? null });
        return requestView(updated, await loadStages(tx, requestId));
      });
    },

    sweep(now) {
      return sweepRequests(deps, now ?? deps.now());
    },
  };

  /** The same for a request being made; users only see templates in their audience. */
  async function newRequestContext(caller: Caller, input: CreateRequestInput): Promise<StoredContext> {
    const context = await prepareContext(deps, caller.tenantId);
    const template = await loadTemplate(caller.tenantId, input.template, input.templateVersion);
    const requester = await resolveRequester(caller, input.requester, context.directory);
    if (
      caller.kind === 'user' &&
      !deps.templates.isInAudience(caller.tenantId, template.document, requester.policy)
    ) {
      // Outside the audience, the template does not exist for this user.
      throw errors.notFound(`Template ${input.template}`);
    }
    return { context, template, requester };
  }

  /** The tenant's directory, the pinned template version and the requester of a stored request. */
  async function storedContext(row: RequestRow): Promise<StoredContext> {
    const context = await prepareContext(deps, row.tenant_id);
    const template = await loadTemplate(row.tenant_id, row.template_id, row.template_version);
    return { context, template, requester: await requesterOfRow(row, context) };
  }

  /** The requester of a stored request, for re-validation and approver resolution. */
  async function requesterOfRow(
    row: RequestRow,
    context: Awaited<ReturnType<typeof prepareContext>>,
  ): Promise<Requester> {
    if (context.directory && !row.requester_id.startsWith('token:')) {
      const system: Caller = {
        tenantId: row.tenant_id,
        kind: 'api_token',
        id: 'system',
        displayName: null,
        roles: [],
        scopes: new Set(),
      };
      return resolveRequester(system, row.requester_id, context.directory);
    }
    return {
      id: row.requester_id,
      userPrincipalName: row.requester_id.includes('@') ? row.requester_id : null,
      displayName: row.requester_name,
      policy: { id: row.requester_id, displayName: row.requester_name },
      profile: { displayName: row.requester_name ?? row.requester_id },
    };
  }

  return service;
}
