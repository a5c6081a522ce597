import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { after, before, describe, test } from 'node:test';
import { issueLeaf, KEY_ARGS, makeCa } from '../helpers/openssl.ts';

const root = path.resolve(import.meta.dirname, '..', '..');
const bin = path.join(root, 'bin', 'trellis.js');
const dir = await mkdtemp(path.join(tmpdir(), 'trellis-cli-network-'));
const servers: tls.Server[] = [];
after(async () => {
  await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  await rm(dir, { recursive: true, force: true });
});

interface Run {
  status: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI on the pinned Node; asynchronously, since the servers it talks to live in this process. */
function trellis(args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [bin, ...args],
      { env: { PATH: process.env.PATH, DATA_DIR: path.join(dir, 'data'), ENV_FILE: '' }, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = (error as { code?: unknown } | null)?.code;
        resolve({ status: typeof code === 'number' ? code : error ? -1 : 0, stdout, stderr });
      },
    );
  });
}

function openssl(args: string[]): string {
  return execFileSync('openssl', args, { cwd: dir, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
}

async function serve(options: tls.TlsOptions): Promise<number> {
  const server = tls.createServer(options, (socket) => socket.end());
  server.on('tlsClientError', () => {});
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

const caFile = path.join(dir, 'ca.pem');
let fingerprint: string;
let modern: number;
let legacy: number;

before(async () => {
  await makeCa(dir, { cn: 'CLI Test CA' });
  await issueLeaf(dir, { name: 'leaf', cn: 'localhost', san: 'DNS:localhost', key: KEY_ARGS.rsa });
  fingerprint =
    /Fingerprint=(\S+)/i.exec(
      openssl(['x509', '-in', 'leaf.pem', '-noout', '-fingerprint', '-sha256']),
    )?.[1] ?? '';
  const material = {
    cert: (await readFile(path.join(dir, 'leaf.pem'), 'utf8')) + (await readFile(caFile, 'utf8')),
    key: await readFile(path.join(dir, 'leaf-key.pem'), 'utf8'),
  };
  modern = await serve(material);
  legacy = await serve({
    ...material,
    minVersion: 'TLSv1',
    maxVersion: 'TLSv1',
    ciphers: 'DEFAULT@SECLEVEL=0',
  });
});

describe('trellis tls report / doctor network', () => {
  test('tls report --url --json describes the served certificate', async () => {
    const r = await trellis([
      'tls',
      'report',
      '--url',
      `https://localhost:${modern}`,
      '--ca-file',
      caFile,
      '--json',
    ]);
    assert.equal(r.status, 0, r.stderr);
    const report = JSON.parse(r.stdout) as {
      domain: string;
      fingerprintSha256: string;
      keyType: string;
      keyBits: number;
      verification: { trusted: boolean };
      chain: { subject: string }[];
      advice: string;
    };
    assert.equal(report.domain, 'localhost');
    assert.equal(report.fingerprintSha256, fingerprint);
    assert.equal(report.keyType, 'RSA');
    assert.equal(report.keyBits, 2048);
    assert.deepEqual(report.verification, { trusted: true });
    assert.deepEqual(
      report.chain.map((c) => c.subject),
      ['CN=localhost', 'CN=CLI Test CA'],
    );
    assert.match(report.advice, /Do not pin/);
  });

  test('tls report prints a table', async () => {
    const r = await trellis(['tls', 'report', '--url', `https://localhost:${modern}`, '--ca-file', caFile]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`│ SHA-256 fingerprint\\s+│ ${fingerprint}\\s+│`));
    assert.match(r.stdout, /│ trusted\s+│ yes/);
  });

  test('doctor network passes a good TLS server (exit 0)', async () => {
    const r = await trellis(['doctor', 'network', '--domains', `localhost:${modern}`, '--ca-file', caFile]);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, new RegExp(`│ localhost:${modern}\\s+│ OK\\s+│ TLSv1\\.3`));
    assert.match(r.stdout, /all 1 domain\(s\) reachable/);
  });

  test('doctor network fails a TLS 1.0-only server (exit 1)', async () => {
    const r = await trellis([
      'doctor',
      'network',
      '--json',
      '--domains',
      `localhost:${legacy}`,
      '--ca-file',
      caFile,
    ]);
    assert.equal(r.status, 1, r.stdout + r.stderr);
    const [check] = JSON.parse(r.stdout) as { verdict: string; reason: string; protocol: string }[];
    assert.equal(check?.verdict, 'fail');
    assert.equal(check?.protocol, 'TLSv1');
    assert.match(check?.reason ?? '', /too old/);
  });

  test('doctor network: one failing domain among good ones still exits 1', async () => {
    const r = await trellis([
      'doctor',
      'network',
      '--domains',
      `localhost:${modern},localhost:${legacy}`,
      '--ca-file',
      caFile,
    ]);
    assert.equal(r.status, 1);
    assert.match(r.stdout, new RegExp(`│ localhost:${legacy}\\s+│ FAIL\\s+│ TLSv1 `));
    assert.match(r.stdout, /1 of 2 domain\(s\) failed/);
  });

  test('tls report against a TLS 1.0-only server cannot handshake (exit 1)', async () => {
    const r = await trellis([
      'tls',
      'report',
      '--url',
      `https://localhost:${legacy}`,
      '--ca-file',
      caFile,
      '--json',
    ]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, new RegExp(`^trellis: Cannot read the certificate served at localhost:${legacy}`));
  });

  test('bad --domains or --ca-file is a usage error (exit 2)', async () => {
    const bad = await trellis(['doctor', 'network', '--domains', 'https://example.com']);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--domains: "https:\/\/example.com" is not host\[:port\]/);
    const noCa = await trellis([
      'tls',
      'report',
      '--url',
      `https://localhost:${modern}`,
      '--ca-file',
      path.join(dir, 'none.pem'),
    ]);
    assert.equal(noCa.status, 2);
    assert.match(noCa.stderr, /--ca-file: cannot read/);
  });
});
