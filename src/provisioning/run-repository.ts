import { sql } from 'kysely';
import type { Db, RunStatus, Tx } from '../db/index.ts';
import type { ProvisioningRunsTable } from '../db/tables/provisioning.ts';
import type { Selectable } from 'kysely';
import type { RecordedObject } from './step-types.ts';

export type RunRow = Selectable<ProvisioningRunsTable>;

/** One step's state within a run, kept in `provisioning_runs.steps`. */
export interface StepState {
  status: 'pending' | 'running' | 'done' | 'failed' | 'skipped';
  attempts: number;
  version: number;
  waitedMs: number;
  startedAt: string | null;
  finishedAt: string | null;
  error: RunError | null;
}

/** Why a run failed: a typed code, the step, and Graph's request id when Graph said no. */
export interface RunError {
  code: string;
  message: string;
  step: string | null;
  graphStatus: number | null;
  graphCode: string | null;
  graphRequestId: string | null;
}

export interface LogEntry {
  logId: string;
  at: string;
  level: 'info' | 'warn' | 'error';
  step: string | null;
  message: string;
  data: Record<string, unknown> | null;
}

const ACTIVE: RunStatus[] = ['queued', 'running', 'waiting'];

export function createRunRepository(db: Db) {
  return {
    /** Creates the request's run unless it exists (one run per request). Returns whether it was created. */
    async create(
      tx: Tx,
      run: {
        tenantId: string;
        runId: string;
        requestId: string;
        templateId: string;
        templateVersion: number;
      },
    ): Promise<boolean> {
      const inserted = await tx
        .insertInto('provisioning_runs')
        .values({
          tenant_id: run.tenantId,
          run_id: run.runId,
          request_id: run.requestId,
          template_id: run.templateId,
          template_version: run.templateVersion,
          status: 'queued',
          spec: null,
          team_id: null,
          current_step: null,
          lease_owner: null,
          lease_expires_at: null,
          wake_at: null,
          error: null,
          conformance: null,
          cleanup: null,
          started_at: null,
          finished_at: null,
          updated_at: new Date(),
        })
        .onConflict((oc) => oc.columns(['tenant_id', 'request_id']).doNothing())
        .returning('run_id')
        .executeTakeFirst();
      return inserted !== undefined;
    },

    get(tenantId: string, runId: string): Promise<RunRow | undefined> {
      return db.withTenant(tenantId, (tx) =>
        tx.selectFrom('provisioning_runs').selectAll().where('run_id', '=', runId).executeTakeFirst(),
      );
    },

    byRequest(tenantId: string, requestId: string): Promise<RunRow | undefined> {
      return db.withTenant(tenantId, (tx) =>
        tx.selectFrom('provisioning_runs').selectAll().where('request_id', '=', requestId).executeTakeFirst(),
      );
    },

    /**
     * Takes (or renews) the run's lease when it is active, due and not held by a live worker.
     * The lease, not the job, is what makes one worker at a time execute a run.
     */
    acquire(tenantId: string, runId: string, owner: string, ttlMs: number): Promise<RunRow | undefined> {
      return db.withTenant(tenantId, (tx) =>
        tx
          .updateTable('provisioning_runs')
          .set({
            lease_owner: owner,
            lease_expires_at: sql<Date>`now() + make_interval(secs => ${ttlMs / 1000})`,
            updated_at: sql<Date>`now()`,
          })
          .where('run_id', '=', runId)
          .where('status', 'in', ACTIVE)
          .where((eb) =>
            eb.or([
              eb('lease_owner', 'is', null),
              eb('lease_expires_at', '<', sql<Date>`now()`),
              eb('lease_owner', '=', owner),
            ]),
          )
          .where((eb) => eb.or([eb('wake_at', 'is', null), eb('wake_at', '<=', sql<Date>`now()`)]))
          .returningAll()
          .executeTakeFirst(),
      );
    },

    /** Extends a held lease; undefined when it was lost. Reports a cancellation asked for meanwhile. */
    async renew(
      tenantId: string,
      runId: string,
      owner: string,
      ttlMs: number,
    ): Promise<{ cancel: boolean } | undefined> {
      const row = await db.withTenant(tenantId, (tx) =>
        tx
          .updateTable('provisioning_runs')
          .set({ lease_expires_at: sql<Date>`now() + make_interval(secs => ${ttlMs / 1000})` })
          .where('run_id', '=', runId)
          .where('lease_owner', '=', owner)
          .returning('cancel_requested')
          .executeTakeFirst(),
      );
      return row ? { cancel: row.cancel_requested } : undefined;
    },

    release(tenantId: string, runId: string, owner: string): Promise<void> {
      return db.withTenant(tenantId, async (tx) => {
        await tx
          .updateTable('provisioning_runs')
          .set({ lease_owner: null, lease_expires_at: null })
          .where('run_id', '=', runId)
          .where('lease_owner', '=', owner)
          .execute();
      });
    },

    /** Updates the run while the caller holds its lease. @returns false when the lease was lost */
    async update(
      tenantId: string,
      runId: string,
      owner: string,
      changes: Partial<{
        status: RunStatus;
        spec: unknown;
        team_id: string | null;
        current_step: string | null;
        progress: number;
        steps: Record<string, StepState>;
        wake_at: Date | null;
        error: RunError | null;
        conformance: unknown;
        conformance_rounds: number;
        started_at: Date;
        finished_at: Date;
      }>,
    ): Promise<boolean> {
      const { spec, steps, error, conformance, ...rest } = changes;
      const result = await db.withTenant(tenantId, (tx) =>
        tx
          .updateTable('provisioning_runs')
          .set({
            ...rest,
            ...(spec !== undefined ? { spec: JSON.stringify(spec) } : {}),
            ...(steps !== undefined ? { steps: JSON.stringify(steps) } : {}),
            ...(error !== undefined ? { error: error === null ? null : JSON.stringify(error) } : {}),
            ...(conformance !== undefined ? { conformance: JSON.stringify(conformance) } : {}),
            updated_at: sql<Date>`now()`,
          })
          .where('run_id', '=', runId)
          .where('lease_owner', '=', owner)
          .executeTakeFirst(),
      );
      return Number(result.numUpdatedRows) > 0;
    },

    /** Admin actions outside any lease (retry, cancel), guarded by the run's current status. */
    async updateIf(
      tx: Tx,
      runId: string,
      from: RunStatus[],
      changes: Record<string, unknown>,
    ): Promise<RunRow | undefined> {
      return tx
        .updateTable('provisioning_runs')
        .set({ ...changes, updated_at: sql<Date>`now()` })
        .where('run_id', '=', runId)
        .where('status', 'in', from)
        .returningAll()
        .executeTakeFirst();
    },

    objects(tenantId: string, runId: string): Promise<RecordedObject[]> {
      return db.withTenant(tenantId, async (tx) => {
        const rows = await tx
          .selectFrom('provisioning_objects')
          .selectAll()
          .where('run_id', '=', runId)
          .orderBy('created_at')
          .execute();
        return rows.map((r) => ({
          key: r.key,
          kind: r.kind,
          graphId: r.graph_id,
          data: (r.data as Record<string, unknown> | null) ?? null,
        }));
      });
    },

    record(tenantId: string, runId: string, object: RecordedObject): Promise<void> {
      return db.withTenant(tenantId, async (tx) => {
        const data = object.data === null ? null : JSON.stringify(object.data);
        await tx
          .insertInto('provisioning_objects')
          .values({
            tenant_id: tenantId,
            run_id: runId,
            key: object.key,
            kind: object.kind,
            graph_id: object.graphId,
            data,
          })
          .onConflict((oc) =>
            oc.columns(['tenant_id', 'run_id', 'key']).doUpdateSet({ graph_id: object.graphId, data }),
          )
          .execute();
      });
    },

    forget(tenantId: string, runId: string, key: string): Promise<void> {
      return db.withTenant(tenantId, async (tx) => {
        await tx
          .deleteFrom('provisioning_objects')
          .where('run_id', '=', runId)
          .where('key', '=', key)
          .execute();
      });
    },

    log(
      tenantId: string,
      runId: string,
      entry: {
        level: LogEntry['level'];
        step: string | null;
        message: string;
        data?: Record<string, unknown> | undefined;
      },
    ): Promise<void> {
      return db.withTenant(tenantId, async (tx) => {
        await tx
          .insertInto('provisioning_log')
          .values({
            tenant_id: tenantId,
            run_id: runId,
            level: entry.level,
            step: entry.step,
            message: entry.message.slice(0, 2000),
            data: entry.data ? JSON.stringify(entry.data) : null,
          })
          .execute();
      });
    },

    logSince(tenantId: string, runId: string, afterLogId: string | null, limit = 500): Promise<LogEntry[]> {
      return db.withTenant(tenantId, async (tx) => {
        let q = tx.selectFrom('provisioning_log').selectAll().where('run_id', '=', runId);
        if (afterLogId) q = q.where('log_id', '>', afterLogId);
        const rows = await q.orderBy('log_id').limit(limit).execute();
        return rows.map((r) => ({
          logId: String(r.log_id),
          at: new Date(r.at).toISOString(),
          level: r.level,
          step: r.step,
          message: r.message,
          data: (r.data as Record<string, unknown> | null) ?? null,
        }));
      });
    },

    /** Requests approved more than `olderThanSeconds` ago that have no run yet (across tenants). */
    approvedWithoutRun(
      olderThanSeconds: number,
      limit = 200,
    ): Promise<{ tenant_id: string; request_id: string }[]> {
      return db.withPlatform((tx) =>
        tx
          .selectFrom('requests as r')
          .innerJoin('tenants as t', 't.tenant_id', 'r.tenant_id')
          .leftJoin('provisioning_runs as p', (j) =>
            j.onRef('p.tenant_id', '=', 'r.tenant_id').onRef('p.request_id', '=', 'r.request_id'),
          )
          .select(['r.tenant_id', 'r.request_id'])
          .where('r.status', '=', 'approved')
          .where('p.run_id', 'is', null)
          .where('t.entra_tenant_id', 'is not', null)
          .where('r.updated_at', '<', sql<Date>`now() - make_interval(secs => ${olderThanSeconds})`)
          .limit(limit)
          .execute(),
      );
    },

    /** Active runs no live worker holds and that are due: what the recovery sweep wakes up. */
    orphans(limit = 200): Promise<{ tenant_id: string; run_id: string }[]> {
      return db.withPlatform((tx) =>
        tx
          .selectFrom('provisioning_runs')
          .select(['tenant_id', 'run_id'])
          .where('status', 'in', ACTIVE)
          .where((eb) =>
            eb.or([eb('lease_expires_at', 'is', null), eb('lease_expires_at', '<', sql<Date>`now()`)]),
          )
          .where((eb) => eb.or([eb('wake_at', 'is', null), eb('wake_at', '<=', sql<Date>`now()`)]))
          .limit(limit)
          .execute(),
      );
    },
  };
}

export type RunRepository = ReturnType<typeof createRunRepository>;
