import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { issueLeaf, KEY_ARGS } from '../../test/helpers/openssl.ts';
import { loadConfig } from '../config.ts';
import { AppError, ErrorCode } from '../errors/index.ts';
import { ensureLocalCertificate } from '../server/index.ts';
import {
  certificateReport,
  createCertificateReportCache,
  fetchCertificateReport,
  servedCertificate,
  urlCertificate,
} from './certificate-report.ts';

const DAY = 86_400_000;
const dir = await mkdtemp(path.join(tmpdir(), 'trellis-cert-report-'));
after(() => rm(dir, { recursive: true, force: true }));

/** Debian's openssl, the reference every value is checked against. */
function openssl(args: string[], input?: Buffer | string): Buffer {
  return execFileSync('openssl', args, { cwd: dir, input, stdio: ['pipe', 'pipe', 'pipe'] });
}

const KEYS = KEY_ARGS;

interface Made {
  cert: string;
  key: string;
  pem: string;
}

async function made(name: string): Promise<Made> {
  const cert = path.join(dir, `${name}.pem`);
  const key = path.join(dir, `${name}-key.pem`);
  return { cert, key, pem: await readFile(cert, 'utf8') };
}

/** A self-signed certificate (a CA when `ca`), valid `days` from now. */
function selfSigned(
  name: string,
  key: readonly string[],
  options: { san?: string; serial?: string; ca?: boolean; digest?: string },
) {
  openssl([
    'req',
    '-x509',
    ...key,
    '-nodes',
    '-keyout',
    `${name}-key.pem`,
    '-out',
    `${name}.pem`,
    '-subj',
    `/CN=${name}/O=Trellis tests`,
    '-days',
    '90',
    `-${options.digest ?? 'sha256'}`,
    ...(options.serial ? ['-set_serial', options.serial] : []),
    ...(options.san ? ['-addext', `subjectAltName=${options.san}`] : []),
    ...(options.ca
      ? ['-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']
      : ['-addext', 'basicConstraints=critical,CA:FALSE']),
  ]);
  return made(name);
}

/** A leaf issued by `ca` through a CSR, as a real CA would. */
async function issued(name: string, key: readonly string[], ca: string, san: string, digest: string) {
  await issueLeaf(dir, { name, key, ca, san, digest });
  return made(name);
}

interface Expected {
  fingerprint: string;
  serial: string;
  bits: number;
  exponent?: number;
  curve?: string;
  signature: string;
  sans: string[];
  spkiPin: string;
}

/** What openssl itself says about a certificate file. */
function expected(file: string): Expected {
  const short = openssl(['x509', '-in', file, '-noout', '-fingerprint', '-sha256', '-serial']).toString();
  const text = openssl(['x509', '-in', file, '-noout', '-text']).toString();
  const pubkey = openssl(['x509', '-in', file, '-pubkey', '-noout']);
  const der = openssl(['pkey', '-pubin', '-outform', 'der'], pubkey);
  const digest = openssl(['dgst', '-sha256', '-binary'], der);
  const sanLine = /X509v3 Subject Alternative Name:.*\n\s*(.+)\n/.exec(text)?.[1];
  const exponent = /Exponent: (\d+)/.exec(text)?.[1];
  const curve = /ASN1 OID: (\S+)/.exec(text)?.[1];
  return {
    fingerprint: /Fingerprint=(\S+)/i.exec(short)?.[1] ?? '',
    serial: /serial=(\S+)/.exec(short)?.[1] ?? '',
    bits: Number(/Public-Key: \((\d+) bit\)/.exec(text)?.[1]),
    ...(exponent ? { exponent: Number(exponent) } : {}),
    ...(curve ? { curve } : {}),
    signature: /Signature Algorithm: (\S+)/.exec(text)?.[1] ?? '',
    sans: sanLine ? sanLine.trim().split(', ') : [],
    spkiPin: digest.toString('base64'),
  };
}

function assertMatchesOpenssl(report: ReturnType<typeof certificateReport>, want: Expected): void {
  assert.equal(report.fingerprintSha256, want.fingerprint);
  assert.equal(report.serial, want.serial);
  assert.equal(report.spkiPin, want.spkiPin);
  assert.equal(report.keyBits, want.bits);
  assert.equal(report.rsaExponent, want.exponent);
  assert.equal(report.ecCurve, want.curve);
  assert.equal(report.signatureAlgorithm, want.signature);
  assert.deepEqual(report.subjectAltNames, want.sans);
}

let rsaSelf: Made;
let ecSelf: Made;
let ecCa: Made;
let rsaCa: Made;
let rsaLeaf: Made;
let ecLeaf: Made;

before(async () => {
  // A serial with a leading zero nibble: openssl prints it, so must the report.
  rsaSelf = await selfSigned('rsa-self', KEYS.rsa, {
    san: 'DNS:localhost,IP:127.0.0.1',
    serial: '0x0123456789ABCDEF',
  });
  ecSelf = await selfSigned('ec-self', KEYS.ec, { san: 'DNS:example.test,DNS:*.example.test' });
  ecCa = await selfSigned('ec-ca', KEYS.ec384, { ca: true, digest: 'sha384' });
  rsaCa = await selfSigned('rsa-ca', KEYS.rsa, { ca: true });
  rsaLeaf = await issued('rsa-leaf', KEYS.rsa, 'ec-ca', 'DNS:localhost,IP:127.0.0.1', 'sha384');
  ecLeaf = await issued('ec-leaf', KEYS.ec, 'rsa-ca', 'DNS:trellis.example.test', 'sha256');
});

describe('certificateReport: every value equals what openssl prints', () => {
  test('RSA 2048, self-signed', () => {
    const report = certificateReport(rsaSelf.pem, { domain: 'localhost' });
    assertMatchesOpenssl(report, expected(rsaSelf.cert));
    assert.equal(report.serial, '0123456789ABCDEF');
    assert.equal(report.keyType, 'RSA');
    assert.equal(report.rsaExponent, 65537);
    assert.equal(report.signatureAlgorithm, 'sha256WithRSAEncryption');
    assert.deepEqual(report.subjectAltNames, ['DNS:localhost', 'IP Address:127.0.0.1']);
    assert.equal(report.subject, 'CN=rsa-self, O=Trellis tests');
    assert.equal(report.issuer, report.subject);
    assert.equal(report.coversDomain, true);
    assert.equal(report.chain.length, 1);
  });

  test('EC P-256, self-signed, wildcard SAN', () => {
    const report = certificateReport(ecSelf.pem, { domain: 'api.example.test' });
    assertMatchesOpenssl(report, expected(ecSelf.cert));
    assert.equal(report.keyType, 'EC');
    assert.equal(report.keyBits, 256);
    assert.equal(report.ecCurve, 'prime256v1');
    assert.equal(report.rsaExponent, undefined);
    assert.equal(report.signatureAlgorithm, 'ecdsa-with-SHA256');
    assert.equal(report.coversDomain, true, 'the wildcard covers api.example.test');
    assert.equal(certificateReport(ecSelf.pem, { domain: 'localhost' }).coversDomain, false);
  });

  test('RSA leaf issued by an EC P-384 CA, served with its chain', () => {
    const report = certificateReport(rsaLeaf.pem + ecCa.pem, { domain: 'localhost' });
    assertMatchesOpenssl(report, expected(rsaLeaf.cert));
    assert.equal(report.signatureAlgorithm, 'ecdsa-with-SHA384');
    assert.equal(report.issuer, 'CN=ec-ca, O=Trellis tests');
    const caPin = expected(ecCa.cert).spkiPin;
    assert.deepEqual(
      report.chain.map((c) => [c.subject, c.issuer, c.spkiPin]),
      [
        ['CN=rsa-leaf', 'CN=ec-ca, O=Trellis tests', report.spkiPin],
        ['CN=ec-ca, O=Trellis tests', 'CN=ec-ca, O=Trellis tests', caPin],
      ],
    );
    // The advice names the CA's pin as the only acceptable one, never the leaf's.
    assert.match(report.advice, /Do not pin this certificate/);
    assert.match(report.advice, /90 days/);
    assert.ok(report.advice.includes(caPin));
    assert.ok(!report.advice.includes(report.spkiPin));
  });

  test('EC leaf issued by an RSA CA', () => {
    const report = certificateReport(ecLeaf.pem + rsaCa.pem, { domain: 'trellis.example.test' });
    assertMatchesOpenssl(report, expected(ecLeaf.cert));
    assert.equal(report.signatureAlgorithm, 'sha256WithRSAEncryption');
    assert.equal(report.ecCurve, 'prime256v1');
    assert.equal(report.coversDomain, true);
  });

  test('validity dates are ISO and days remaining count from the given clock', () => {
    const report = certificateReport(rsaSelf.pem, { domain: 'localhost' });
    const from = new Date(report.validFrom);
    assert.equal(report.validFrom, from.toISOString());
    assert.equal(new Date(report.validTo).getTime() - from.getTime(), 90 * DAY);
    assert.equal(certificateReport(rsaSelf.pem, { domain: 'localhost', now: from }).daysRemaining, 90);
    const late = new Date(from.getTime() + 80.5 * DAY);
    assert.equal(certificateReport(rsaSelf.pem, { domain: 'localhost', now: late }).daysRemaining, 9);
  });

  test('text without a certificate is a validation error', () => {
    assert.throws(
      () => certificateReport('hello', { domain: 'x' }),
      (e: unknown) => e instanceof AppError && e.code === ErrorCode.ValidationFailed,
    );
    const broken = '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n';
    assert.throws(
      () => certificateReport(broken, { domain: 'x' }),
      (e: unknown) => e instanceof AppError && e.code === ErrorCode.ValidationFailed,
    );
  });
});

describe('servedCertificate', () => {
  let server: https.Server;
  let port: number;
  before(async () => {
    // The TLS-terminating front: serves the RSA leaf and its CA, like Front Door or nginx would.
    server = https.createServer(
      { cert: rsaLeaf.pem + ecCa.pem, key: await readFile(rsaLeaf.key) },
      (_, res) => res.end('front'),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const proxyConfig = (url: string) =>
    loadConfig({
      TLS_MODE: 'proxy',
      HOST: '127.0.0.1',
      PUBLIC_URL: url,
      DATA_DIR: path.join(dir, 'proxy-data'),
    });

  test('proxy mode reads the chain the front serves for the host of PUBLIC_URL', async () => {
    const served = await servedCertificate(proxyConfig(`https://localhost:${port}`), { ca: [ecCa.pem] });
    assert.equal(served.domain, 'localhost');
    assert.match(served.source, new RegExp(`localhost:${port}`));
    assert.deepEqual(served.verification, { trusted: true });
    const report = certificateReport(served.pem, { domain: served.domain });
    assert.equal(report.fingerprintSha256, expected(rsaLeaf.cert).fingerprint);
    assert.equal(report.chain[1]?.spkiPin, expected(ecCa.cert).spkiPin);
  });

  test('proxy mode says when this machine would not trust what is served', async () => {
    const served = await servedCertificate(proxyConfig(`https://localhost:${port}`));
    assert.equal(served.verification?.trusted, false);
    assert.match(served.verification?.error ?? '', /CERT|ISSUER|SELF_SIGNED/);
    assert.equal(
      certificateReport(served.pem, { domain: 'localhost' }).fingerprintSha256,
      expected(rsaLeaf.cert).fingerprint,
    );
  });

  test('proxy mode: nothing listening is service_unavailable', async () => {
    const closed = https.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    await assert.rejects(servedCertificate(proxyConfig(`https://127.0.0.1:${closedPort}`)), (e: unknown) => {
      assert.ok(e instanceof AppError);
      assert.equal(e.code, ErrorCode.Unavailable);
      assert.match(e.message, new RegExp(`127\\.0\\.0\\.1:${closedPort}.*ECONNREFUSED`));
      return true;
    });
  });

  test('urlCertificate: a trusted certificate for another name is reported as not trusted', async () => {
    const other = https.createServer({ cert: ecSelf.pem, key: await readFile(ecSelf.key) });
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    try {
      const { port: otherPort } = other.address() as AddressInfo;
      const served = await urlCertificate(`https://localhost:${otherPort}/ignored/path`, {
        ca: [ecSelf.pem],
      });
      assert.equal(served.domain, 'localhost');
      assert.equal(served.verification?.trusted, false);
      assert.match(served.verification?.error ?? '', /Hostname\/IP does not match certificate's altnames/);
      assert.equal(served.pem, ecSelf.pem);
    } finally {
      await new Promise<void>((resolve) => other.close(() => resolve()));
    }
    await assert.rejects(
      urlCertificate('http://localhost:80'),
      (e: unknown) => e instanceof AppError && e.code === ErrorCode.ValidationFailed,
    );
  });

  test('files mode reads TLS_CERT_FILE; an unreadable file names the variable', async () => {
    const env = {
      TLS_CERT_FILE: ecSelf.cert,
      TLS_KEY_FILE: ecSelf.key,
      DATA_DIR: path.join(dir, 'files-data'),
    };
    const served = await servedCertificate(loadConfig(env));
    assert.equal(served.pem, ecSelf.pem);
    assert.equal(served.domain, 'localhost');
    const missing = loadConfig({ ...env, TLS_CERT_FILE: path.join(dir, 'nope.pem') });
    await assert.rejects(servedCertificate(missing), (e: unknown) => {
      assert.ok(e instanceof AppError);
      assert.equal(e.code, ErrorCode.ConfigInvalid);
      assert.match(e.message, /^TLS_CERT_FILE: cannot read .*nope\.pem \(ENOENT\)/);
      return true;
    });
  });

  test('local-ca mode reads the leaf the local CA issued (not_found before the first start)', async () => {
    const dataDir = path.join(dir, 'local-ca-data');
    const config = loadConfig({ TLS_MODE: 'local-ca', DATA_DIR: dataDir });
    await assert.rejects(
      servedCertificate(config),
      (e: unknown) => e instanceof AppError && e.code === ErrorCode.NotFound,
    );
    const material = await ensureLocalCertificate(path.join(dataDir, 'tls'), ['localhost']);
    const served = await servedCertificate(config);
    assert.equal(served.pem, material.cert);
    const report = certificateReport(served.pem, { domain: served.domain });
    assert.equal(report.coversDomain, true);
    assert.equal(report.issuer, 'CN=Trellis Local CA, O=Trellis');
    assert.equal(report.chain.length, 2);
    assert.ok(report.advice.includes(report.chain[1]?.spkiPin ?? 'missing'));
  });
});

describe('certificate report cache', () => {
  test('kept for 10 minutes, so a renewal shows after that', async () => {
    const file = path.join(dir, 'renewed.pem');
    await writeFile(file, rsaSelf.pem);
    const config = loadConfig({
      TLS_CERT_FILE: file,
      TLS_KEY_FILE: rsaSelf.key,
      DATA_DIR: path.join(dir, 'cache-data'),
    });
    let clock = Date.now();
    const cache = createCertificateReportCache({ now: () => new Date(clock) });

    const [first, concurrent] = await Promise.all([cache.fetch(config), cache.fetch(config)]);
    assert.equal(first, concurrent, 'concurrent callers share one read');
    assert.equal(first.fingerprintSha256, expected(rsaSelf.cert).fingerprint);
    assert.equal(first.source, `file ${file}`);

    await writeFile(file, ecSelf.pem); // renewed
    clock += 9 * 60_000;
    assert.equal((await cache.fetch(config)).fingerprintSha256, first.fingerprintSha256);
    clock += 2 * 60_000;
    const renewed = await cache.fetch(config);
    assert.equal(renewed.fingerprintSha256, expected(ecSelf.cert).fingerprint);
    assert.equal(renewed.generatedAt, new Date(clock).toISOString());
  });

  test('a failed read is not cached', async () => {
    const file = path.join(dir, 'later.pem');
    const config = loadConfig({
      TLS_CERT_FILE: file,
      TLS_KEY_FILE: rsaSelf.key,
      DATA_DIR: path.join(dir, 'cache-data'),
    });
    const cache = createCertificateReportCache();
    await assert.rejects(cache.fetch(config), (e: unknown) => e instanceof AppError);
    await writeFile(file, rsaSelf.pem);
    assert.equal((await cache.fetch(config)).serial, '0123456789ABCDEF');
  });

  test('fetchCertificateReport reports on the served certificate', async () => {
    const config = loadConfig({
      TLS_CERT_FILE: ecLeaf.cert,
      TLS_KEY_FILE: ecLeaf.key,
      DATA_DIR: path.join(dir, 'cache-data'),
    });
    const report = await fetchCertificateReport(config);
    assert.equal(report.fingerprintSha256, expected(ecLeaf.cert).fingerprint);
    assert.equal(report.verification, undefined, 'a file is not verified over the network');
  });
});
