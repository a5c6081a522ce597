import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { sql } from 'kysely';
import type { Envelope, EnvelopeCipher } from '../crypto/index.ts';
import type { Db } from '../db/index.ts';
import { AppError, ErrorCode, errors } from '../errors/index.ts';
import type { Logger } from '../telemetry/index.ts';
import { callerOf } from './request-context.ts';

/** Keys are kept (and replayed) this long, then pruned. */
export const IDEMPOTENCY_TTL_MS = 24 * 3600_000;
/** How long a repeated request waits for the first one to finish before a 409. */
export const IN_FLIGHT_WAIT_MS = 10_000;
/** An in-flight record older than this belongs to a crashed process: the key may be used again. */
const ABANDONED_AFTER_MS = 5 * 60_000;
const POLL_MS = 25;
const PRUNE_EVERY_MS = 10 * 60_000;
const MAX_KEY_LENGTH = 255;
/** Printable ASCII, as Stripe and the IETF draft expect (a UUID, usually). */
const KEY = /^[\x21-\x7e]{1,255}$/;
/** Response headers replayed with the body; anything else is recomputed (rate limits, request id). */
const REPLAYED_HEADERS = ['content-type', 'location', 'etag', 'retry-after'] as const;

export const IDEMPOTENT_REPLAYED = 'idempotent-replayed';

interface Claim {
  tenantId: string;
  keyHash: string;
}

const CLAIM = Symbol('trellis.idempotencyClaim');
type WithClaim = FastifyRequest & { [CLAIM]?: Claim };

/** JSON with object keys sorted, so `{"a":1,"b":2}` and `{"b":2,"a":1}` are the same request. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

function reused(): AppError {
  // 422, as Stripe and the IETF Idempotency-Key draft answer.
  return new AppError(
    ErrorCode.IdempotencyKeyReused,
    'This Idempotency-Key was already used with a different request; use a new key for a new request',
  );
}

/**
 * `Idempotency-Key` on routes with `config.idempotent` (Stripe's semantics): the first response
 * for a key (status, Location/ETag, body, 5xx included) is stored in the tenant and replayed with
 * `Idempotent-Replayed: true`; the same key with another request is refused (422); a repeat that
 * arrives while the first is running waits for it, up to 10 s, then 409. Keys are scoped to the
 * tenant, caller, method and route, and expire after 24 h. Installed as a preHandler, after
 * schema validation (a request that fails validation stores nothing) and after rate limits.
 */
export function installIdempotency(
  api: FastifyInstance,
  deps: { db: Db; log: Logger; cipher: EnvelopeCipher; now?: () => number },
): void {
  const { db, log, cipher } = deps;
  // Stored answers can hold secrets shown once (a new API token, a webhook signing secret): they
  // are kept envelope-encrypted, bound to the tenant and the key.
  const context = (tenantId: string, keyHash: string) => ({
    tenantId,
    recordType: 'idempotency',
    recordId: keyHash,
  });
  const seal = async (tenantId: string, keyHash: string, body: string) =>
    JSON.stringify(await cipher.encrypt(context(tenantId, keyHash), body));
  const open = async (tenantId: string, keyHash: string, stored: string | null) =>
    stored
      ? (await cipher.decrypt(context(tenantId, keyHash), JSON.parse(stored) as Envelope)).toString('utf8')
      : '';
  const now = deps.now ?? Date.now;
  let lastPrune = 0;

  const prune = () => {
    const t = now();
    if (t - lastPrune < PRUNE_EVERY_MS) return;
    lastPrune = t;
    // Platform scope: expired keys of every tenant, in one statement.
    db.withPlatform((tx) =>
      tx.deleteFrom('idempotency_keys').where('expires_at', '<', new Date(t)).execute(),
    ).catch((error: unknown) => log.warn({ err: error }, 'pruning idempotency keys failed'));
  };

  api.addHook('preHandler', async (request: WithClaim, reply: FastifyReply) => {
    if (!request.routeOptions.config.idempotent) return;
    const header = request.headers['idempotency-key'];
    if (header === undefined) return;
    const key = Array.isArray(header) ? header[0] : header;
    if (typeof key !== 'string' || !KEY.test(key)) {
      throw errors.validation(`Idempotency-Key must be 1 to ${MAX_KEY_LENGTH} printable ASCII characters`, {
        idempotencyKey: 'malformed',
      });
    }
    prune();
    const caller = callerOf(request);
    const keyHash = sha256(
      [caller.kind, caller.id, request.method, request.routeOptions.url ?? '', key].join('\n'),
    );
    const requestHash = sha256(
      canonicalJson({
        params: request.params ?? null,
        query: request.query ?? null,
        body: request.body ?? null,
      }),
    );
    const tenantId = caller.tenantId;
    const deadline = now() + IN_FLIGHT_WAIT_MS;

    for (;;) {
      const t = now();
      const claimed = await db.withTenant(tenantId, (tx) =>
        tx
          .insertInto('idempotency_keys')
          .values({
            tenant_id: tenantId,
            key_hash: keyHash,
            request_hash: requestHash,
            status: 'in_flight',
            created_at: new Date(t),
            expires_at: new Date(t + IDEMPOTENCY_TTL_MS),
          })
          // An expired key, or one abandoned by a crashed request, is free again.
          .onConflict((oc) =>
            oc
              .columns(['tenant_id', 'key_hash'])
              .doUpdateSet({
                request_hash: requestHash,
                status: 'in_flight',
                response_status: null,
                response_headers: null,
                response_body: null,
                created_at: new Date(t),
                completed_at: null,
                expires_at: new Date(t + IDEMPOTENCY_TTL_MS),
              })
              .where((eb) =>
                eb.or([
                  eb('idempotency_keys.expires_at', '<=', new Date(t)),
                  eb.and([
                    eb('idempotency_keys.status', '=', 'in_flight'),
                    eb('idempotency_keys.created_at', '<', sql<Date>`${new Date(t - ABANDONED_AFTER_MS)}`),
                  ]),
                ]),
              ),
          )
          .returning('key_hash')
          .executeTakeFirst(),
      );
      if (claimed) {
        request[CLAIM] = { tenantId, keyHash };
        return;
      }
      const existing = await db.withTenant(tenantId, (tx) =>
        tx.selectFrom('idempotency_keys').selectAll().where('key_hash', '=', keyHash).executeTakeFirst(),
      );
      if (!existing) continue;
      if (existing.request_hash !== requestHash) throw reused();
      if (existing.status === 'completed' && existing.response_status !== null) {
        for (const [name, value] of Object.entries(existing.response_headers ?? {}))
          reply.header(name, value);
        return reply
          .code(existing.response_status)
          .header(IDEMPOTENT_REPLAYED, 'true')
          .send(await open(tenantId, keyHash, existing.response_body));
      }
      if (now() >= deadline) {
        throw errors.conflict('A request with this Idempotency-Key is still being processed; retry later');
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  });

  // The response is stored before it leaves, so a repeat never sees the key without its answer.
  api.addHook('onSend', async (request: WithClaim, reply, payload) => {
    const claim = request[CLAIM];
    if (!claim) return payload;
    request[CLAIM] = undefined;
    if (
      payload !== null &&
      payload !== undefined &&
      typeof payload !== 'string' &&
      !Buffer.isBuffer(payload)
    ) {
      // A streamed response cannot be replayed: free the key instead of storing half an answer.
      await release(claim);
      return payload;
    }
    const headers: Record<string, string> = {};
    for (const name of REPLAYED_HEADERS) {
      const value = reply.getHeader(name);
      if (value !== undefined) headers[name] = String(value);
    }
    const body = await seal(
      claim.tenantId,
      claim.keyHash,
      payload === null || payload === undefined ? '' : payload.toString(),
    );
    await db.withTenant(claim.tenantId, (tx) =>
      tx
        .updateTable('idempotency_keys')
        .set({
          status: 'completed',
          response_status: reply.statusCode,
          response_headers: JSON.stringify(headers),
          response_body: body,
          completed_at: new Date(now()),
        })
        .where('key_hash', '=', claim.keyHash)
        .execute(),
    );
    return payload;
  });

  // A request that ended without a response (client gone, hook failure) must not hold its key.
  api.addHook('onResponse', async (request: WithClaim) => {
    const claim = request[CLAIM];
    if (claim) await release(claim);
  });

  async function release(claim: Claim): Promise<void> {
    await db
      .withTenant(claim.tenantId, (tx) =>
        tx
          .deleteFrom('idempotency_keys')
          .where('key_hash', '=', claim.keyHash)
          .where('status', '=', 'in_flight')
          .execute(),
      )
      .catch((error: unknown) => log.warn({ err: error }, 'releasing an idempotency key failed'));
  }
}
