import assert from 'node:assert/strict';
import tls from 'node:tls';
import { after, before, describe, test } from 'node:test';
import { TLS12_CIPHERS } from '../../src/server/index.ts';
import { startTestTrellis, type TestTrellis } from '../helpers/trellis.ts';

interface Handshake {
  ok: boolean;
  protocol?: string | null;
  cipher?: string;
  group?: string;
  error?: string;
}

/** Opens a TLS connection with the given client constraints and reports what was negotiated. */
function handshake(trellis: TestTrellis, options: tls.ConnectionOptions): Promise<Handshake> {
  return new Promise((resolve) => {
    const socket = tls.connect({
      host: '127.0.0.1',
      port: trellis.port,
      servername: 'localhost',
      ca: trellis.caCert,
      ...options,
    });
    socket.once('secureConnect', () => {
      const ephemeral = socket.getEphemeralKeyInfo() as { name?: string };
      resolve({
        ok: true,
        protocol: socket.getProtocol(),
        cipher: socket.getCipher().name,
        group: ephemeral.name ?? '',
      });
      socket.end();
    });
    socket.once('error', (error) => resolve({ ok: false, error: error.message }));
  });
}

describe('TLS policy (Mozilla intermediate)', () => {
  let trellis: TestTrellis;
  before(async () => {
    trellis = await startTestTrellis({ LOG_LEVEL: 'silent' });
  });
  after(() => trellis.close());

  test('TLS 1.1 is refused', async () => {
    // The client must be allowed to speak TLS 1.1 (security level 0) so that the refusal is the server's.
    const r = await handshake(trellis, {
      minVersion: 'TLSv1',
      maxVersion: 'TLSv1.1',
      ciphers: 'DEFAULT@SECLEVEL=0',
    });
    assert.equal(r.ok, false);
    assert.match(r.error ?? '', /protocol version|unsupported protocol|no protocols available|alert/i);
  });

  test('a TLS 1.2 CBC suite is refused', async () => {
    for (const cbc of ['ECDHE-ECDSA-AES128-SHA256', 'ECDHE-ECDSA-AES256-SHA', 'ECDHE-RSA-AES128-SHA']) {
      const r = await handshake(trellis, { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2', ciphers: cbc });
      assert.equal(r.ok, false, `${cbc} must be refused`);
    }
  });

  test('TLS 1.2 with ECDHE AEAD suites is accepted', async () => {
    for (const suite of [
      'ECDHE-ECDSA-AES128-GCM-SHA256',
      'ECDHE-ECDSA-AES256-GCM-SHA384',
      'ECDHE-ECDSA-CHACHA20-POLY1305',
    ]) {
      const r = await handshake(trellis, { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2', ciphers: suite });
      assert.equal(r.ok, true, `${suite}: ${r.error}`);
      assert.equal(r.protocol, 'TLSv1.2');
      assert.equal(r.cipher, suite);
      assert.ok(TLS12_CIPHERS.includes(suite as (typeof TLS12_CIPHERS)[number]));
    }
  });

  test('TLS 1.3 is accepted', async () => {
    const r = await handshake(trellis, { minVersion: 'TLSv1.3' });
    assert.equal(r.ok, true, r.error);
    assert.equal(r.protocol, 'TLSv1.3');
    assert.match(r.cipher ?? '', /^TLS_(AES_128_GCM|AES_256_GCM|CHACHA20_POLY1305)_SHA(256|384)$/);
  });

  test('only the X25519, P-256 and P-384 groups are offered', async () => {
    for (const curve of ['X25519', 'prime256v1', 'secp384r1']) {
      const r = await handshake(trellis, { minVersion: 'TLSv1.3', ecdhCurve: curve });
      assert.equal(r.ok, true, `${curve}: ${r.error}`);
    }
    for (const curve of ['secp521r1', 'X448']) {
      const r = await handshake(trellis, { minVersion: 'TLSv1.2', ecdhCurve: curve });
      assert.equal(r.ok, false, `${curve} must be refused`);
    }
  });

  test('the certificate chains to the local CA and names localhost', async () => {
    const r = await handshake(trellis, { minVersion: 'TLSv1.2' });
    assert.equal(r.ok, true, r.error);
    const wrongName = await handshake(trellis, {
      servername: 'evil.example',
      checkServerIdentity: tls.checkServerIdentity,
    });
    assert.equal(wrongName.ok, false);
    const untrusted = await handshake(trellis, { ca: undefined });
    assert.equal(untrusted.ok, false);
  });

  test('the certificate and CA are kept and reused across restarts', async () => {
    const first = await trellis.fetch('/healthz');
    assert.equal(first.status, 200);
    const caBefore = trellis.caCert;
    const { startTrellis } = await import('../../src/main.ts');
    const { loadConfig } = await import('../../src/config.ts');
    await trellis.running.stop('restart');
    const again = await startTrellis(
      loadConfig({ PORT: '0', DATA_DIR: trellis.dataDir, LOG_LEVEL: 'silent' }),
    );
    try {
      const { readFile } = await import('node:fs/promises');
      assert.equal(await readFile(again.caPath ?? '', 'utf8'), caBefore);
    } finally {
      await again.stop('test');
    }
  });
});

describe('a given certificate and key (TLS_MODE=files)', () => {
  test('serves exactly the configured certificate', async () => {
    const { mkdtemp, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const path = await import('node:path');
    const { X509Certificate } = await import('node:crypto');
    const { ensureLocalCertificate } = await import('../../src/server/index.ts');
    const dir = await mkdtemp(path.join(tmpdir(), 'trellis-files-'));
    // Issued by another CA than Trellis's own, as an operator's certificate would be.
    const own = await ensureLocalCertificate(dir, ['localhost', '127.0.0.1'], 'Operator CA');
    const trellis = await startTestTrellis({
      LOG_LEVEL: 'silent',
      TLS_CERT_FILE: path.join(dir, 'server.pem'),
      TLS_KEY_FILE: path.join(dir, 'server-key.pem'),
    });
    try {
      const served = await new Promise<string>((resolve, reject) => {
        const socket = tls.connect(
          { host: '127.0.0.1', port: trellis.port, servername: 'localhost', ca: own.caCert },
          () => {
            resolve(socket.getPeerX509Certificate()?.fingerprint256 ?? '');
            socket.end();
          },
        );
        socket.once('error', reject);
      });
      assert.equal(served, new X509Certificate(own.cert).fingerprint256);
      assert.equal(trellis.running.caPath, undefined, 'no local CA is created in files mode');
    } finally {
      await trellis.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
