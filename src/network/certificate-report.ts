import { createHash, X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import path from 'node:path';
import tls from 'node:tls';
import type { Config } from '../config.ts';
import { AppError, ErrorCode, errors } from '../errors/index.ts';

const DAY = 86_400_000;
/** Long enough for a renewal to show up soon, short enough not to open a TLS connection per request. */
export const CERTIFICATE_REPORT_MAX_AGE_MS = 10 * 60_000;
const CONNECT_TIMEOUT_MS = 10_000;

/** One certificate of the served chain, as a network team needs to recognise it. */
export interface ChainCertificate {
  subject: string;
  issuer: string;
  validTo: string;
  /** base64 SHA-256 of the DER SubjectPublicKeyInfo (the value HPKP-style pins use). */
  spkiPin: string;
}

/** Everything a customer's security team asks about the certificate they will see. */
export interface CertificateReport {
  domain: string;
  /** Whether the leaf's names cover `domain` (SAN DNS/IP match, wildcards honoured). */
  coversDomain: boolean;
  subject: string;
  subjectAltNames: string[];
  /** Uppercase hex without colons, as `openssl x509 -serial` prints it. */
  serial: string;
  issuer: string;
  validFrom: string;
  validTo: string;
  daysRemaining: number;
  keyType: string;
  keyBits: number;
  rsaExponent?: number;
  /** OpenSSL's curve name (`prime256v1`, `secp384r1` …), as `openssl x509 -text` prints it. */
  ecCurve?: string;
  /** OpenSSL's name (`sha256WithRSAEncryption`, `ecdsa-with-SHA256` …). */
  signatureAlgorithm: string;
  /** Uppercase hex with colons, as `openssl x509 -fingerprint -sha256` prints it. */
  fingerprintSha256: string;
  spkiPin: string;
  /** Leaf first, then the certificates that followed it. */
  chain: ChainCertificate[];
  advice: string;
}

/** Where the served certificate was read, and whether a client of this machine would trust it. */
export interface ServedCertificate {
  pem: string;
  source: string;
  domain: string;
  /** Only for certificates read over the network: the verdict of normal verification. */
  verification?: { trusted: boolean; error?: string };
}

export type ServedCertificateReport = CertificateReport &
  Pick<ServedCertificate, 'source' | 'verification'> & { generatedAt: string };

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** @throws AppError validation_failed when the text holds no parseable certificate. */
function parseChain(pem: string): X509Certificate[] {
  const blocks = pem.match(PEM_BLOCK) ?? [];
  if (blocks.length === 0) throw errors.validation('No PEM certificate found (expected BEGIN CERTIFICATE)');
  return blocks.map((block, i) => {
    try {
      return new X509Certificate(block);
    } catch (error) {
      throw new AppError(ErrorCode.ValidationFailed, `Certificate ${i + 1} of the chain cannot be parsed`, {
        cause: error,
      });
    }
  });
}

/** Node prints distinguished names one attribute per line; reports show them on one line. */
function oneLine(name: string): string {
  return name.split('\n').filter(Boolean).join(', ');
}

/** Splits Node's `subjectAltName` ("DNS:a, IP Address:1.2.3.4"), where entries with commas are quoted. */
function splitAltNames(value: string | undefined): string[] {
  if (!value) return [];
  const names: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const ch = value[i];
    if (ch === '"' && value[i - 1] !== '\\') quoted = !quoted;
    if (!quoted && ch === ',' && value[i + 1] === ' ') {
      names.push(current);
      current = '';
      i++;
      continue;
    }
    current += ch;
  }
  if (current) names.push(current);
  return names;
}

function spkiPin(cert: X509Certificate): string {
  const der = cert.publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest('base64');
}

const CURVE_BITS: Record<string, number> = {
  prime256v1: 256,
  secp256k1: 256,
  secp384r1: 384,
  secp521r1: 521,
  secp224r1: 224,
};

function keyDetails(
  cert: X509Certificate,
): Pick<CertificateReport, 'keyType' | 'keyBits' | 'rsaExponent' | 'ecCurve'> {
  const key = cert.publicKey;
  const details = key.asymmetricKeyDetails ?? {};
  switch (key.asymmetricKeyType) {
    case 'rsa':
    case 'rsa-pss':
      return {
        keyType: key.asymmetricKeyType === 'rsa' ? 'RSA' : 'RSA-PSS',
        keyBits: details.modulusLength ?? 0,
        ...(details.publicExponent === undefined ? {} : { rsaExponent: Number(details.publicExponent) }),
      };
    case 'ec': {
      const curve = details.namedCurve ?? 'unknown';
      // Unlisted curves: the x coordinate's length is the field size, rounded up to whole bytes.
      const x = (key.export({ format: 'jwk' }) as { x?: string }).x;
      const bits = CURVE_BITS[curve] ?? (x ? Buffer.from(x, 'base64url').length * 8 : 0);
      return { keyType: 'EC', keyBits: bits, ecCurve: curve };
    }
    case 'ed25519':
      return { keyType: 'Ed25519', keyBits: 256 };
    case 'ed448':
      return { keyType: 'Ed448', keyBits: 456 };
    default:
      return { keyType: key.asymmetricKeyType ?? 'unknown', keyBits: 0 };
  }
}

function covers(cert: X509Certificate, domain: string): boolean {
  if (!domain) return false;
  return isIP(domain) ? cert.checkIP(domain) !== undefined : cert.checkHost(domain) !== undefined;
}

function adviceFor(leaf: X509Certificate, issuing: ChainCertificate | undefined): string {
  const ca = issuing
    ? `the issuing CA's public key (${issuing.subject}, SPKI pin ${issuing.spkiPin}) together with a backup CA`
    : `the issuing CA's public key (${oneLine(leaf.issuer)}) together with a backup CA`;
  return (
    'Do not pin this certificate or its public key: certificates are renewed about every 90 days ' +
    `(this one expires ${leaf.validToDate.toISOString()}) and a pinned leaf breaks every pinning client ` +
    `at renewal. Rely on normal certificate validation; if a policy requires pinning, pin ${ca}, never the leaf.`
  );
}

/**
 * Describes a PEM certificate (leaf first; a chain may follow) as openssl would print it.
 * @throws AppError validation_failed when the PEM holds no parseable certificate.
 */
export function certificateReport(pem: string, options: { domain: string; now?: Date }): CertificateReport {
  const certs = parseChain(pem);
  const leaf = certs[0] as X509Certificate;
  const now = options.now?.getTime() ?? Date.now();
  const chain = certs.map((cert) => ({
    subject: oneLine(cert.subject),
    issuer: oneLine(cert.issuer),
    validTo: cert.validToDate.toISOString(),
    spkiPin: spkiPin(cert),
  }));
  const issuingIndex = certs.findIndex((cert, i) => i > 0 && leaf.checkIssued(cert));
  return {
    domain: options.domain,
    coversDomain: covers(leaf, options.domain),
    subject: oneLine(leaf.subject),
    subjectAltNames: splitAltNames(leaf.subjectAltName),
    serial: leaf.serialNumber.toUpperCase(),
    issuer: oneLine(leaf.issuer),
    validFrom: leaf.validFromDate.toISOString(),
    validTo: leaf.validToDate.toISOString(),
    daysRemaining: Math.floor((leaf.validToDate.getTime() - now) / DAY),
    ...keyDetails(leaf),
    // Node names the algorithm as OpenSSL does; an algorithm OpenSSL cannot name is shown by its OID.
    signatureAlgorithm: leaf.signatureAlgorithm ?? leaf.signatureAlgorithmOid,
    fingerprintSha256: leaf.fingerprint256,
    spkiPin: chain[0]?.spkiPin ?? '',
    chain,
    advice: adviceFor(leaf, issuingIndex > 0 ? chain[issuingIndex] : undefined),
  };
}

/** Trust anchors: this machine's default store (Mozilla, plus system/extra when Node is told to), plus `extra`. */
export function trustAnchors(extra: readonly string[] = []): string[] {
  return [...tls.getCACertificates('default'), ...extra];
}

/**
 * Opens a TLS connection and returns the chain the peer serves, as PEM, with the verification verdict.
 * The handshake itself requires TLS 1.2+ (Node's default), as Trellis's clients do.
 * @throws AppError service_unavailable when nothing answers or the handshake fails.
 */
export function fetchPeerCertificate(target: {
  host: string;
  port: number;
  ca?: readonly string[];
  timeoutMs?: number;
}): Promise<{ pem: string; verification: { trusted: boolean; error?: string } }> {
  const where = `${target.host.includes(':') ? `[${target.host}]` : target.host}:${target.port}`;
  return new Promise((resolve, reject) => {
    const socket = tls.connect({
      host: target.host,
      port: target.port,
      ...(isIP(target.host) ? {} : { servername: target.host }),
      ca: trustAnchors(target.ca),
      // Read the certificate even when it would be refused: the report says why.
      rejectUnauthorized: false,
    });
    socket.setTimeout(target.timeoutMs ?? CONNECT_TIMEOUT_MS, () =>
      socket.destroy(new Error(`no answer within ${(target.timeoutMs ?? CONNECT_TIMEOUT_MS) / 1000} s`)),
    );
    socket.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        errors.unavailable(
          `Cannot read the certificate served at ${where}: ${error.code ? `${error.code} ` : ''}${error.message}`,
        ),
      );
    });
    socket.once('secureConnect', () => {
      const peer = socket.getPeerCertificate(true);
      const pems: string[] = [];
      const seen = new Set<string>();
      // The issuer links end on a self-signed certificate pointing to itself. Node completes the chain
      // with issuers from the local trust store when the peer did not send them.
      for (
        let cert: tls.DetailedPeerCertificate | undefined = peer;
        cert?.raw;
        cert = cert.issuerCertificate
      ) {
        if (seen.has(cert.fingerprint256)) break;
        seen.add(cert.fingerprint256);
        pems.push(new X509Certificate(cert.raw).toString());
      }
      const hostError = peer.raw ? tls.checkServerIdentity(target.host, peer) : undefined;
      // Node sets authorizationError to the host-name error code too; the message says more.
      const chainError = socket.authorized ? undefined : String(socket.authorizationError ?? 'not verified');
      const error =
        chainError === 'ERR_TLS_CERT_ALTNAME_INVALID'
          ? (hostError?.message ?? chainError)
          : (chainError ?? hostError?.message);
      socket.destroy();
      if (pems.length === 0) {
        reject(errors.unavailable(`The server at ${where} sent no certificate`));
        return;
      }
      resolve({ pem: pems.join(''), verification: error ? { trusted: false, error } : { trusted: true } });
    });
  });
}

function hostAndPort(url: URL): { host: string; port: number } {
  return { host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port || 443) };
}

/** The certificate served by any HTTPS endpoint. @throws AppError validation_failed for a non-https URL. */
export async function urlCertificate(
  url: string,
  options: { ca?: readonly string[]; timeoutMs?: number } = {},
): Promise<ServedCertificate> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw errors.validation(`--url: "${url}" is not a URL`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'wss:')
    throw errors.validation(`--url: "${url}" must be an https:// URL`);
  const { host, port } = hostAndPort(parsed);
  const peer = await fetchPeerCertificate({ host, port, ...options });
  return { pem: peer.pem, source: `served at ${parsed.host}`, domain: host, verification: peer.verification };
}

async function readCertificateFile(file: string, mode: Config['tls']['mode']): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
    if (mode === 'files') throw errors.config('TLS_CERT_FILE', `cannot read ${file} (${code})`);
    if (code === 'ENOENT')
      throw new AppError(
        ErrorCode.NotFound,
        `${file} does not exist yet: the first "trellis start" issues it`,
      );
    throw errors.internal(`Cannot read ${file} (${code})`, error);
  }
}

/**
 * The certificate this deployment actually serves: the configured file, the local CA's leaf, or,
 * behind a TLS-terminating front, whatever that front presents for the host of PUBLIC_URL.
 * @throws AppError config_invalid, not_found or service_unavailable when it cannot be read.
 */
export async function servedCertificate(
  config: Config,
  options: { ca?: readonly string[]; timeoutMs?: number } = {},
): Promise<ServedCertificate> {
  const publicUrl = new URL(config.publicUrl);
  const { host: domain, port } = hostAndPort(publicUrl);
  switch (config.tls.mode) {
    case 'files': {
      const file = config.tls.certFile;
      if (!file) throw errors.config('TLS_CERT_FILE', 'is required with TLS_MODE=files');
      return { pem: await readCertificateFile(file, 'files'), source: `file ${file}`, domain };
    }
    case 'local-ca': {
      // The file ensureLocalCertificate writes (src/server/tls/local-ca.ts): leaf, then the local CA.
      const file = path.join(config.dataDir, 'tls', 'server.pem');
      return { pem: await readCertificateFile(file, 'local-ca'), source: `local CA file ${file}`, domain };
    }
    case 'proxy': {
      const peer = await fetchPeerCertificate({ host: domain, port, ...options });
      return {
        pem: peer.pem,
        source: `served at ${publicUrl.host} by the TLS-terminating front`,
        domain,
        verification: peer.verification,
      };
    }
  }
}

/** The report on a served certificate, with where it was read and whether it is trusted. */
export function servedCertificateReport(
  served: ServedCertificate,
  now = new Date(),
): ServedCertificateReport {
  return {
    ...certificateReport(served.pem, { domain: served.domain, now }),
    source: served.source,
    ...(served.verification ? { verification: served.verification } : {}),
    generatedAt: now.toISOString(),
  };
}

interface CacheEntry {
  at: number;
  report: Promise<ServedCertificateReport>;
}

/**
 * A report on the served certificate, memoised per deployment so that pages and API calls do not each
 * open a TLS connection. Kept in memory for `maxAgeMs` (10 minutes): a renewal shows within that time.
 */
export function createCertificateReportCache(options: { maxAgeMs?: number; now?: () => Date } = {}): {
  fetch(config: Config): Promise<ServedCertificateReport>;
  clear(): void;
} {
  const maxAgeMs = options.maxAgeMs ?? CERTIFICATE_REPORT_MAX_AGE_MS;
  const now = options.now ?? (() => new Date());
  const entries = new Map<string, CacheEntry>();
  return {
    fetch(config) {
      const key = [config.tls.mode, config.tls.certFile ?? '', config.dataDir, config.publicUrl].join('|');
      const at = now().getTime();
      const cached = entries.get(key);
      if (cached && at - cached.at < maxAgeMs) return cached.report;
      const report = servedCertificate(config).then((served) => servedCertificateReport(served, now()));
      entries.set(key, { at, report });
      // A failure is not remembered: the next call tries again.
      report.catch(() => {
        if (entries.get(key)?.report === report) entries.delete(key);
      });
      return report;
    },
    clear() {
      entries.clear();
    },
  };
}

const processCache = createCertificateReportCache();

/** The served certificate's report, cached in memory for 10 minutes (see createCertificateReportCache). */
export function fetchCertificateReport(config: Config): Promise<ServedCertificateReport> {
  return processCache.fetch(config);
}
