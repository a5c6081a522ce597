import 'reflect-metadata';
import assert from 'node:assert/strict';
import { webcrypto } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { after, before, describe, test } from 'node:test';
import * as x509 from '@peculiar/x509';
import { issueLeaf, makeCa } from '../../test/helpers/openssl.ts';
import { AppError } from '../errors/index.ts';
import { checkDomains, type DomainCheck, domainTargets, parseDomainList } from './doctor-network.ts';

const DAY = 86_400_000;
const dir = await mkdtemp(path.join(tmpdir(), 'trellis-doctor-network-'));
const servers: tls.Server[] = [];
after(async () => {
  await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  await rm(dir, { recursive: true, force: true });
});

interface Pair {
  cert: string;
  key: string;
}

async function pair(name: string): Promise<Pair> {
  return {
    cert: await readFile(path.join(dir, `${name}.pem`), 'utf8'),
    key: await readFile(path.join(dir, `${name}-key.pem`), 'utf8'),
  };
}

/** A P-256 leaf for `san`, issued by the test CA, valid `days` from now. */
async function leaf(name: string, san: string, days: number): Promise<Pair> {
  await issueLeaf(dir, { name, san, days });
  return pair(name);
}

/** This openssl (3.0) cannot backdate, so the expired leaf is signed with @peculiar/x509. */
async function expiredLeaf(ca: Pair): Promise<Pair> {
  x509.cryptoProvider.set(webcrypto as never);
  const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
  const der = Buffer.from(ca.key.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
  const caKey = await webcrypto.subtle.importKey('pkcs8', der, alg, false, ['sign']);
  const keys = (await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: '01020304',
    subject: 'CN=expired',
    issuer: new x509.X509Certificate(ca.cert).subject,
    notBefore: new Date(now - 100 * DAY),
    notAfter: new Date(now - 10 * DAY),
    signingKey: caKey,
    publicKey: keys.publicKey,
    signingAlgorithm: alg,
    extensions: [new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: 'localhost' }], false)],
  });
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey)).toString('base64');
  return {
    cert: cert.toString('pem'),
    key: `-----BEGIN PRIVATE KEY-----\n${pkcs8}\n-----END PRIVATE KEY-----\n`,
  };
}

async function serve(material: Pair, options: tls.TlsOptions = {}): Promise<number> {
  const server = tls.createServer({ cert: material.cert, key: material.key, ...options }, (socket) =>
    socket.end(),
  );
  // A client that gives up mid-handshake is expected here.
  server.on('tlsClientError', () => {});
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

async function closedPort(): Promise<number> {
  const server = tls.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

let ca: Pair;
const ports = { good: 0, tls10: 0, expired: 0, otherHost: 0, soon: 0, closed: 0 };
let good: Pair;

before(async () => {
  await makeCa(dir, { cn: 'Doctor Test CA' });
  ca = await pair('ca');
  good = await leaf('good', 'DNS:localhost,IP:127.0.0.1', 90);
  ports.good = await serve(good);
  // OpenSSL 3 only speaks TLS 1.0 at security level 0.
  ports.tls10 = await serve(good, {
    minVersion: 'TLSv1',
    maxVersion: 'TLSv1',
    ciphers: 'DEFAULT@SECLEVEL=0',
  });
  ports.expired = await serve(await expiredLeaf(ca));
  ports.otherHost = await serve(await leaf('other', 'DNS:other.example.test', 90));
  ports.soon = await serve(await leaf('soon', 'DNS:localhost', 10));
  ports.closed = await closedPort();
});

async function checkOne(
  host: string,
  port: number,
  options: { now?: Date; ca?: string[] } = {},
): Promise<DomainCheck> {
  const [result] = await checkDomains([{ host, port }], { ca: [ca.cert], timeoutMs: 3_000, ...options });
  assert.ok(result);
  return result;
}

describe('checkDomains', () => {
  test('a TLS 1.2+ server with a trusted certificate for the name passes', async () => {
    const r = await checkOne('localhost', ports.good);
    assert.equal(r.verdict, 'ok', r.reason);
    assert.match(r.reason, /valid for (89|90) more days/);
    assert.equal(r.address, '127.0.0.1');
    assert.ok(r.addresses.includes('127.0.0.1'));
    assert.equal(r.protocol, 'TLSv1.3');
    assert.match(r.cipher ?? '', /^TLS_AES_|^TLS_CHACHA20/);
    assert.equal(r.certificate?.subject, 'CN=good');
    assert.equal(r.certificate?.issuer, 'CN=Doctor Test CA');
    assert.ok((r.latencyMs ?? -1) >= 0 && r.timings.dnsMs !== undefined && r.timings.tlsMs !== undefined);
  });

  test('without the test CA the same server is untrusted', async () => {
    const r = await checkOne('localhost', ports.good, { ca: [] });
    assert.equal(r.verdict, 'fail');
    assert.match(
      r.reason,
      /^certificate untrusted \(UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT_LOCALLY\)/,
    );
  });

  test('a server limited to TLS 1.0 fails, naming the protocol', async () => {
    const r = await checkOne('localhost', ports.tls10);
    assert.equal(r.verdict, 'fail');
    assert.match(
      r.reason,
      /^tls too old: the server's newest protocol is TLSv1; TLS 1.2 or newer is required$/,
    );
    assert.equal(r.protocol, 'TLSv1');
  });

  test('an expired certificate fails', async () => {
    const r = await checkOne('localhost', ports.expired);
    assert.equal(r.verdict, 'fail');
    assert.match(r.reason, /^certificate expired on \d{4}-\d\d-\d\dT/);
    assert.ok((r.certificate?.daysRemaining ?? 0) <= -10);
  });

  test('a closed port fails', async () => {
    const r = await checkOne('localhost', ports.closed);
    assert.equal(r.verdict, 'fail');
    assert.match(
      r.reason,
      new RegExp(`^tcp: connection refused on port ${ports.closed} \\(.*127\\.0\\.0\\.1`),
    );
    assert.equal(r.protocol, undefined);
  });

  test('a name that does not resolve fails', async () => {
    const r = await checkOne('nonexistent.invalid', 443);
    assert.equal(r.verdict, 'fail');
    assert.match(r.reason, /^dns: nonexistent\.invalid does not resolve \((ENOTFOUND|EAI_AGAIN)\)/);
    assert.deepEqual(r.addresses, []);
  });

  test('a certificate for another host name fails', async () => {
    const r = await checkOne('localhost', ports.otherHost);
    assert.equal(r.verdict, 'fail');
    assert.equal(r.reason, 'certificate wrong host: issued for DNS:other.example.test, not localhost');
  });

  test('a certificate expiring within 30 days warns', async () => {
    const r = await checkOne('localhost', ports.soon);
    assert.equal(r.verdict, 'warn');
    assert.match(r.reason, /^certificate expires in (9|10) days/);
  });

  test('expiry is judged against the given clock', async () => {
    const warn = await checkOne('localhost', ports.good, { now: new Date(Date.now() + 75 * DAY) });
    assert.equal(warn.verdict, 'warn');
    const expired = await checkOne('localhost', ports.good, { now: new Date(Date.now() + 91 * DAY) });
    assert.equal(expired.verdict, 'fail');
    assert.match(expired.reason, /^certificate expired/);
  });

  test('many domains run concurrently and come back in input order', async () => {
    const targets = [
      { host: 'localhost', port: ports.closed },
      ...Array.from({ length: 10 }, () => ({ host: '127.0.0.1', port: ports.good })),
      { host: 'nonexistent.invalid', port: 443 },
      { host: 'localhost', port: ports.tls10 },
    ];
    const started = Date.now();
    const results = await checkDomains(targets, { ca: [ca.cert] });
    assert.ok(Date.now() - started < 10_000);
    assert.deepEqual(
      results.map((r) => [r.host, r.port, r.verdict]),
      targets.map((t, i) => [t.host, t.port, i >= 1 && i <= 10 ? 'ok' : 'fail']),
    );
  });
});

describe('domain lists', () => {
  test('--domains: host[:port], IPv6 in brackets, 443 by default', () => {
    assert.deepEqual(parseDomainList('Example.com, api.example.com:8443,[::1]:9443,'), [
      { host: 'example.com', port: 443 },
      { host: 'api.example.com', port: 8443 },
      { host: '::1', port: 9443 },
    ]);
    for (const bad of ['https://example.com', 'a:0', 'a:70000', 'a b']) {
      assert.throws(
        () => parseDomainList(bad),
        (e: unknown) => e instanceof AppError && e.message.includes(bad),
      );
    }
  });

  test('allowlist entries become targets; wildcards cannot be resolved and are left out', () => {
    const base = { protocol: 'https', direction: 'server', flow: 'trellis-service' } as const;
    assert.deepEqual(
      domainTargets([
        {
          ...base,
          id: 1,
          host: 'graph.microsoft.com',
          port: 443,
          service: 'Microsoft Graph',
          purpose: 'Provisioning',
          wildcard: false,
        },
        {
          ...base,
          id: 2,
          host: '*.blob.core.windows.net',
          port: 443,
          service: 'Blob',
          purpose: 'Files',
          wildcard: true,
        },
      ]),
      [{ host: 'graph.microsoft.com', port: 443, purpose: 'Microsoft Graph: Provisioning' }],
    );
  });
});
