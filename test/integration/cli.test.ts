import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { RATE_LIMIT_TIER_SETTING } from '../../src/api/rate-limit-tiers.ts';
import { certificateCheck } from '../../src/cli/doctor/run-checks.ts';
import { openDatabase } from '../../src/db/index.ts';
import { loadConfig } from '../../src/config.ts';
import { ensureLocalCertificate } from '../../src/server/index.ts';

const root = path.resolve(import.meta.dirname, '..', '..');
const bin = path.join(root, 'bin', 'trellis.js');
const dataDir = await mkdtemp(path.join(tmpdir(), 'trellis-cli-'));
after(() => rm(dataDir, { recursive: true, force: true }));

function trellis(args: string[], env: Record<string, string> = {}, node = process.execPath) {
  return spawnSync(node, [bin, ...args], {
    env: { PATH: process.env.PATH, DATA_DIR: dataDir, ENV_FILE: '', ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
}

describe('trellis CLI', () => {
  test('version', () => {
    const r = trellis(['version', '--json']);
    assert.equal(r.status, 0, r.stderr);
    const info = JSON.parse(r.stdout) as { trellis: string; node: string };
    assert.match(info.trellis, /^\d+\.\d+\.\d+/);
    assert.match(info.node, /^24\./);
  });

  test('an older system Node re-runs the CLI on the pinned Node 24', (t) => {
    const found = spawnSync('sh', ['-c', 'PATH=/usr/local/bin:/usr/bin:/bin command -v node'], {
      encoding: 'utf8',
    }).stdout.trim();
    if (!found) return t.skip('no system node on this machine');
    const systemMajor = Number(
      execFileSync(found, ['-p', 'process.versions.node.split(".")[0]'], { encoding: 'utf8' }).trim(),
    );
    const r = trellis(['version', '--json'], {}, found);
    assert.equal(r.status, 0, r.stderr);
    assert.match((JSON.parse(r.stdout) as { node: string }).node, /^24\./, `launched by node ${systemMajor}`);
  });

  test('db migrate applies, then is a no-op', () => {
    const first = trellis(['db', 'migrate']);
    assert.equal(first.status, 0, first.stderr);
    assert.match(first.stdout, /Applied \d+ migration\(s\): 0001_tenants/);
    const second = trellis(['db', 'migrate']);
    assert.equal(second.status, 0, second.stderr);
    assert.match(second.stdout, /up to date/);
  });

  test('doctor prints one verdict per check and exits 0 when healthy', () => {
    const r = trellis(['doctor']);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    for (const check of ['configuration', 'database', 'cache', 'blob store', 'key provider', 'certificate']) {
      assert.match(r.stdout, new RegExp(`│ ${check}\\s+│ OK`), check);
    }
    assert.match(r.stdout, /all checks passed/);
  });

  test('doctor exits non-zero and says which check failed', () => {
    const r = trellis(['doctor', '--json'], { REDIS_URL: 'redis://127.0.0.1:1' });
    assert.equal(r.status, 1);
    const lines = JSON.parse(r.stdout) as { check: string; verdict: string; detail: string }[];
    assert.equal(lines.find((l) => l.check === 'cache')?.verdict, 'fail');
    assert.equal(lines.find((l) => l.check === 'database')?.verdict, 'ok');
  });

  test('bad configuration: one line naming the variable, exit 2', () => {
    const r = trellis(['doctor'], { BLOB_BACKEND: 'azure' });
    assert.equal(r.status, 2);
    assert.equal(
      r.stderr.trim(),
      'trellis: AZURE_STORAGE_CONNECTION_STRING: is required with BLOB_BACKEND=azure',
    );
  });

  test('keys rotate then rewrap', () => {
    const rotate = trellis(['keys', 'rotate']);
    assert.equal(rotate.status, 0, rotate.stderr);
    assert.match(rotate.stdout, /local-1 -> local-2/);
    const rewrap = trellis(['keys', 'rewrap']);
    assert.equal(rewrap.status, 0, rewrap.stderr);
    assert.match(rewrap.stdout, /Re-wrapped \d+ secret\(s\) onto local-2/);
  });
});

describe('doctor certificate verdicts', () => {
  test('valid, expiring soon and expired certificates', async () => {
    await ensureLocalCertificate(path.join(dataDir, 'tls'), ['localhost']);
    const config = loadConfig({ DATA_DIR: dataDir });
    const day = 86_400_000;
    assert.equal((await certificateCheck(config)).verdict, 'ok');
    assert.equal((await certificateCheck(config, Date.now() + 75 * day)).verdict, 'warn');
    assert.equal((await certificateCheck(config, Date.now() + 100 * day)).verdict, 'fail');
  });
});

describe('trellis tenant and token', () => {
  test('create a tenant, create a token (shown once), list it by hint, revoke it', () => {
    const tenant = trellis(['tenant', 'create', 'acme-cli', 'Acme (CLI)']);
    assert.equal(tenant.status, 0, tenant.stderr);
    assert.equal(
      trellis(['tenant', 'create', 'acme-cli', 'Again']).status,
      1,
      'a duplicate slug is a conflict',
    );
    const tenants = JSON.parse(trellis(['tenant', 'list', '--json']).stdout) as { slug: string }[];
    assert.ok(tenants.some((t) => t.slug === 'acme-cli'));

    const created = trellis([
      'token',
      'create',
      '--tenant',
      'acme-cli',
      '--name',
      'CI',
      '--scopes',
      'catalog:read,audit:read',
      '--json',
    ]);
    assert.equal(created.status, 0, created.stderr);
    const token = JSON.parse(created.stdout) as { token: string; tokenId: string; hint: string };
    assert.match(token.token, /^trl_[0-9A-Za-z]{36}$/);

    const listed = trellis(['token', 'list', '--tenant', 'acme-cli']);
    assert.equal(listed.status, 0, listed.stderr);
    assert.ok(listed.stdout.includes(token.hint));
    assert.ok(!listed.stdout.includes(token.token), 'the token is never shown again');

    const revoked = trellis(['token', 'revoke', '--tenant', 'acme-cli', token.tokenId]);
    assert.equal(revoked.status, 0, revoked.stderr);
    const after = JSON.parse(trellis(['token', 'list', '--tenant', 'acme-cli', '--json']).stdout) as {
      status: string;
    }[];
    assert.deepEqual(
      after.map((t) => t.status),
      ['revoked'],
    );
  });

  test('a platform admin sets a tenant’s rate-limit tier; an unknown tier exits 2', async () => {
    const set = trellis(['tenant', 'set-tier', 'acme-cli', 'enterprise']);
    assert.equal(set.status, 0, set.stderr);
    assert.match(set.stdout, /enterprise tier/);
    assert.equal(trellis(['tenant', 'set-tier', 'acme-cli', 'platinum']).status, 2);
    // The CLI has exited: the embedded database is free to read what it stored.
    const db = await openDatabase({ url: undefined, dataDir });
    try {
      const rows = await db.withPlatform((tx) =>
        tx
          .selectFrom('tenant_settings')
          .innerJoin('tenants', 'tenants.tenant_id', 'tenant_settings.tenant_id')
          .select(['tenant_settings.value'])
          .where('tenants.slug', '=', 'acme-cli')
          .where('tenant_settings.key', '=', RATE_LIMIT_TIER_SETTING)
          .execute(),
      );
      assert.deepEqual(
        rows.map((r) => r.value),
        ['enterprise'],
      );
    } finally {
      await db.close();
    }
  });

  test('bad input: unknown scope exits 2, unknown tenant exits 1', () => {
    const scope = trellis([
      'token',
      'create',
      '--tenant',
      'acme-cli',
      '--name',
      'x',
      '--scopes',
      'everything',
    ]);
    assert.equal(scope.status, 2);
    assert.match(scope.stderr, /Unknown scope\(s\): everything/);
    const tenant = trellis(['token', 'list', '--tenant', 'nope']);
    assert.equal(tenant.status, 1);
    assert.match(tenant.stderr, /Tenant "nope" not found/);
  });
});
