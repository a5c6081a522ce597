import { SpanKind } from '@opentelemetry/api';
import {
  ATTR_DB_COLLECTION_NAME,
  ATTR_DB_OPERATION_NAME,
  ATTR_DB_QUERY_SUMMARY,
  ATTR_DB_RESPONSE_STATUS_CODE,
  ATTR_DB_SYSTEM_NAME,
  DB_SYSTEM_NAME_VALUE_POSTGRESQL,
} from '@opentelemetry/semantic-conventions';
import { recordFailure, recordingSpan, tracer } from './tracing.ts';

const OPERATION = /^\s*(?:\/\*[\s\S]*?\*\/\s*)?([a-z]+)/i;
const IDENT = String.raw`((?:"[^"]+"|[a-z_][a-z0-9_$]*)(?:\.(?:"[^"]+"|[a-z_][a-z0-9_$]*))?)`;
const TARGET: Record<string, RegExp> = {
  SELECT: new RegExp(String.raw`\bfrom\s+${IDENT}`, 'i'),
  DELETE: new RegExp(String.raw`\bfrom\s+${IDENT}`, 'i'),
  INSERT: new RegExp(String.raw`\binto\s+${IDENT}`, 'i'),
  UPDATE: new RegExp(String.raw`^\s*update\s+${IDENT}`, 'i'),
};

/**
 * The operation and main table of a statement (`SELECT requests`), never its text: no values, no
 * literals, whatever a query embeds.
 */
export function summarizeSql(text: string): {
  operation: string;
  table: string | undefined;
  summary: string;
} {
  const operation = (OPERATION.exec(text)?.[1] ?? 'QUERY').toUpperCase();
  const table = TARGET[operation]?.exec(text)?.[1]?.replaceAll('"', '');
  return { operation, table, summary: table ? `${operation} ${table}` : operation };
}

/** SQLSTATE of a database error (`23505` …), when it has one. */
function sqlStateOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/**
 * Records a finished query as a CLIENT span of the active span, back-dated by its duration. Queries
 * outside a sampled trace (pg-boss polling, sweeps between jobs) record nothing: they would be
 * thousands of one-span traces.
 */
export function recordQuery(text: string, durationMs: number, error?: unknown): void {
  const parent = recordingSpan();
  if (!parent) return;
  const { operation, table, summary } = summarizeSql(text);
  const end = Date.now();
  const span = tracer().startSpan(summary, {
    kind: SpanKind.CLIENT,
    startTime: end - durationMs,
    attributes: {
      [ATTR_DB_SYSTEM_NAME]: DB_SYSTEM_NAME_VALUE_POSTGRESQL,
      [ATTR_DB_OPERATION_NAME]: operation,
      [ATTR_DB_QUERY_SUMMARY]: summary,
      ...(table ? { [ATTR_DB_COLLECTION_NAME]: table } : {}),
    },
  });
  if (error !== undefined) {
    recordFailure(span, error);
    const state = sqlStateOf(error);
    if (state) span.setAttribute(ATTR_DB_RESPONSE_STATUS_CODE, state);
  }
  span.end(end);
}

/** Kysely's `log` option: every query it runs, as a span (see `recordQuery`). */
export function kyselyQueryLog(
  event:
    | { level: 'query'; query: { sql: string }; queryDurationMillis: number }
    | { level: 'error'; query: { sql: string }; queryDurationMillis: number; error: unknown },
): void {
  recordQuery(event.query.sql, event.queryDurationMillis, event.level === 'error' ? event.error : undefined);
}

/** Runs a raw statement (the job queue's) and records it like Kysely's. */
export async function traceRawQuery<T>(text: string, run: () => Promise<T>): Promise<T> {
  if (!recordingSpan()) return run();
  const started = performance.now();
  try {
    const result = await run();
    recordQuery(text, performance.now() - started);
    return result;
  } catch (error) {
    recordQuery(text, performance.now() - started, error);
    throw error;
  }
}
