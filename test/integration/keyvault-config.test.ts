import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { startTestSandbox, type TestSandbox } from '../helpers/sandbox.ts';

const root = path.resolve(import.meta.dirname, '..', '..');
let sandbox: TestSandbox;
let dataDir: string;
let env: Record<string, string>;

before(async () => {
  sandbox = await startTestSandbox();
  dataDir = await mkdtemp(path.join(tmpdir(), 'trellis-kv-'));
  const endpoints = JSON.parse(
    await readFile(path.join(sandbox.sandbox.ctx.config.dataDir, 'endpoints.json'), 'utf8'),
  ) as { caPath: string; tenants: { id: string; trellisApp?: { clientId: string; clientSecret: string } }[] };
  const contoso = endpoints.tenants.find((t) => t.trellisApp);
  assert.ok(contoso?.trellisApp, 'the sandbox publishes the demo app credentials');
  // Exactly what an operator sets for Key Vault, pointed at the sandbox through configuration only.
  env = {
    PATH: process.env.PATH ?? '',
    ENV_FILE: '',
    DATA_DIR: dataDir,
    KEYVAULT_URL: sandbox.origin,
    KEYVAULT_KEY_NAME: 'trellis-kek',
    AZURE_TENANT_ID: contoso.id,
    AZURE_CLIENT_ID: contoso.trellisApp.clientId,
    AZURE_CLIENT_SECRET: contoso.trellisApp.clientSecret,
    AZURE_AUTHORITY_HOST: sandbox.origin,
    M365_CA_FILE: endpoints.caPath,
  };
});
after(async () => {
  await sandbox?.close();
  await rm(dataDir, { recursive: true, force: true });
});

/** Runs the CLI without blocking this process: the sandbox it talks to runs in this process. */
function trellis(args: string[], extra: Record<string, string> = {}) {
  return new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      [path.join(root, 'bin', 'trellis.js'), ...args],
      { env: { ...env, ...extra }, encoding: 'utf8', timeout: 60_000 },
      (error, stdout, stderr) =>
        resolve({ status: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

test('KEY_PROVIDER=keyvault: doctor wraps and unwraps through Key Vault with the configured CA', async () => {
  const r = await trellis(['doctor', '--json']);
  const lines = JSON.parse(r.stdout) as { check: string; verdict: string; detail: string }[];
  const keys = lines.find((l) => l.check === 'key provider');
  assert.equal(keys?.verdict, 'ok', JSON.stringify(lines));
  assert.match(
    keys?.detail ?? '',
    new RegExp(`^keyvault: .*${sandbox.origin}/keys/trellis-kek/[0-9a-f]{32}`),
  );
  assert.ok(!r.stdout.includes(env.AZURE_CLIENT_SECRET ?? '?'), 'the secret is never printed');
});

test('rotate through the CLI makes a new Key Vault key version', async () => {
  const r = await trellis(['keys', 'rotate']);
  assert.equal(r.status, 0, r.stderr);
  const m = /(\S+\/keys\/trellis-kek\/[0-9a-f]{32}) -> (\S+\/keys\/trellis-kek\/[0-9a-f]{32})/.exec(r.stdout);
  assert.ok(m, r.stdout);
  assert.notEqual(m[1], m[2]);
});

test('without the CA file, the Key Vault TLS certificate is not trusted (no check is disabled)', async () => {
  const r = await trellis(['doctor', '--json'], { M365_CA_FILE: '' });
  const lines = JSON.parse(r.stdout) as { check: string; verdict: string; detail: string }[];
  assert.equal(lines.find((l) => l.check === 'key provider')?.verdict, 'fail');
  assert.equal(r.status, 1);
});
