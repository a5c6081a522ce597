import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../../config.ts';
import { openDatabase, pendingMigrations } from '../../db/index.ts';
import { createBlobStore, createCache, createKeyProvider } from '../../runtime/index.ts';

export type Verdict = 'ok' | 'warn' | 'fail';

export interface CheckLine {
  check: string;
  verdict: Verdict;
  detail: string;
}

const DAY = 86_400_000;
/** Certificates expiring sooner than this are reported (Mozilla recommends 90-day certificates). */
export const CERT_WARN_DAYS = 30;

async function attempt(
  check: string,
  fn: () => Promise<Omit<CheckLine, 'check'>>,
  timeoutMs = 10_000,
): Promise<CheckLine> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const result = await Promise.race([
      fn(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs / 1000} s`)), timeoutMs);
      }),
    ]);
    return { check, ...result };
  } catch (error) {
    return {
      check,
      verdict: 'fail',
      detail: (error as Error).message.split('\n')[0]?.slice(0, 160) ?? 'failed',
    };
  } finally {
    clearTimeout(timer);
  }
}

/** Reads the served certificate (local CA or files mode) and judges its expiry. */
export async function certificateCheck(config: Config, now = Date.now()): Promise<Omit<CheckLine, 'check'>> {
  if (config.tls.mode === 'proxy')
    return { verdict: 'ok', detail: 'TLS terminates at the proxy; check its certificate there' };
  const file =
    config.tls.mode === 'files' ? config.tls.certFile : path.join(config.dataDir, 'tls', 'server.pem');
  if (!file) return { verdict: 'fail', detail: 'no certificate file configured' };
  let pem: string;
  try {
    pem = await readFile(file, 'utf8');
  } catch {
    if (config.tls.mode === 'local-ca')
      return { verdict: 'ok', detail: 'not issued yet; the first start creates it' };
    throw new Error(`cannot read ${file}`);
  }
  const cert = new X509Certificate(pem);
  const remaining = new Date(cert.validTo).getTime() - now;
  const days = Math.floor(remaining / DAY);
  const subject = cert.subjectAltName ?? cert.subject;
  if (remaining <= 0) return { verdict: 'fail', detail: `expired on ${cert.validTo} (${subject})` };
  if (days < CERT_WARN_DAYS) {
    const renew = config.tls.mode === 'local-ca' ? 'renewed automatically at next start' : 'renew it now';
    return { verdict: 'warn', detail: `expires in ${days} days (${cert.validTo}); ${renew}` };
  }
  return { verdict: 'ok', detail: `valid for ${days} more days (${subject})` };
}

/** Every dependency, probed for real; each line says what was checked and how it went. */
export async function runDoctorChecks(config: Config): Promise<CheckLine[]> {
  const lines: CheckLine[] = [
    {
      check: 'configuration',
      verdict: 'ok',
      detail: `${config.tls.mode} TLS on ${config.host}:${config.port}; ${config.database.url ? 'PostgreSQL' : 'embedded PGlite'}; ${config.redisUrl ? 'Redis' : 'in-process'} cache; ${config.blob.backend} blobs; ${config.keys.provider} keys`,
    },
  ];

  lines.push(
    await attempt('database', async () => {
      const db = await openDatabase({
        url: config.database.url,
        appUrl: config.database.appUrl,
        dataDir: config.dataDir,
        poolMax: 1,
      });
      try {
        await db.ping();
        const pending = await pendingMigrations(db.app);
        const { role } = await db.assertSafeRole().catch(async (error: Error) => {
          // Before the first migration the app role does not exist yet; that is a pending-migration warning.
          if (pending.length > 0) return { role: '(not created yet)' };
          throw error;
        });
        if (pending.length > 0)
          return {
            verdict: 'warn',
            detail: `${pending.length} pending migration(s): run "trellis db migrate"`,
          };
        return {
          verdict: 'ok',
          detail: `${db.kind}, schema up to date, app role ${role} is bound by row-level security`,
        };
      } finally {
        await db.close();
      }
    }),
  );

  lines.push(
    await attempt('cache', async () => {
      const cache = createCache(config);
      try {
        const key = `doctor:${process.pid}:${Date.now()}`;
        await cache.set(key, { ok: true }, 10_000);
        const back = await cache.get<{ ok: boolean }>(key);
        await cache.delete(key);
        if (!back?.ok) throw new Error('value written was not read back');
        return { verdict: 'ok', detail: `${cache.name}: write, read, delete` };
      } finally {
        await cache.close();
      }
    }),
  );

  lines.push(
    await attempt('blob store', async () => {
      const blobs = createBlobStore(config);
      const key = `doctor/probe-${process.pid}-${Date.now()}.txt`;
      await blobs.put(key, Buffer.from('trellis doctor'), 'text/plain');
      const back = await blobs.get(key);
      await blobs.delete(key);
      if (back?.data.toString() !== 'trellis doctor') throw new Error('blob written was not read back');
      return { verdict: 'ok', detail: `${blobs.name}: write, read, delete` };
    }),
  );

  lines.push(
    await attempt('key provider', async () => {
      const keys = await createKeyProvider(config);
      await keys.ping();
      return {
        verdict: 'ok',
        detail: `${keys.name}: wrap/unwrap round trip with ${await keys.currentKeyId()}`,
      };
    }),
  );

  lines.push(await attempt('certificate', () => certificateCheck(config)));
  return lines;
}
