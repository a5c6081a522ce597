import { GraphError, graphPath } from '../../graph/index.ts';
import type { GraphRequestOptions } from '../../graph/index.ts';
import type { RecordedObject, StepContext, StepRetryPolicy } from '../step-types.ts';

export const GRAPH_ROOT = 'https://graph.microsoft.com/v1.0';

/** Steps retry transient failures a few times; Graph's own retries happen inside each call. */
export const DEFAULT_RETRY: StepRetryPolicy = { maxAttempts: 6, baseDelayMs: 2_000, maxDelayMs: 60_000 };

/** `users('{id}')` bind as Graph wants it in member lists. */
export const userBind = (id: string): string => `${GRAPH_ROOT}/users('${id}')`;
export const appBind = (id: string): string =>
  `${GRAPH_ROOT}/appCatalogs/teamsApps/${encodeURIComponent(id)}`;

/** Graph calls of provisioning get a longer budget than interactive reads: a job can wait. */
export const STEP_CALL: Pick<GraphRequestOptions, 'retry'> = {
  retry: { maxTotalMs: 120_000, maxAttempts: 8 },
};

export function isNotFound(error: unknown): boolean {
  return error instanceof GraphError && error.status === 404;
}

export function isConflict(error: unknown): boolean {
  return error instanceof GraphError && error.status === 409;
}

/**
 * The id under `key`: the recorded one, else what `find` sees in Graph (a write from a run that crashed
 * before recording), else what `create` makes — with `find` as its look-before-resend hook.
 */
export async function ensureObject<T extends { id: string }>(
  ctx: StepContext,
  key: string,
  kind: string,
  find: () => Promise<T | undefined>,
  create: (findExisting: () => Promise<T | undefined>) => Promise<T>,
  data?: (found: T) => Record<string, unknown> | null,
): Promise<{ id: string; created: boolean; object: RecordedObject }> {
  const recorded = ctx.object(key);
  if (recorded) return { id: recorded.graphId, created: false, object: recorded };
  const found = await find();
  let created: T | undefined;
  if (!found) {
    try {
      created = await create(find);
    } catch (error) {
      // 409: it exists after all (an attempt whose answer was lost, seen by Graph only now).
      const late = isConflict(error) ? await find() : undefined;
      if (!late) throw error;
      const object: RecordedObject = { key, kind, graphId: late.id, data: data ? data(late) : null };
      await ctx.record(object);
      return { id: late.id, created: false, object };
    }
  }
  const item = (found ?? created) as T;
  const object: RecordedObject = { key, kind, graphId: item.id, data: data ? data(item) : null };
  await ctx.record(object);
  return { id: item.id, created: !found, object };
}

/** Channel path segment: ids such as `19:…@thread.tacv2` go in one segment. */
export const channelPath = (teamId: string, channelId: string, tail = ''): string =>
  `${graphPath`/teams/${teamId}/channels/${channelId}`}${tail}`;

/** Case-insensitive name match, as Teams and SharePoint compare names. */
export const sameName = (a: string | null | undefined, b: string): boolean =>
  (a ?? '').localeCompare(b, undefined, { sensitivity: 'accent' }) === 0;

/** Runs `fn` over `items` with at most `limit` at once (the tenant limiter bounds Graph in flight anyway). */
export async function eachLimited<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      await fn(items[index] as T, index);
    }
  });
  await Promise.all(workers);
}
