import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { CONFIG_VARS, loadConfig, renderConfigDocs, withEnvFile } from './config.ts';
import { AppError } from './errors/index.ts';

const bad = (env: Record<string, string>, variable: string) => {
  assert.throws(
    () => loadConfig(env, '/srv/trellis'),
    (e: unknown) =>
      e instanceof AppError && e.code === 'config_invalid' && e.message.startsWith(`${variable}:`),
    `${JSON.stringify(env)} should be refused naming ${variable}`,
  );
};

describe('loadConfig', () => {
  test('nothing set gives the embedded default', () => {
    const c = loadConfig({}, '/srv/trellis');
    assert.equal(c.host, 'localhost');
    assert.equal(c.port, 8443);
    assert.equal(c.publicUrl, 'https://localhost:8443');
    assert.equal(c.dataDir, '/srv/trellis/data');
    assert.equal(c.tls.mode, 'local-ca');
    assert.equal(c.database.url, undefined);
    assert.equal(c.redisUrl, undefined);
    assert.equal(c.blob.backend, 'local');
    assert.equal(c.keys.provider, 'local');
    assert.equal(c.keys.keyFile, '/srv/trellis/data/keys/kek.json');
    assert.equal(c.bodyLimitBytes, 65536);
    assert.deepEqual(c.trustedProxies, []);
    assert.ok(Object.isFrozen(c) && Object.isFrozen(c.timeouts));
  });

  test('production settings are picked up', () => {
    const c = loadConfig(
      {
        PORT: '443',
        PUBLIC_URL: 'https://trellis.contoso.com/',
        TLS_MODE: 'proxy',
        HOST: '127.0.0.1',
        TRUSTED_PROXIES: '127.0.0.1, 10.0.0.0/8',
        DATABASE_URL: 'postgres://u:p@db:5432/trellis',
        REDIS_URL: 'rediss://:x@cache:6380',
        AZURE_STORAGE_CONNECTION_STRING: 'DefaultEndpointsProtocol=https;AccountName=a;AccountKey=k;',
        KEYVAULT_URL: 'https://kv.vault.azure.net',
        AZURE_TENANT_ID: 't',
        AZURE_CLIENT_ID: 'c',
        AZURE_CLIENT_SECRET: 's',
        CORS_ORIGINS: 'https://a.example,https://b.example:8443',
      },
      '/srv',
    );
    assert.equal(c.publicUrl, 'https://trellis.contoso.com');
    assert.deepEqual(c.trustedProxies, ['127.0.0.1', '10.0.0.0/8']);
    assert.equal(c.blob.backend, 'azure');
    assert.equal(c.keys.provider, 'keyvault');
    assert.deepEqual(c.corsOrigins, ['https://a.example', 'https://b.example:8443']);
  });

  test('each bad value is refused with a message naming its variable', () => {
    bad({ PORT: 'eighty' }, 'PORT');
    bad({ PORT: '70000' }, 'PORT');
    bad({ TLS_MODE: 'maybe' }, 'TLS_MODE');
    bad({ TLS_MODE: 'files' }, 'TLS_CERT_FILE');
    bad({ TLS_CERT_FILE: '/c.pem' }, 'TLS_KEY_FILE');
    bad({ TLS_MODE: 'proxy', HOST: '0.0.0.0' }, 'HOST');
    bad({ TRUSTED_PROXIES: '127.0.0.1' }, 'TRUSTED_PROXIES');
    bad({ TLS_MODE: 'proxy', TRUSTED_PROXIES: '10.0.0.0/33' }, 'TRUSTED_PROXIES');
    bad({ TLS_MODE: 'proxy', TRUSTED_PROXIES: 'proxy.local' }, 'TRUSTED_PROXIES');
    bad({ PUBLIC_URL: 'http://trellis.contoso.com' }, 'PUBLIC_URL');
    bad({ CORS_ORIGINS: 'https://a.example/path' }, 'CORS_ORIGINS');
    bad({ CORS_ORIGINS: 'http://a.example' }, 'CORS_ORIGINS');
    bad({ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL');
    bad({ DATABASE_APP_URL: 'postgres://x/y' }, 'DATABASE_APP_URL');
    bad({ REDIS_URL: 'not a url' }, 'REDIS_URL');
    bad({ BLOB_BACKEND: 'azure' }, 'AZURE_STORAGE_CONNECTION_STRING');
    bad({ BLOB_CONTAINER: 'Bad_Name' }, 'BLOB_CONTAINER');
    bad({ KEY_PROVIDER: 'keyvault' }, 'KEYVAULT_URL');
    bad({ KEYVAULT_URL: 'https://kv.vault.azure.net' }, 'AZURE_TENANT_ID');
    bad({ BODY_LIMIT_BYTES: '-1' }, 'BODY_LIMIT_BYTES');
    bad({ HEADERS_TIMEOUT_MS: '60000', REQUEST_TIMEOUT_MS: '5000' }, 'HEADERS_TIMEOUT_MS');
    bad({ LOG_LEVEL: 'loud' }, 'LOG_LEVEL');
  });

  test('a bad connection string is named but its value (with a password) is never echoed', () => {
    try {
      loadConfig({ DATABASE_URL: 'postgres://admin:hunter2@db:notaport/x' }, '/srv');
      assert.fail('should throw');
    } catch (error) {
      assert.ok(error instanceof AppError);
      assert.match(error.message, /^DATABASE_URL:/);
      assert.doesNotMatch(error.message, /hunter2/);
    }
  });

  test('a .env file is read, and the environment wins over it', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'trellis-env-'));
    writeFileSync(path.join(dir, '.env'), 'PORT=9443\nLOG_LEVEL=debug\n');
    const c = loadConfig(withEnvFile({ LOG_LEVEL: 'warn' }, dir), dir);
    assert.equal(c.port, 9443);
    assert.equal(c.logLevel, 'warn');
    assert.throws(() => withEnvFile({ ENV_FILE: path.join(dir, 'missing.env') }, dir), /ENV_FILE/);
  });

  test('docs/configuration.md documents every variable and is up to date', () => {
    const docs = readFileSync(new URL('../docs/configuration.md', import.meta.url), 'utf8');
    assert.equal(docs, renderConfigDocs(), 'run: node scripts/gen-config-docs.ts');
    for (const v of CONFIG_VARS) assert.ok(docs.includes(`\`${v.name}\``));
  });

  test('a bad value stops start-up with one line naming the variable and exit code 2', () => {
    const result = spawnSync(process.execPath, [new URL('./main.ts', import.meta.url).pathname], {
      env: { PATH: process.env.PATH, PORT: 'not-a-port', ENV_FILE: '' },
      encoding: 'utf8',
      timeout: 20_000,
    });
    assert.equal(result.status, 2);
    assert.equal(result.stderr.trim(), 'trellis: PORT: expected a whole number, got "not-a-port"');
  });
});
