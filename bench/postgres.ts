// Throw-away PostgreSQL databases for the benchmarks on the machine's server, as the server test suites
// make theirs (test/servers/postgres.ts): created with a random name, dropped with force afterwards.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { processCpuMs } from './cpu.ts';

/** The machine's PostgreSQL (trust auth), the default of `BENCH_POSTGRES_URL`. */
export const DEFAULT_POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/test';

async function asAdmin(adminUrl: string, sql: string, values: unknown[] = []): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await client.query(sql, values);
  } finally {
    await client.end();
  }
}

/** Creates an empty database through `adminUrl` (a login that may create and drop databases). */
export async function createBenchDatabase(
  adminUrl: string,
): Promise<{ name: string; url: string; drop: () => Promise<void> }> {
  const name = `trellis_bench_${randomBytes(6).toString('hex')}`;
  await asAdmin(adminUrl, `create database ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    drop: async () => {
      await asAdmin(adminUrl, `drop database if exists ${name} with (force)`);
    },
  };
}

/**
 * CPU milliseconds used so far by each server process (backend) connected to `database` on this
 * machine, by pid: the database work of the processes under test, apart from the rest of the server.
 */
export async function backendCpuMs(adminUrl: string, database: string): Promise<Map<number, number>> {
  const { rows } = await asAdmin(adminUrl, 'select pid from pg_stat_activity where datname = $1', [database]);
  const pids = rows.map((r: { pid: number }) => r.pid);
  const cpu = await Promise.all(pids.map(processCpuMs));
  return new Map(pids.map((pid, i) => [pid, cpu[i] ?? 0]));
}

/** CPU seconds the backends used between two `backendCpuMs` readings (those gone meanwhile are missed). */
export function backendCpuSeconds(before: Map<number, number>, after: Map<number, number>): number {
  let ms = 0;
  for (const [pid, used] of after) ms += used - (before.get(pid) ?? 0);
  return ms / 1000;
}
