import { execFileSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** Key arguments of `openssl req`. */
export const KEY_ARGS = {
  rsa: ['-newkey', 'rsa:2048'],
  ec: ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'],
  ec384: ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-384'],
} as const;

/** Debian's openssl, run in `dir`. */
export function opensslIn(dir: string): (args: readonly string[], input?: Buffer | string) => Buffer {
  return (args, input) =>
    execFileSync('openssl', [...args], { cwd: dir, input, stdio: ['pipe', 'pipe', 'pipe'] });
}

export interface CertFiles {
  /** Paths of `<name>.pem` and `<name>-key.pem` in the folder. */
  certFile: string;
  keyFile: string;
  cert: string;
  key: string;
}

async function filesOf(dir: string, name: string): Promise<CertFiles> {
  const certFile = path.join(dir, `${name}.pem`);
  const keyFile = path.join(dir, `${name}-key.pem`);
  return { certFile, keyFile, cert: await readFile(certFile, 'utf8'), key: await readFile(keyFile, 'utf8') };
}

/** A self-signed CA (`<name>.pem`, `<name>-key.pem`) in `dir`. */
export async function makeCa(
  dir: string,
  options: { name?: string; cn: string; key?: readonly string[]; days?: number },
): Promise<CertFiles> {
  const name = options.name ?? 'ca';
  opensslIn(dir)([
    'req',
    '-x509',
    ...(options.key ?? KEY_ARGS.ec),
    '-nodes',
    '-keyout',
    `${name}-key.pem`,
    '-out',
    `${name}.pem`,
    '-subj',
    `/CN=${options.cn}`,
    '-days',
    String(options.days ?? 365),
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  return filesOf(dir, name);
}

/** A leaf for `san` issued by the CA `ca` through a CSR, as a real CA would, valid `days` from now. */
export async function issueLeaf(
  dir: string,
  options: {
    name: string;
    san: string;
    /** Subject common name; default the file name. */
    cn?: string;
    ca?: string;
    days?: number;
    key?: readonly string[];
    digest?: string;
  },
): Promise<CertFiles> {
  const { name } = options;
  const ca = options.ca ?? 'ca';
  const openssl = opensslIn(dir);
  openssl([
    'req',
    '-new',
    ...(options.key ?? KEY_ARGS.ec),
    '-nodes',
    '-keyout',
    `${name}-key.pem`,
    '-out',
    `${name}.csr`,
    '-subj',
    `/CN=${options.cn ?? name}`,
  ]);
  await writeFile(
    path.join(dir, `${name}.ext`),
    `subjectAltName=${options.san}\nbasicConstraints=critical,CA:FALSE\n`,
  );
  openssl([
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    `${ca}.pem`,
    '-CAkey',
    `${ca}-key.pem`,
    '-CAcreateserial',
    '-days',
    String(options.days ?? 90),
    `-${options.digest ?? 'sha256'}`,
    '-extfile',
    `${name}.ext`,
    '-out',
    `${name}.pem`,
  ]);
  return filesOf(dir, name);
}
