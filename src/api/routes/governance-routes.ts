import { sql } from 'kysely';
import { Type } from 'typebox';
import type { Tx } from '../../db/index.ts';
import type { ApiRoutes } from '../api-types.ts';
import { callerOf } from '../request-context.ts';
import { DateTime, errorResponses, Uuid } from '../schemas.ts';

const TAGS = ['Governance'];
/** Request statuses that produced a team. */
const TEAM_STATUSES = ['completed', 'completed_with_drift'] as const;
/** Requests listed under "pending" and "failed" (the counts are complete; the lists are not). */
const LIST_LIMIT = 10;
/** Teams listed under "needs attention". */
const ATTENTION_LIMIT = 50;
const DEFAULT_FIELD = 'department';
const DEFAULT_MONTHS = 12;

/** Upper bounds (seconds) of the provisioning-duration histogram; the last bucket is open. */
const DURATION_BUCKETS = [60, 300, 900, 3600] as const;

const Count = Type.Integer({ minimum: 0 });
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

const RequestItem = Type.Object({
  requestId: Uuid,
  name: Type.String(),
  templateSlug: Type.String(),
  requester: Nullable(Type.String()),
  at: Nullable(DateTime),
  detail: Nullable(Type.String({ description: 'The failure message, or the stage waited on.' })),
});

export const GovernanceSummarySchema = Type.Object(
  {
    generatedAt: DateTime,
    totals: Type.Object({
      teams: Count,
      requests: Count,
      pending: Count,
      failed: Count,
      provisioning: Count,
      drift: Count,
      tooFewOwners: Count,
    }),
    requestsByStatus: Type.Array(Type.Object({ status: Type.String(), count: Count })),
    teamsByTemplate: Type.Array(
      Type.Object({ templateId: Uuid, slug: Type.String(), name: Type.String(), count: Count }),
    ),
    teamsByField: Type.Object({
      field: Type.String({ description: 'The metadata field grouped by.' }),
      label: Nullable(Type.String({ description: "The field's label, when the tenant defines it." })),
      items: Type.Array(
        Type.Object({ value: Nullable(Type.String({ description: 'null: not set' })), count: Count }),
      ),
    }),
    teamsByMonth: Type.Array(
      Type.Object({ month: Type.String({ pattern: '^[0-9]{4}-[0-9]{2}$' }), count: Count }),
      { description: 'Teams provisioned per month (UTC), oldest first, empty months included.' },
    ),
    provisioningDurations: Type.Object({
      runs: Count,
      averageSeconds: Nullable(Type.Number()),
      medianSeconds: Nullable(Type.Number()),
      p90Seconds: Nullable(Type.Number()),
      maxSeconds: Nullable(Type.Number()),
      buckets: Type.Array(
        Type.Object({
          upToSeconds: Nullable(Type.Integer({ description: 'Exclusive upper bound; null: no bound.' })),
          count: Count,
        }),
      ),
    }),
    pendingRequests: Type.Array(RequestItem, { description: 'The oldest waiting for approval.' }),
    failedRequests: Type.Array(RequestItem, { description: 'The latest failures.' }),
    attention: Type.Array(
      Type.Object({
        requestId: Uuid,
        teamId: Nullable(Type.String()),
        name: Type.String(),
        templateSlug: Type.String(),
        drift: Type.Boolean({ description: 'The team differed from its template after provisioning.' }),
        differences: Count,
        owners: Count,
        minimumOwners: Count,
      }),
      { description: 'Teams with drift, or with fewer owners (as provisioned) than their template asks.' },
    ),
  },
  { description: "The tenant's governance dashboard: aggregates over requests, runs and templates." },
);

const SummaryQuery = Type.Object({
  field: Type.Optional(
    Type.String({
      pattern: '^[a-z][a-zA-Z0-9_]{0,39}$',
      description: 'Metadata field to group teams by (default `department`).',
    }),
  ),
  months: Type.Optional(
    Type.Integer({ minimum: 1, maximum: 36, default: DEFAULT_MONTHS, description: 'Months of history.' }),
  ),
});

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());
const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));

/** `YYYY-MM` of the `months` months up to now (UTC), oldest first. */
export function monthsUpTo(now: Date, months: number): string[] {
  const out: string[] = [];
  for (let i = months - 1; i >= 0; i--) {
    const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - i, 1));
    out.push(`${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`);
  }
  return out;
}

async function statusCounts(tx: Tx, tenantId: string) {
  const { rows } = await sql<{ status: string; count: number }>`
    SELECT status, count(*)::int AS count FROM requests
    WHERE tenant_id = ${tenantId} GROUP BY status ORDER BY count DESC, status`.execute(tx);
  return rows;
}

async function teamsByTemplate(tx: Tx, tenantId: string) {
  const { rows } = await sql<{ templateId: string; slug: string; name: string | null; count: number }>`
    SELECT r.template_id AS "templateId", r.template_slug AS slug, t.name, count(*)::int AS count
    FROM requests r
    LEFT JOIN templates t ON t.tenant_id = r.tenant_id AND t.template_id = r.template_id
    WHERE r.tenant_id = ${tenantId} AND r.status IN (${sql.join(TEAM_STATUSES)})
    GROUP BY r.template_id, r.template_slug, t.name
    ORDER BY count DESC, slug`.execute(tx);
  return rows.map((r) => ({ ...r, name: r.name ?? r.slug }));
}

// A multi-choice value is an array: each of its values counts the team once.
async function teamsByField(tx: Tx, tenantId: string, field: string) {
  const { rows } = await sql<{ value: string | null; count: number }>`
    SELECT v.value, count(*)::int AS count
    FROM requests r
    CROSS JOIN LATERAL jsonb_array_elements_text(
      CASE WHEN jsonb_typeof(r.metadata -> ${field}) = 'array' THEN r.metadata -> ${field}
           ELSE jsonb_build_array(r.metadata -> ${field}) END) AS v(value)
    WHERE r.tenant_id = ${tenantId} AND r.status IN (${sql.join(TEAM_STATUSES)})
    GROUP BY v.value
    ORDER BY count DESC, v.value NULLS LAST`.execute(tx);
  const label = await tx
    .selectFrom('metadata_fields')
    .select('label')
    .where('tenant_id', '=', tenantId)
    .where('key', '=', field)
    .executeTakeFirst();
  return { field, label: label?.label ?? null, items: rows };
}

// A team's month is when its run finished, else when its request last changed.
async function teamsByMonth(tx: Tx, tenantId: string, now: Date, months: number) {
  const axis = monthsUpTo(now, months);
  const since = new Date(`${axis[0]}-01T00:00:00Z`);
  const { rows } = await sql<{ month: string; count: number }>`
    SELECT to_char(date_trunc('month', coalesce(p.finished_at, r.updated_at) AT TIME ZONE 'UTC'), 'YYYY-MM')
             AS month,
           count(*)::int AS count
    FROM requests r
    LEFT JOIN provisioning_runs p ON p.tenant_id = r.tenant_id AND p.request_id = r.request_id
    WHERE r.tenant_id = ${tenantId} AND r.status IN (${sql.join(TEAM_STATUSES)})
      AND coalesce(p.finished_at, r.updated_at) >= ${since}
    GROUP BY 1`.execute(tx);
  const counts = new Map(rows.map((r) => [r.month, r.count]));
  return axis.map((month) => ({ month, count: counts.get(month) ?? 0 }));
}

async function durations(tx: Tx, tenantId: string) {
  const bounds = DURATION_BUCKETS.map((b) => sql`${b}`);
  const { rows } = await sql<{
    runs: number;
    average: unknown;
    median: unknown;
    p90: unknown;
    max: unknown;
    buckets: number[] | null;
  }>`
    WITH d AS (
      SELECT extract(epoch FROM finished_at - started_at)::float8 AS s FROM provisioning_runs
      WHERE tenant_id = ${tenantId} AND status IN (${sql.join(TEAM_STATUSES)})
        AND started_at IS NOT NULL AND finished_at IS NOT NULL)
    SELECT count(*)::int AS runs, avg(s) AS average,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY s) AS median,
           percentile_cont(0.9) WITHIN GROUP (ORDER BY s) AS p90,
           max(s) AS max,
           (SELECT array_agg(c ORDER BY b) FROM (
              SELECT b, (SELECT count(*)::int FROM d WHERE width_bucket(s, ARRAY[${sql.join(bounds)}]::float8[]) = b) AS c
              FROM generate_series(0, ${DURATION_BUCKETS.length}) AS b) x) AS buckets
    FROM d`.execute(tx);
  const row = rows[0];
  const counts = row?.buckets ?? [];
  return {
    runs: row?.runs ?? 0,
    averageSeconds: num(row?.average),
    medianSeconds: num(row?.median),
    p90Seconds: num(row?.p90),
    maxSeconds: num(row?.max),
    buckets: [...DURATION_BUCKETS, null].map((upToSeconds, i) => ({ upToSeconds, count: counts[i] ?? 0 })),
  };
}

async function pendingRequests(tx: Tx, tenantId: string) {
  const { rows } = await sql<{
    requestId: string;
    name: string;
    templateSlug: string;
    requester: string | null;
    at: Date | null;
    detail: string | null;
  }>`
    SELECT r.request_id AS "requestId", r.requested_name AS name, r.template_slug AS "templateSlug",
           coalesce(r.requester_name, r.requester_id) AS requester,
           coalesce(r.submitted_at, r.created_at) AS at, s.name AS detail
    FROM requests r
    LEFT JOIN request_stages s
      ON s.tenant_id = r.tenant_id AND s.request_id = r.request_id AND s.stage = r.current_stage
    WHERE r.tenant_id = ${tenantId} AND r.status = 'pending_approval'
    ORDER BY at ASC, r.request_id LIMIT ${LIST_LIMIT}`.execute(tx);
  return rows.map((r) => ({ ...r, at: iso(r.at) }));
}

async function failedRequests(tx: Tx, tenantId: string) {
  const { rows } = await sql<{
    requestId: string;
    name: string;
    templateSlug: string;
    requester: string | null;
    at: Date | null;
    detail: string | null;
  }>`
    SELECT r.request_id AS "requestId", r.requested_name AS name, r.template_slug AS "templateSlug",
           coalesce(r.requester_name, r.requester_id) AS requester,
           coalesce(p.finished_at, r.updated_at) AS at, p.error ->> 'message' AS detail
    FROM requests r
    LEFT JOIN provisioning_runs p ON p.tenant_id = r.tenant_id AND p.request_id = r.request_id
    WHERE r.tenant_id = ${tenantId} AND r.status = 'failed'
    ORDER BY at DESC, r.request_id LIMIT ${LIST_LIMIT}`.execute(tx);
  return rows.map((r) => ({ ...r, at: iso(r.at) }));
}

// Owners as provisioned (the run's frozen spec, else the request's list) against the template
// version's policy; live counts need Graph and are shown per team by GET /requests/{id}/team.
async function attention(tx: Tx, tenantId: string) {
  const { rows } = await sql<{
    requestId: string;
    teamId: string | null;
    name: string;
    templateSlug: string;
    drift: boolean;
    differences: number;
    owners: number;
    minimumOwners: number;
  }>`
    WITH t AS (
      SELECT r.request_id, coalesce(r.team_id, p.team_id) AS team_id,
             coalesce(r.names ->> 'displayName', r.requested_name) AS name, r.template_slug,
             r.status = 'completed_with_drift' AS drift,
             coalesce(jsonb_array_length(p.conformance -> 'differences'), 0) AS differences,
             coalesce(jsonb_array_length(p.spec -> 'owners'), cardinality(r.owners)) AS owners,
             coalesce((v.document ->> 'minimumOwners')::int, 1) AS minimum_owners,
             coalesce(p.finished_at, r.updated_at) AS at
      FROM requests r
      LEFT JOIN provisioning_runs p ON p.tenant_id = r.tenant_id AND p.request_id = r.request_id
      LEFT JOIN template_versions v ON v.tenant_id = r.tenant_id AND v.template_id = r.template_id
        AND v.version = r.template_version
      WHERE r.tenant_id = ${tenantId} AND r.status IN (${sql.join(TEAM_STATUSES)}))
    SELECT request_id AS "requestId", team_id AS "teamId", name, template_slug AS "templateSlug", drift,
           differences::int AS differences, owners::int AS owners, minimum_owners::int AS "minimumOwners"
    FROM t WHERE drift OR owners < minimum_owners
    ORDER BY at DESC, request_id LIMIT ${ATTENTION_LIMIT}`.execute(tx);
  return rows;
}

async function attentionTotals(tx: Tx, tenantId: string) {
  const { rows } = await sql<{ drift: number; tooFewOwners: number }>`
    SELECT count(*) FILTER (WHERE r.status = 'completed_with_drift')::int AS drift,
           count(*) FILTER (WHERE coalesce(jsonb_array_length(p.spec -> 'owners'), cardinality(r.owners))
                                  < coalesce((v.document ->> 'minimumOwners')::int, 1))::int AS "tooFewOwners"
    FROM requests r
    LEFT JOIN provisioning_runs p ON p.tenant_id = r.tenant_id AND p.request_id = r.request_id
    LEFT JOIN template_versions v ON v.tenant_id = r.tenant_id AND v.template_id = r.template_id
      AND v.version = r.template_version
    WHERE r.tenant_id = ${tenantId} AND r.status IN (${sql.join(TEAM_STATUSES)})`.execute(tx);
  return rows[0] ?? { drift: 0, tooFewOwners: 0 };
}

/** Every aggregate of the dashboard, read in one tenant-scoped transaction. */
export async function governanceSummary(
  tx: Tx,
  tenantId: string,
  options: { field: string; months: number; now: Date },
) {
  const byStatus = await statusCounts(tx, tenantId);
  const count = (...statuses: string[]) =>
    byStatus.filter((s) => statuses.includes(s.status)).reduce((n, s) => n + s.count, 0);
  const flags = await attentionTotals(tx, tenantId);
  return {
    generatedAt: options.now.toISOString(),
    totals: {
      teams: count(...TEAM_STATUSES),
      requests: byStatus.reduce((n, s) => n + s.count, 0),
      pending: count('pending_approval'),
      failed: count('failed'),
      provisioning: count('approved', 'provisioning'),
      drift: flags.drift,
      tooFewOwners: flags.tooFewOwners,
    },
    requestsByStatus: byStatus,
    teamsByTemplate: await teamsByTemplate(tx, tenantId),
    teamsByField: await teamsByField(tx, tenantId, options.field),
    teamsByMonth: await teamsByMonth(tx, tenantId, options.now, options.months),
    provisioningDurations: await durations(tx, tenantId),
    pendingRequests: await pendingRequests(tx, tenantId),
    failedRequests: await failedRequests(tx, tenantId),
    attention: await attention(tx, tenantId),
  };
}

/**
 * `GET /governance/summary`: the governance dashboard. Scope `provisioning:manage` (governance and
 * tenant admins): it spans every request of the tenant, which `audit:read` alone (integration
 * managers) was never meant to show.
 */
export const governanceRoutes: ApiRoutes = async (app, deps) => {
  app.get(
    '/governance/summary',
    {
      config: { access: 'provisioning:manage', cost: 'search' },
      schema: {
        tags: TAGS,
        operationId: 'getGovernanceSummary',
        summary: 'Dashboard aggregates: teams by template, metadata field and month, requests, durations',
        querystring: SummaryQuery,
        response: { 200: GovernanceSummarySchema, ...errorResponses(400) },
      },
    },
    async (request, reply) => {
      const tenantId = callerOf(request).tenantId;
      const options = {
        field: request.query.field ?? DEFAULT_FIELD,
        months: request.query.months ?? DEFAULT_MONTHS,
        now: new Date(),
      };
      const summary = await deps.db.withTenant(tenantId, (tx) => governanceSummary(tx, tenantId, options));
      return reply.header('cache-control', 'no-store').send(summary);
    },
  );
};
