import { randomUUID } from 'node:crypto';
import { isIP } from 'node:net';
import type { Selectable } from 'kysely';
import type { AuditEventsTable, Db, Tx } from '../db/index.ts';
import { errors } from '../errors/index.ts';

export interface AuditActor {
  type: 'user' | 'api_token' | 'system';
  id: string;
  name?: string | undefined;
}

/** Where a change came from: copied from the HTTP request that made it. */
export interface AuditSource {
  ip?: string | undefined;
  userAgent?: string | undefined;
  requestId?: string | undefined;
}

export interface AuditEventInput {
  actor: AuditActor;
  /** Dotted, lowercase: `request.approved`, `template.version_published`. */
  action: string;
  target: { type: string; id: string };
  before?: unknown;
  after?: unknown;
  source?: AuditSource;
}

export interface AuditEvent {
  eventId: string;
  occurredAt: string;
  actor: { type: AuditActor['type']; id: string; name: string | null };
  action: string;
  target: { type: string; id: string };
  before: unknown;
  after: unknown;
  source: { ip: string | null; userAgent: string | null; requestId: string | null };
}

export interface AuditFilter {
  /** Exact action, or a prefix ending in `.*` (`request.*`). */
  action?: string | undefined;
  actorId?: string | undefined;
  targetType?: string | undefined;
  targetId?: string | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
  /** 1–500, default 100. */
  limit?: number | undefined;
  /** Opaque, from a previous page's `nextCursor`. */
  cursor?: string | undefined;
}

export interface AuditPage {
  events: AuditEvent[];
  nextCursor: string | null;
}

const ACTION = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/;
const ACTION_FILTER = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*(\.\*)?$/;

/**
 * Appends an event inside the caller's tenant transaction, so the history and the change it
 * describes commit (or roll back) together.
 * @throws AppError(validation_failed) on a malformed action or actor.
 */
export async function recordAudit(tx: Tx, tenantId: string, input: AuditEventInput): Promise<AuditEvent> {
  if (!ACTION.test(input.action))
    throw errors.validation(`Audit action "${input.action}" is not dotted lowercase`);
  if (!input.actor.id) throw errors.validation('Audit actor id is required');
  const ip = input.source?.ip && isIP(input.source.ip) ? input.source.ip : null;
  const row = await tx
    .insertInto('audit_events')
    .values({
      tenant_id: tenantId,
      event_id: randomUUID(),
      actor_type: input.actor.type,
      actor_id: input.actor.id,
      actor_name: input.actor.name ?? null,
      action: input.action,
      target_type: input.target.type,
      target_id: input.target.id,
      source_ip: ip,
      user_agent: input.source?.userAgent?.slice(0, 512) ?? null,
      request_id: input.source?.requestId?.slice(0, 128) ?? null,
      before: input.before === undefined ? null : JSON.stringify(input.before),
      after: input.after === undefined ? null : JSON.stringify(input.after),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toEvent(row);
}

function toEvent(row: Selectable<AuditEventsTable>): AuditEvent {
  return {
    eventId: row.event_id,
    occurredAt: new Date(row.occurred_at).toISOString(),
    actor: { type: row.actor_type, id: row.actor_id, name: row.actor_name },
    action: row.action,
    target: { type: row.target_type, id: row.target_id },
    before: row.before ?? null,
    after: row.after ?? null,
    source: { ip: row.source_ip, userAgent: row.user_agent, requestId: row.request_id },
  };
}

function encodeCursor(event: AuditEvent): string {
  return Buffer.from(`${event.occurredAt}|${event.eventId}`).toString('base64url');
}

function decodeCursor(cursor: string): { at: Date; id: string } {
  const [at, id, extra] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const date = new Date(at ?? '');
  if (!id || extra !== undefined || Number.isNaN(date.getTime()) || !/^[0-9a-f-]{36}$/.test(id)) {
    throw errors.validation('Invalid cursor', { cursor: 'not one this API issued' });
  }
  return { at: date, id };
}

/** Newest first, filtered, keyset-paginated (stable while new events arrive). */
export async function listAudit(db: Db, tenantId: string, filter: AuditFilter = {}): Promise<AuditPage> {
  const limit = filter.limit ?? 100;
  if (!Number.isInteger(limit) || limit < 1 || limit > 500)
    throw errors.validation('limit must be between 1 and 500');
  if (filter.action !== undefined && !ACTION_FILTER.test(filter.action)) {
    throw errors.validation(`Invalid action filter "${filter.action}"`);
  }
  const cursor = filter.cursor ? decodeCursor(filter.cursor) : undefined;
  const rows = await db.withTenant(tenantId, (tx) => {
    let q = tx.selectFrom('audit_events').selectAll();
    if (filter.action?.endsWith('.*')) q = q.where('action', 'like', `${filter.action.slice(0, -1)}%`);
    else if (filter.action) q = q.where('action', '=', filter.action);
    if (filter.actorId) q = q.where('actor_id', '=', filter.actorId);
    if (filter.targetType) q = q.where('target_type', '=', filter.targetType);
    if (filter.targetId) q = q.where('target_id', '=', filter.targetId);
    if (filter.from) q = q.where('occurred_at', '>=', filter.from);
    if (filter.to) q = q.where('occurred_at', '<', filter.to);
    if (cursor) {
      q = q.where((eb) =>
        eb.or([
          eb('occurred_at', '<', cursor.at),
          eb.and([eb('occurred_at', '=', cursor.at), eb('event_id', '<', cursor.id)]),
        ]),
      );
    }
    return q
      .orderBy('occurred_at', 'desc')
      .orderBy('event_id', 'desc')
      .limit(limit + 1)
      .execute();
  });
  const events = rows.slice(0, limit).map(toEvent);
  const last = events[events.length - 1];
  return { events, nextCursor: rows.length > limit && last ? encodeCursor(last) : null };
}

const CSV_COLUMNS = [
  'occurred_at',
  'event_id',
  'actor_type',
  'actor_id',
  'actor_name',
  'action',
  'target_type',
  'target_id',
  'source_ip',
  'user_agent',
  'request_id',
  'before',
  'after',
] as const;

/**
 * One CSV cell. Cells that a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, CR) are
 * prefixed with `'` (OWASP's CSV-injection advice); quoting follows RFC 4180.
 */
export function csvCell(value: string | null): string {
  if (value === null) return '';
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

function csvRow(e: AuditEvent): string {
  const cells = [
    e.occurredAt,
    e.eventId,
    e.actor.type,
    e.actor.id,
    e.actor.name,
    e.action,
    e.target.type,
    e.target.id,
    e.source.ip,
    e.source.userAgent,
    e.source.requestId,
    e.before === null ? null : JSON.stringify(e.before),
    e.after === null ? null : JSON.stringify(e.after),
  ];
  return `${cells.map(csvCell).join(',')}\r\n`;
}

/**
 * The whole filtered trail as CSV or JSON Lines, page by page, so an export of years of history
 * never sits in memory at once.
 */
export async function* exportAudit(
  db: Db,
  tenantId: string,
  filter: Omit<AuditFilter, 'cursor' | 'limit'>,
  format: 'csv' | 'jsonl',
): AsyncGenerator<string> {
  if (format === 'csv') yield `${CSV_COLUMNS.join(',')}\r\n`;
  let cursor: string | undefined;
  do {
    const page = await listAudit(db, tenantId, { ...filter, limit: 500, cursor });
    for (const event of page.events) yield format === 'csv' ? csvRow(event) : `${JSON.stringify(event)}\n`;
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
}
