import { X509Certificate } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import net from 'node:net';
import tls from 'node:tls';
import { errors } from '../errors/index.ts';
import { trustAnchors } from './certificate-report.ts';
import type { AllowlistEntry } from './domains.ts';

export type DomainVerdict = 'ok' | 'warn' | 'fail';

/** A host to check; `port` defaults to 443. */
export interface DomainTarget {
  host: string;
  port?: number;
  purpose?: string;
}

/** What one domain looked like from this machine, and the verdict on it. */
export interface DomainCheck {
  host: string;
  port: number;
  purpose?: string;
  verdict: DomainVerdict;
  reason: string;
  /** Every address the name resolved to; `address` is the one connected to. */
  addresses: string[];
  address?: string;
  protocol?: string;
  cipher?: string;
  certificate?: { subject: string; issuer: string; validTo: string; daysRemaining: number };
  /** TCP connect + TLS handshake. */
  latencyMs?: number;
  timings: { dnsMs?: number; tcpMs?: number; tlsMs?: number };
}

export interface CheckDomainsOptions {
  /** Extra trust anchors (PEM), added to this machine's default store. */
  ca?: string[];
  /** Per step (resolve, connect, handshake). */
  timeoutMs?: number;
  /** The clock expiry is judged against. */
  now?: Date;
}

const DAY = 86_400_000;
/** Expiring sooner than this is a warning (certificates are renewed about every 90 days). */
export const EXPIRY_WARN_DAYS = 30;
const DEFAULT_TIMEOUT_MS = 5_000;
const CONCURRENCY = 8;
const MODERN = new Set(['TLSv1.2', 'TLSv1.3']);

function elapsed(start: bigint): number {
  return Math.round(Number(process.hrtime.bigint() - start) / 1e5) / 10;
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(Object.assign(new Error(`${what}: no answer within ${ms / 1000} s`), { code: 'ETIMEDOUT' })),
        ms,
      );
    }),
  ]).finally(() => clearTimeout(timer));
}

function connectTcp(address: string, port: number, timeoutMs: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: address, port });
    socket.setTimeout(timeoutMs, () =>
      socket.destroy(
        Object.assign(new Error(`no answer within ${timeoutMs / 1000} s`), { code: 'ETIMEDOUT' }),
      ),
    );
    socket.once('error', reject);
    socket.once('connect', () => {
      socket.setTimeout(0);
      socket.removeListener('error', reject);
      resolve(socket);
    });
  });
}

interface Handshake {
  socket?: tls.TLSSocket;
  error?: NodeJS.ErrnoException;
}

function handshake(options: tls.ConnectionOptions, timeoutMs: number): Promise<Handshake> {
  return new Promise((resolve) => {
    const socket = tls.connect(options);
    socket.setTimeout(timeoutMs, () =>
      socket.destroy(
        Object.assign(new Error(`no handshake within ${timeoutMs / 1000} s`), { code: 'ETIMEDOUT' }),
      ),
    );
    socket.once('error', (error: NodeJS.ErrnoException) => {
      socket.destroy();
      resolve({ error });
    });
    socket.once('secureConnect', () => {
      socket.setTimeout(0);
      resolve({ socket });
    });
  });
}

/**
 * After a failed handshake, asks the server once more offering every protocol down to TLS 1.0, to tell
 * "speaks only an old protocol" from other failures. Returns the protocol it then negotiates.
 */
async function legacyProtocol(
  address: string,
  port: number,
  host: string,
  timeoutMs: number,
): Promise<string | undefined> {
  const probe = await handshake(
    {
      host: address,
      port,
      ...(net.isIP(host) ? {} : { servername: host }),
      minVersion: 'TLSv1',
      // OpenSSL 3 refuses TLS < 1.2 above security level 0.
      ciphers: 'DEFAULT@SECLEVEL=0',
      rejectUnauthorized: false,
    },
    timeoutMs,
  );
  const protocol = probe.socket?.getProtocol() ?? undefined;
  probe.socket?.destroy();
  return protocol;
}

function tcpReason(failures: { address: string; error: NodeJS.ErrnoException }[], port: number): string {
  const first = failures[0]?.error;
  const where = failures.map((f) => (f.address.includes(':') ? `[${f.address}]` : f.address)).join(', ');
  if (failures.every((f) => f.error.code === 'ECONNREFUSED'))
    return `tcp: connection refused on port ${port} (${where})`;
  if (failures.every((f) => f.error.code === 'ETIMEDOUT'))
    return `tcp: timeout connecting to port ${port} (${where})`;
  return `tcp: cannot connect to port ${port} (${where}): ${first?.code ?? ''} ${first?.message ?? ''}`.trim();
}

function certificateReason(
  host: string,
  socket: tls.TLSSocket,
  peer: tls.PeerCertificate,
  cert: X509Certificate,
  now: number,
): { verdict: DomainVerdict; reason: string } {
  const validTo = cert.validToDate.getTime();
  const days = Math.floor((validTo - now) / DAY);
  // Node verifies the chain, then (only if it holds) the host name; either failure lands here.
  const authError = socket.authorized ? undefined : String(socket.authorizationError ?? 'not verified');
  const hostError =
    authError === 'ERR_TLS_CERT_ALTNAME_INVALID' || tls.checkServerIdentity(host, peer) !== undefined;
  const chainError = authError === 'ERR_TLS_CERT_ALTNAME_INVALID' ? undefined : authError;
  if (chainError === 'CERT_HAS_EXPIRED' || validTo <= now)
    return { verdict: 'fail', reason: `certificate expired on ${cert.validToDate.toISOString()}` };
  if (chainError === 'CERT_NOT_YET_VALID' || cert.validFromDate.getTime() > now)
    return { verdict: 'fail', reason: `certificate not valid before ${cert.validFromDate.toISOString()}` };
  if (chainError) return { verdict: 'fail', reason: `certificate untrusted (${chainError})` };
  if (hostError)
    return {
      verdict: 'fail',
      reason: `certificate wrong host: issued for ${cert.subjectAltName ?? cert.subject.replace(/\n/g, ', ')}, not ${host}`,
    };
  if (days < EXPIRY_WARN_DAYS)
    return {
      verdict: 'warn',
      reason: `certificate expires in ${days} days (${cert.validToDate.toISOString()})`,
    };
  return { verdict: 'ok', reason: `certificate valid for ${days} more days` };
}

async function checkDomain(
  target: DomainTarget,
  options: Required<Omit<CheckDomainsOptions, 'ca'>> & { ca: string[] },
): Promise<DomainCheck> {
  const port = target.port ?? 443;
  const host = target.host.replace(/^\[|\]$/g, '');
  const result: DomainCheck = {
    host,
    port,
    ...(target.purpose ? { purpose: target.purpose } : {}),
    verdict: 'fail',
    reason: '',
    addresses: [],
    timings: {},
  };
  const fail = (reason: string): DomainCheck => Object.assign(result, { verdict: 'fail', reason });

  let start = process.hrtime.bigint();
  try {
    const found = await withTimeout(lookup(host, { all: true }), options.timeoutMs, 'dns');
    result.addresses = found.map((a) => a.address);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    return fail(`dns: ${host} does not resolve (${code})`);
  }
  result.timings.dnsMs = elapsed(start);

  // Try the addresses in resolver order, as browsers do; the first that accepts is checked.
  const failures: { address: string; error: NodeJS.ErrnoException }[] = [];
  let tcp: net.Socket | undefined;
  start = process.hrtime.bigint();
  for (const address of result.addresses) {
    try {
      tcp = await connectTcp(address, port, options.timeoutMs);
      result.address = address;
      break;
    } catch (error) {
      failures.push({ address, error: error as NodeJS.ErrnoException });
      start = process.hrtime.bigint();
    }
  }
  if (!tcp || !result.address) return fail(tcpReason(failures, port));
  result.timings.tcpMs = elapsed(start);

  start = process.hrtime.bigint();
  const hello = await handshake(
    {
      socket: tcp,
      ...(net.isIP(host) ? {} : { servername: host }),
      minVersion: 'TLSv1.2',
      ca: options.ca,
      // Verified below, so that one connection yields protocol, cipher and expiry along with the verdict.
      rejectUnauthorized: false,
    },
    options.timeoutMs,
  );
  if (!hello.socket) {
    tcp.destroy();
    const old = await legacyProtocol(result.address, port, host, options.timeoutMs);
    if (old && !MODERN.has(old)) {
      result.protocol = old;
      return fail(`tls too old: the server's newest protocol is ${old}; TLS 1.2 or newer is required`);
    }
    const error = hello.error;
    return fail(
      `tls: handshake failed (${error?.code ? `${error.code}: ` : ''}${error?.message ?? 'unknown'})`,
    );
  }
  const socket = hello.socket;
  try {
    result.timings.tlsMs = elapsed(start);
    result.latencyMs = Math.round(((result.timings.tcpMs ?? 0) + result.timings.tlsMs) * 10) / 10;
    result.protocol = socket.getProtocol() ?? undefined;
    result.cipher = socket.getCipher().name; // OpenSSL names, as the TLS policy lists them
    // getPeerCertificate() first: after getPeerX509Certificate() it returns {} on Node 24.
    const peer = socket.getPeerCertificate();
    if (!peer.raw) return fail('tls: the server sent no certificate');
    const cert = new X509Certificate(peer.raw);
    const now = options.now.getTime();
    result.certificate = {
      subject: cert.subject.replace(/\n/g, ', '),
      issuer: cert.issuer.replace(/\n/g, ', '),
      validTo: cert.validToDate.toISOString(),
      daysRemaining: Math.floor((cert.validToDate.getTime() - now) / DAY),
    };
    return Object.assign(result, certificateReason(host, socket, peer, cert, now));
  } finally {
    socket.destroy();
  }
}

/**
 * Checks each domain from this machine: resolves it, connects, and completes a TLS 1.2+ handshake with
 * normal certificate verification. Results keep the input order; at most 8 run at once.
 */
export async function checkDomains(
  domains: readonly DomainTarget[],
  options: CheckDomainsOptions = {},
): Promise<DomainCheck[]> {
  const settings = {
    ca: trustAnchors(options.ca),
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    now: options.now ?? new Date(),
  };
  const results: DomainCheck[] = new Array<DomainCheck>(domains.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < domains.length) {
      const i = next++;
      results[i] = await checkDomain(domains[i] as DomainTarget, settings);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, domains.length) }, worker));
  return results;
}

/**
 * The allowlist's TLS hosts as check targets. Wildcard entries name a family of hosts, not one that
 * resolves, so they are left out (check a concrete host with --domains).
 */
export function domainTargets(entries: readonly AllowlistEntry[]): DomainTarget[] {
  return entries
    .filter((e) => !e.wildcard && !e.host.startsWith('*.'))
    .map((e) => ({ host: e.host, port: e.port, purpose: `${e.service}: ${e.purpose}` }));
}

/**
 * Parses `host1,host2:8443,[::1]:443`.
 * @throws AppError validation_failed naming the entry that is not a host[:port].
 */
export function parseDomainList(text: string): DomainTarget[] {
  return text
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean)
    .map((item) => {
      const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]\s/]+))(?::(\d{1,5}))?$/.exec(item);
      const host = match?.[1] ?? match?.[2];
      const port = match?.[3] === undefined ? 443 : Number(match[3]);
      if (!host || port < 1 || port > 65_535)
        throw errors.validation(`--domains: "${item}" is not host[:port] (IPv6 as [addr]:port)`);
      return { host: host.toLowerCase(), port };
    });
}
