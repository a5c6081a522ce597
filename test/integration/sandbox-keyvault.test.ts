import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { rootCertificates } from 'node:tls';
import { after, before, describe, test } from 'node:test';
import { ClientSecretCredential } from '@azure/identity';
import { CryptographyClient, KeyClient, type KeyClientOptions } from '@azure/keyvault-keys';
import { CONTOSO_TENANT_ID, TRELLIS_CLIENT_ID } from '../../sandbox/state/seed-contoso.ts';
import { createEnvelopeCipher } from '../../src/crypto/envelope.ts';
import { createKeyVaultKeyProvider } from '../../src/crypto/keyvault-key-provider.ts';
import { ErrorCode } from '../../src/errors/index.ts';
import { startTestSandbox, type TestSandbox } from '../helpers/sandbox.ts';

const API_VERSION = '2025-07-01';

describe('sandbox Key Vault keys', () => {
  let sandbox: TestSandbox;
  let secret: string;
  let credential: ClientSecretCredential;
  let clientOptions: KeyClientOptions;

  const vaultToken = async () => {
    const token = await credential.getToken('https://vault.azure.net/.default');
    assert.ok(token);
    return token.token;
  };
  const vaultFetch = async (
    path: string,
    init: { method?: string; body?: unknown; token?: string | null } = {},
  ): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> => {
    const token = init.token === undefined ? await vaultToken() : init.token;
    const response = await sandbox.fetch(path, {
      method: init.method ?? 'GET',
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
    });
    const text = await response.text();
    return {
      status: response.status,
      body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
      headers: response.headers as unknown as Headers,
    };
  };

  before(async () => {
    sandbox = await startTestSandbox();
    const app = sandbox.sandbox.ctx.store
      .tenant(CONTOSO_TENANT_ID)
      ?.directory.apps.find((a) => a.clientId === TRELLIS_CLIENT_ID);
    assert.ok(app?.secrets[0]);
    secret = app.secrets[0];
    // The Azure SDK pipeline trusts the sandbox CA through its TLS options (public roots kept).
    const tlsOptions = { ca: [...rootCertificates, sandbox.caCert] };
    credential = new ClientSecretCredential(CONTOSO_TENANT_ID, TRELLIS_CLIENT_ID, secret, {
      authorityHost: sandbox.origin,
      disableInstanceDiscovery: true,
      tlsOptions,
    });
    clientOptions = { disableChallengeResourceVerification: true, tlsOptions };
  });
  after(() => sandbox.close());

  test('a request without a token gets Key Vault’s 401 challenge', async () => {
    const response = await vaultFetch(`/keys/kek/create?api-version=${API_VERSION}`, {
      method: 'POST',
      body: { kty: 'RSA' },
      token: null,
    });
    assert.equal(response.status, 401);
    assert.equal(
      response.headers.get('www-authenticate'),
      `Bearer authorization="${sandbox.origin}/${CONTOSO_TENANT_ID}", resource="https://vault.azure.net"`,
    );
    assert.deepEqual(response.body, {
      error: { code: 'Unauthorized', message: 'AKV10000: Request is missing a Bearer or PoP token.' },
    });

    // A token for another resource (Graph) is refused the same way.
    const graph = await credential.getToken('https://graph.microsoft.com/.default');
    const wrongAudience = await vaultFetch(`/keys?api-version=${API_VERSION}`, { token: graph.token });
    assert.equal(wrongAudience.status, 401);
    assert.equal((wrongAudience.body.error as { code: string }).code, 'Unauthorized');

    // Certificate checks are on: without the sandbox CA, the SDK pipeline refuses the connection.
    const untrusted = new KeyClient(sandbox.origin, credential, {
      disableChallengeResourceVerification: true,
    });
    await assert.rejects(untrusted.getKey('any'), (error: Error) =>
      /certificate|self-signed|unable to verify/i.test(
        `${error.message} ${(error as { code?: string }).code}`,
      ),
    );

    // With a vault token, api-version is required.
    const noVersion = await vaultFetch('/keys');
    assert.equal(noVersion.status, 400);
    assert.equal((noVersion.body.error as { code: string }).code, 'BadParameter');
  });

  test('KeyClient: create, get, rotate, list versions; CryptographyClient wrap/unwrap round trip', async () => {
    const keys = new KeyClient(sandbox.origin, credential, clientOptions);
    const created = await keys.createRsaKey('sdk-kek', { keySize: 2048, keyOps: ['wrapKey', 'unwrapKey'] });
    assert.ok(created.id?.startsWith(`${sandbox.origin}/keys/sdk-kek/`));
    assert.equal(created.keyType, 'RSA');
    assert.deepEqual(created.keyOperations, ['wrapKey', 'unwrapKey']);
    assert.equal(created.properties.enabled, true);
    assert.equal(created.properties.recoveryLevel, 'Recoverable+Purgeable');
    assert.ok(created.properties.createdOn instanceof Date);
    assert.equal(created.key?.n?.length, 256, 'a 2048-bit modulus');

    const latest = await keys.getKey('sdk-kek');
    assert.equal(latest.id, created.id);
    const byVersion = await keys.getKey('sdk-kek', { version: created.properties.version ?? '' });
    assert.equal(byVersion.id, created.id);

    const rotated = await keys.rotateKey('sdk-kek');
    assert.notEqual(rotated.properties.version, created.properties.version);
    assert.deepEqual(rotated.keyOperations, ['wrapKey', 'unwrapKey']);
    assert.equal((await keys.getKey('sdk-kek')).id, rotated.id, 'the rotated version is the latest');

    const versions: string[] = [];
    for await (const properties of keys.listPropertiesOfKeyVersions('sdk-kek'))
      versions.push(properties.version ?? '');
    assert.deepEqual(versions.sort(), [created.properties.version, rotated.properties.version].sort());
    const names: string[] = [];
    for await (const properties of keys.listPropertiesOfKeys()) names.push(properties.name);
    assert.ok(names.includes('sdk-kek'));

    await assert.rejects(keys.getKey('no-such-key'), (error: { statusCode?: number; code?: string }) => {
      return error.statusCode === 404 && error.code === 'KeyNotFound';
    });

    const dek = randomBytes(32);
    for (const algorithm of ['RSA-OAEP-256', 'RSA-OAEP'] as const) {
      const crypto = new CryptographyClient(created.id ?? '', credential, clientOptions);
      const wrapped = await crypto.wrapKey(algorithm, dek);
      assert.equal(wrapped.result.length, 256);
      assert.notDeepEqual(Buffer.from(wrapped.result), dek);
      const unwrapped = await crypto.unwrapKey(algorithm, wrapped.result);
      assert.deepEqual(Buffer.from(unwrapped.result), dek, `${algorithm} round trip`);
    }

    // The old version still unwraps after the rotation; the new one cannot unwrap the old one's output.
    const oldCrypto = new CryptographyClient(created.id ?? '', credential, clientOptions);
    const oldWrapped = await oldCrypto.wrapKey('RSA-OAEP-256', dek);
    const newCrypto = new CryptographyClient(rotated.id ?? '', credential, clientOptions);
    await assert.rejects(
      newCrypto.unwrapKey('RSA-OAEP-256', oldWrapped.result),
      (error: { statusCode?: number }) => {
        return error.statusCode === 400;
      },
    );

    // A disabled version refuses to wrap.
    await keys.updateKeyProperties('sdk-kek', created.properties.version ?? '', { enabled: false });
    const wrapDisabled = await vaultFetch(
      `/keys/sdk-kek/${created.properties.version}/wrapkey?api-version=${API_VERSION}`,
      {
        method: 'POST',
        body: { alg: 'RSA-OAEP-256', value: dek.toString('base64url') },
      },
    );
    assert.equal(wrapDisabled.status, 403);
    assert.equal((wrapDisabled.body.error as { code: string }).code, 'Forbidden');
  });

  test('the REST shapes: key bundle, wrapkey/unwrapkey values in base64url, errors', async () => {
    const create = await vaultFetch(`/keys/rest-kek/create?api-version=${API_VERSION}`, {
      method: 'POST',
      body: { kty: 'RSA', key_size: 2048, tags: { purpose: 'test' } },
    });
    assert.equal(create.status, 200);
    const key = create.body.key as { kid: string; kty: string; key_ops: string[]; n: string; e: string };
    assert.match(key.kid, new RegExp(`^${sandbox.origin}/keys/rest-kek/[0-9a-f]{32}$`));
    assert.equal(key.kty, 'RSA');
    assert.deepEqual(key.key_ops, ['encrypt', 'decrypt', 'sign', 'verify', 'wrapKey', 'unwrapKey']);
    assert.equal(key.e, 'AQAB');
    assert.equal(Object.hasOwn(key, 'd'), false, 'no private material');
    const attributes = create.body.attributes as Record<string, unknown>;
    assert.equal(attributes.enabled, true);
    assert.equal(typeof attributes.created, 'number');
    assert.deepEqual(create.body.tags, { purpose: 'test' });

    const version = key.kid.split('/').pop();
    const dek = randomBytes(32);
    const wrap = await vaultFetch(`/keys/rest-kek/${version}/wrapkey?api-version=${API_VERSION}`, {
      method: 'POST',
      body: { alg: 'RSA-OAEP-256', value: dek.toString('base64url') },
    });
    assert.equal(wrap.status, 200);
    assert.equal(wrap.body.kid, key.kid);
    assert.match(String(wrap.body.value), /^[A-Za-z0-9_-]+$/, 'base64url without padding');
    const unwrap = await vaultFetch(`/keys/rest-kek/${version}/unwrapkey?api-version=${API_VERSION}`, {
      method: 'POST',
      body: { alg: 'RSA-OAEP-256', value: wrap.body.value },
    });
    assert.equal(unwrap.status, 200);
    assert.deepEqual(Buffer.from(String(unwrap.body.value), 'base64url'), dek);

    const badName = await vaultFetch(`/keys/bad_name/create?api-version=${API_VERSION}`, {
      method: 'POST',
      body: { kty: 'RSA' },
    });
    assert.equal(badName.status, 400);
    assert.equal((badName.body.error as { code: string }).code, 'BadParameter');
    const badSize = await vaultFetch(`/keys/rest-kek/create?api-version=${API_VERSION}`, {
      method: 'POST',
      body: { kty: 'RSA', key_size: 1024 },
    });
    assert.equal(badSize.status, 400);
    const missing = await vaultFetch(
      `/keys/rest-kek/00000000000000000000000000000000?api-version=${API_VERSION}`,
    );
    assert.equal(missing.status, 404);
    assert.equal((missing.body.error as { code: string }).code, 'KeyNotFound');
  });

  test('Trellis’s Key Vault provider and envelope cipher: rotate, decrypt old, rewrap, refuse tampering', async () => {
    const keys = createKeyVaultKeyProvider({
      vaultUrl: sandbox.origin,
      keyName: 'trellis-kek',
      credential: {
        tenantId: CONTOSO_TENANT_ID,
        clientId: TRELLIS_CLIENT_ID,
        clientSecret: secret,
        authorityHost: sandbox.origin,
      },
      caCert: sandbox.caCert,
    });
    const cipher = createEnvelopeCipher(keys, { cacheTtlMs: 1 });
    const context = { tenantId: CONTOSO_TENANT_ID, recordType: 'webhook_secret', recordId: 'wh-1' };

    const first = await cipher.encrypt(context, 'hunter2-webhook-secret');
    const firstKid = await keys.currentKeyId();
    assert.equal(first.kid, firstKid);
    assert.match(firstKid, new RegExp(`^${sandbox.origin}/keys/trellis-kek/[0-9a-f]{32}$`));
    assert.equal(first.wrapAlg, 'RSA-OAEP-256');
    await keys.ping();

    const secondKid = await keys.rotate();
    assert.notEqual(secondKid, firstKid);
    const second = await cipher.encrypt(context, 'another-secret');
    assert.equal(second.kid, secondKid, 'new secrets use the new version');
    assert.equal(
      (await cipher.decrypt(context, first)).toString(),
      'hunter2-webhook-secret',
      'old ciphertext decrypts',
    );
    assert.equal((await cipher.decrypt(context, second)).toString(), 'another-secret');

    const rewrapped = await cipher.rewrap(first);
    assert.equal(rewrapped.kid, secondKid, 'rewrap moves the data key to the new version');
    assert.equal(rewrapped.ct, first.ct, 'the ciphertext itself is untouched');
    assert.equal((await cipher.decrypt(context, rewrapped)).toString(), 'hunter2-webhook-secret');

    // A tampered wrapped key does not unwrap.
    const wrapped = Buffer.from(first.wrappedDek, 'base64');
    wrapped[10] = (wrapped[10] ?? 0) ^ 0xff;
    await new Promise((resolve) => setTimeout(resolve, 5)); // let the unwrapped-key cache expire
    await assert.rejects(
      cipher.decrypt(context, { ...first, wrappedDek: wrapped.toString('base64') }),
      (error: { code?: string }) => error.code === ErrorCode.DecryptionFailed,
    );
    await assert.rejects(
      keys.unwrapKey({ kid: firstKid, alg: 'RSA-OAEP-256', wrapped }),
      (error: { code?: string }) => error.code === ErrorCode.DecryptionFailed,
    );
  });
});
