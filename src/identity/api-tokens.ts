import { randomUUID } from 'node:crypto';
import { type AuditActor, type AuditSource, recordAudit } from '../audit/index.ts';
import type { Db } from '../db/index.ts';
import { AppError, ErrorCode, errors } from '../errors/index.ts';
import { apiTokenHint, generateApiToken, hashApiToken, isWellFormedApiToken } from './api-token-format.ts';

/** Least privilege: a token carries only the scopes it was created with. */
export const API_TOKEN_SCOPES = [
  'catalog:read',
  'templates:write',
  'requests:read',
  'requests:write',
  'approvals:write',
  'webhooks:manage',
  'audit:read',
  'tokens:manage',
  'roles:manage',
  'provisioning:manage',
] as const;
export type ApiTokenScope = (typeof API_TOKEN_SCOPES)[number];

export const DEFAULT_TOKEN_DAYS = 90;
export const MAX_TOKEN_DAYS = 366;
/** last_used_at is written at most this often per token, so authentication stays a read. */
const LAST_USED_RESOLUTION_MS = 60_000;

export interface ApiTokenInfo {
  tokenId: string;
  name: string;
  hint: string;
  scopes: string[];
  createdBy: string;
  createdAt: string;
  expiresAt: string;
  revokedAt: string | null;
  lastUsedAt: string | null;
  status: 'active' | 'expired' | 'revoked';
}

export interface CreatedApiToken extends ApiTokenInfo {
  /** Shown once, never stored. */
  token: string;
}

export interface ApiTokenCaller {
  tenantId: string;
  tokenId: string;
  scopes: string[];
}

export interface ApiTokenService {
  create(
    tenantId: string,
    input: {
      name: string;
      scopes: readonly string[];
      expiresInDays?: number;
      actor: AuditActor;
      source?: AuditSource;
    },
  ): Promise<CreatedApiToken>;
  list(tenantId: string): Promise<ApiTokenInfo[]>;
  /** Newest first, keyset-paginated after the given position (creation time and id of the last item). */
  listPage(
    tenantId: string,
    page: { after?: { createdAt: string; tokenId: string } | undefined; limit: number },
  ): Promise<ApiTokenInfo[]>;
  /** @throws AppError(not_found) */
  get(tenantId: string, tokenId: string): Promise<ApiTokenInfo>;
  /** Idempotent: revoking a revoked token changes nothing. @throws AppError(not_found) */
  revoke(tenantId: string, tokenId: string, actor: AuditActor, source?: AuditSource): Promise<ApiTokenInfo>;
  /**
   * Authenticates a presented token.
   * @throws AppError(unauthorized) malformed, unknown, revoked or expired; AppError(forbidden) missing scope.
   */
  authenticate(token: string, requiredScope?: ApiTokenScope): Promise<ApiTokenCaller>;
}

/** What listings show: everything but the hash. */
const INFO_COLUMNS = [
  'token_id',
  'name',
  'display_hint',
  'scopes',
  'created_by',
  'created_at',
  'expires_at',
  'revoked_at',
  'last_used_at',
] as const;

interface Row {
  token_id: string;
  name: string;
  display_hint: string;
  scopes: string[];
  created_by: string;
  created_at: Date;
  expires_at: Date;
  revoked_at: Date | null;
  last_used_at: Date | null;
}

function info(row: Row, now: number): ApiTokenInfo {
  const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);
  return {
    tokenId: row.token_id,
    name: row.name,
    hint: row.display_hint,
    scopes: row.scopes,
    createdBy: row.created_by,
    createdAt: new Date(row.created_at).toISOString(),
    expiresAt: new Date(row.expires_at).toISOString(),
    revokedAt: iso(row.revoked_at),
    lastUsedAt: iso(row.last_used_at),
    status: row.revoked_at ? 'revoked' : new Date(row.expires_at).getTime() <= now ? 'expired' : 'active',
  };
}

/** API tokens: created and revoked by admins (audited), stored only as SHA-256 hashes. */
export function createApiTokenService(deps: { db: Db; now?: () => number }): ApiTokenService {
  const { db } = deps;
  const now = deps.now ?? Date.now;

  return {
    async create(tenantId, input) {
      const name = input.name.trim();
      if (!name || name.length > 100) throw errors.validation('Token name must be 1 to 100 characters');
      const scopes = [...new Set(input.scopes)];
      const unknown = scopes.filter((s) => !(API_TOKEN_SCOPES as readonly string[]).includes(s));
      if (scopes.length === 0 || unknown.length > 0) {
        throw errors.validation(
          unknown.length ? `Unknown scope(s): ${unknown.join(', ')}` : 'A token needs at least one scope',
          { allowed: [...API_TOKEN_SCOPES] },
        );
      }
      const days = input.expiresInDays ?? DEFAULT_TOKEN_DAYS;
      if (!Number.isInteger(days) || days < 1 || days > MAX_TOKEN_DAYS) {
        throw errors.validation(`Tokens expire after 1 to ${MAX_TOKEN_DAYS} days`);
      }
      const token = generateApiToken();
      const createdAt = new Date(now());
      const row = await db.withTenant(tenantId, async (tx) => {
        const inserted = await tx
          .insertInto('api_tokens')
          .values({
            tenant_id: tenantId,
            token_id: randomUUID(),
            name,
            token_hash: hashApiToken(token),
            display_hint: apiTokenHint(token),
            scopes,
            created_by: input.actor.id,
            created_at: createdAt,
            expires_at: new Date(createdAt.getTime() + days * 86_400_000),
          })
          .returning(INFO_COLUMNS)
          .executeTakeFirstOrThrow();
        await recordAudit(tx, tenantId, {
          actor: input.actor,
          action: 'token.created',
          target: { type: 'api_token', id: inserted.token_id },
          after: { name, scopes, expiresAt: inserted.expires_at, hint: inserted.display_hint },
          source: input.source,
        });
        return inserted;
      });
      return { ...info(row, now()), token };
    },

    async list(tenantId) {
      const rows = await db.withTenant(tenantId, (tx) =>
        tx.selectFrom('api_tokens').select(INFO_COLUMNS).orderBy('created_at', 'desc').execute(),
      );
      const t = now();
      return rows.map((r) => info(r, t));
    },

    async listPage(tenantId, page) {
      const rows = await db.withTenant(tenantId, (tx) => {
        let q = tx.selectFrom('api_tokens').select(INFO_COLUMNS);
        const after = page.after;
        if (after) {
          const at = new Date(after.createdAt);
          q = q.where((eb) =>
            eb.or([
              eb('created_at', '<', at),
              eb.and([eb('created_at', '=', at), eb('token_id', '<', after.tokenId)]),
            ]),
          );
        }
        return q.orderBy('created_at', 'desc').orderBy('token_id', 'desc').limit(page.limit).execute();
      });
      const t = now();
      return rows.map((r) => info(r, t));
    },

    async get(tenantId, tokenId) {
      if (!/^[0-9a-f-]{36}$/i.test(tokenId)) throw errors.notFound('API token');
      const row = await db.withTenant(tenantId, (tx) =>
        tx.selectFrom('api_tokens').select(INFO_COLUMNS).where('token_id', '=', tokenId).executeTakeFirst(),
      );
      if (!row) throw errors.notFound('API token');
      return info(row, now());
    },

    async revoke(tenantId, tokenId, actor, source) {
      if (!/^[0-9a-f-]{36}$/i.test(tokenId)) throw errors.notFound('API token');
      const row = await db.withTenant(tenantId, async (tx) => {
        const current = await tx
          .selectFrom('api_tokens')
          .selectAll()
          .where('token_id', '=', tokenId)
          .forUpdate()
          .executeTakeFirst();
        if (!current) throw errors.notFound('API token');
        if (current.revoked_at) return current;
        const updated = await tx
          .updateTable('api_tokens')
          .set({ revoked_at: new Date(now()) })
          .where('token_id', '=', tokenId)
          .returningAll()
          .executeTakeFirstOrThrow();
        await recordAudit(tx, tenantId, {
          actor,
          action: 'token.revoked',
          target: { type: 'api_token', id: tokenId },
          before: { revokedAt: null },
          after: { revokedAt: updated.revoked_at },
          source,
        });
        return updated;
      });
      return info(row, now());
    },

    async authenticate(token, requiredScope) {
      if (!isWellFormedApiToken(token)) throw errors.unauthorized('Not a Trellis API token');
      const hash = hashApiToken(token);
      // Platform scope: the tenant is what this look-up finds out.
      const row = await db.withPlatform((tx) =>
        tx
          .selectFrom('api_tokens')
          .innerJoin('tenants', 'tenants.tenant_id', 'api_tokens.tenant_id')
          .select([
            'api_tokens.tenant_id',
            'api_tokens.token_id',
            'api_tokens.scopes',
            'api_tokens.expires_at',
            'api_tokens.revoked_at',
            'api_tokens.last_used_at',
            'tenants.status as tenant_status',
          ])
          .where('api_tokens.token_hash', '=', hash)
          .executeTakeFirst(),
      );
      const t = now();
      if (!row) throw errors.unauthorized('Unknown API token');
      if (row.tenant_status === 'suspended') throw errors.forbidden('This Trellis tenant is suspended');
      if (row.revoked_at) throw errors.unauthorized('This API token was revoked');
      if (new Date(row.expires_at).getTime() <= t) throw errors.unauthorized('This API token has expired');
      if (requiredScope && !row.scopes.includes(requiredScope)) {
        throw new AppError(ErrorCode.Forbidden, `This API token lacks the ${requiredScope} scope`);
      }
      if (!row.last_used_at || t - new Date(row.last_used_at).getTime() >= LAST_USED_RESOLUTION_MS) {
        await db.withTenant(row.tenant_id, (tx) =>
          tx
            .updateTable('api_tokens')
            .set({ last_used_at: new Date(t) })
            .where('token_id', '=', row.token_id)
            .execute(),
        );
      }
      return { tenantId: row.tenant_id, tokenId: row.token_id, scopes: row.scopes };
    },
  };
}
