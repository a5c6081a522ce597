import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { listAudit } from '../../src/audit/index.ts';
import { type Db, openDatabase } from '../../src/db/index.ts';
import { AppError } from '../../src/errors/index.ts';
import { type ApiTokenService, createApiTokenService } from '../../src/identity/index.ts';

const admin = { type: 'user' as const, id: 'admin-oid', name: 'Tenant Admin' };
const code = (c: string) => (e: unknown) => e instanceof AppError && e.code === c;

describe('API tokens', () => {
  let dir: string;
  let db: Db;
  let clock = Date.now();
  let tokens: ApiTokenService;
  const [acme, globex] = [randomUUID(), randomUUID()];

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'trellis-tokens-'));
    db = await openDatabase({ url: undefined, dataDir: dir });
    await db.migrate();
    await db.withPlatform((tx) =>
      tx
        .insertInto('tenants')
        .values([
          { tenant_id: acme, slug: 'acme', display_name: 'Acme', entra_tenant_id: null },
          { tenant_id: globex, slug: 'globex', display_name: 'Globex', entra_tenant_id: null },
        ])
        .execute(),
    );
    tokens = createApiTokenService({ db, now: () => clock });
  });
  after(async () => {
    await db.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('a created token authenticates to its tenant with its scopes; only its hash is stored', async () => {
    const created = await tokens.create(acme, {
      name: 'CI deploy',
      scopes: ['catalog:read', 'templates:write'],
      actor: admin,
    });
    assert.match(created.token, /^trl_/);
    assert.equal(created.status, 'active');
    const caller = await tokens.authenticate(created.token, 'templates:write');
    assert.deepEqual(caller, {
      tenantId: acme,
      tokenId: created.tokenId,
      scopes: ['catalog:read', 'templates:write'],
    });
    const { rows } = await db.withPlatform((tx) =>
      sql<{ dump: string }>`select row_to_json(t)::text as dump from api_tokens t`.execute(tx),
    );
    assert.ok(rows.length > 0);
    assert.ok(
      rows.every((r) => !r.dump.includes(created.token.slice(4))),
      'the token itself is never stored',
    );
  });

  test('scope enforcement: a token without the scope is forbidden', async () => {
    const created = await tokens.create(acme, { name: 'reader', scopes: ['catalog:read'], actor: admin });
    await assert.rejects(tokens.authenticate(created.token, 'requests:write'), code('forbidden'));
  });

  test('malformed, unknown, revoked and expired tokens are refused', async () => {
    await assert.rejects(tokens.authenticate('trl_nope'), code('unauthorized'));
    const forged = `trl_${'A'.repeat(36)}`;
    await assert.rejects(tokens.authenticate(forged), code('unauthorized'));
    const created = await tokens.create(acme, {
      name: 'short-lived',
      scopes: ['audit:read'],
      expiresInDays: 1,
      actor: admin,
    });
    await tokens.authenticate(created.token);
    const revoked = await tokens.create(acme, { name: 'to revoke', scopes: ['audit:read'], actor: admin });
    const info = await tokens.revoke(acme, revoked.tokenId, admin);
    assert.equal(info.status, 'revoked');
    await assert.rejects(tokens.authenticate(revoked.token), code('unauthorized'));
    assert.equal(
      (await tokens.revoke(acme, revoked.tokenId, admin)).revokedAt,
      info.revokedAt,
      'revoking twice is harmless',
    );
    clock += 2 * 86_400_000;
    await assert.rejects(tokens.authenticate(created.token), /expired/);
    assert.equal((await tokens.list(acme)).find((t) => t.tokenId === created.tokenId)?.status, 'expired');
  });

  test('bad input is a typed validation error and creates nothing', async () => {
    const before = (await tokens.list(acme)).length;
    await assert.rejects(
      tokens.create(acme, { name: 'x', scopes: ['root'], actor: admin }),
      code('validation_failed'),
    );
    await assert.rejects(
      tokens.create(acme, { name: 'x', scopes: [], actor: admin }),
      code('validation_failed'),
    );
    await assert.rejects(
      tokens.create(acme, { name: ' ', scopes: ['audit:read'], actor: admin }),
      code('validation_failed'),
    );
    await assert.rejects(
      tokens.create(acme, { name: 'forever', scopes: ['audit:read'], expiresInDays: 10_000, actor: admin }),
      code('validation_failed'),
    );
    assert.equal((await tokens.list(acme)).length, before);
  });

  test('listing shows hints, never tokens; another tenant sees none of them and cannot revoke them', async () => {
    const created = await tokens.create(acme, { name: 'listed', scopes: ['catalog:read'], actor: admin });
    const listed = await tokens.list(acme);
    const mine = listed.find((t) => t.tokenId === created.tokenId);
    assert.equal(mine?.hint, `${created.token.slice(0, 8)}…${created.token.slice(-4)}`);
    assert.ok(!JSON.stringify(listed).includes(created.token));
    assert.deepEqual(await tokens.list(globex), []);
    await assert.rejects(tokens.revoke(globex, created.tokenId, admin), code('not_found'));
    await tokens.authenticate(created.token);
  });

  test('last use is recorded at most once a minute; creation and revocation are audited', async () => {
    const created = await tokens.create(acme, { name: 'used', scopes: ['catalog:read'], actor: admin });
    await tokens.authenticate(created.token);
    const first = (await tokens.list(acme)).find((t) => t.tokenId === created.tokenId)?.lastUsedAt;
    assert.ok(first);
    clock += 10_000;
    await tokens.authenticate(created.token);
    assert.equal((await tokens.list(acme)).find((t) => t.tokenId === created.tokenId)?.lastUsedAt, first);
    clock += 60_000;
    await tokens.authenticate(created.token);
    assert.notEqual((await tokens.list(acme)).find((t) => t.tokenId === created.tokenId)?.lastUsedAt, first);
    await tokens.revoke(acme, created.tokenId, admin);
    const trail = await listAudit(db, acme, { targetId: created.tokenId });
    assert.deepEqual(
      trail.events.map((e) => e.action),
      ['token.revoked', 'token.created'],
    );
    assert.ok(!JSON.stringify(trail).includes(created.token), 'the audit trail never holds the token');
  });
});
