import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { CompiledQuery, Kysely, PostgresDialect, sql, type Transaction } from 'kysely';
import pg from 'pg';
import { AppError, ErrorCode, errors } from '../errors/index.ts';
import { kyselyQueryLog, traceRawQuery } from '../telemetry/db-spans.ts';
import { type MigrationReport, migrate } from './migrate.ts';
import { PGliteDialect } from './pglite-dialect.ts';
import type { Database } from './schema.ts';

export const APP_ROLE = 'trellis_app';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export type Tx = Transaction<Database>;

export interface DatabaseOptions {
  /** PostgreSQL owner connection string; undefined selects embedded PGlite in `dataDir`. */
  url: string | undefined;
  appUrl?: string | undefined;
  dataDir: string;
  poolMax?: number;
}

/** The application's view of the database: every tenant-scoped access goes through `withTenant`. */
export interface Db {
  readonly kind: 'pglite' | 'postgres';
  /** Runs `fn` in a transaction whose tenant is set with SET LOCAL; RLS confines it to that tenant. */
  withTenant<T>(tenantId: string, fn: (tx: Tx) => Promise<T>): Promise<T>;
  /** Platform-admin transaction (tenant onboarding, key re-wrapping): sees every tenant. */
  withPlatform<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  /** Applies pending migrations as the owner. */
  migrate(): Promise<MigrationReport>;
  /** Cheap round trip for readiness. */
  ping(): Promise<void>;
  /** Confirms the app's role cannot bypass row-level security. @throws AppError(database_unsafe_role) */
  assertSafeRole(): Promise<{ role: string }>;
  close(): Promise<void>;
  /** The raw app-role handle, for queries that are not tenant-scoped by design (none yet). */
  readonly app: Kysely<Database>;
  /**
   * Raw SQL as the app role, outside any tenant (the job queue's own tables): parameters as $1…,
   * several statements allowed without parameters; rows of every statement are returned.
   */
  executeSql(text: string, values?: readonly unknown[]): Promise<{ rows: unknown[] }>;
  /**
   * Raw SQL as the schema owner (installing a library's schema during start-up), in one session:
   * `work` gets a function running one script and returning its rows (of every statement).
   */
  executeAsOwner<T>(work: (run: (text: string) => Promise<unknown[]>) => Promise<T>): Promise<T>;
}

/** Opens PGlite or PostgreSQL. The app connection runs as `trellis_app`, which RLS binds. */
export async function openDatabase(options: DatabaseOptions): Promise<Db> {
  if (options.url === undefined) return openPglite(options.dataDir);
  return openPostgres(options.url, options.appUrl, options.poolMax ?? 10);
}

async function openPglite(dataDir: string): Promise<Db> {
  const dir = path.join(dataDir, 'db');
  await mkdir(dir, { recursive: true });
  const releaseLock = await lockEmbedded(path.join(dataDir, 'db.lock'));
  let pglite: PGlite;
  try {
    pglite = new PGlite(dir);
    await pglite.waitReady;
  } catch (error) {
    await releaseLock();
    throw error;
  }
  // One connection: the owner (the PGlite superuser) migrates; otherwise the session runs as the
  // app role, which row-level security binds, as soon as the schema (and so the role) exists.
  // Every query is a span of the trace it runs in (see telemetry/db-spans.ts).
  const kysely = new Kysely<Database>({ dialect: new PGliteDialect(pglite), log: kyselyQueryLog });
  const enterAppRole = async (on: Kysely<Database> = kysely) => {
    const { rows } = await sql<{
      n: number;
    }>`select count(*)::int as n from pg_roles where rolname = ${APP_ROLE}`.execute(on);
    if (rows[0]?.n) await sql`set role ${sql.id(APP_ROLE)}`.execute(on);
  };
  await enterAppRole();
  return buildDb('pglite', kysely, {
    executeSql: async (text, values = []) => {
      const result = await kysely.executeQuery(CompiledQuery.raw(text, [...values]));
      return { rows: result.rows as unknown[] };
    },
    // One connection: hold it so nothing else runs while the session is the owner.
    executeAsOwner: (work) =>
      kysely.connection().execute(async (conn) => {
        await sql`reset role`.execute(conn);
        try {
          return await work(async (text) => (await conn.executeQuery(CompiledQuery.raw(text))).rows);
        } finally {
          await enterAppRole(conn);
        }
      }),
    migrate: async () => {
      await sql`reset role`.execute(kysely);
      const report = await migrate(kysely);
      await enterAppRole();
      return report;
    },
    close: async () => {
      await kysely.destroy();
      await pglite.close();
      await releaseLock();
    },
  });
}

/**
 * PGlite is one process's database: a second process opening the same folder would corrupt it.
 * A lock file with the holder's pid refuses that (a stale lock of a dead process is taken over).
 */
async function lockEmbedded(file: string): Promise<() => Promise<void>> {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await writeFile(file, String(process.pid), { flag: 'wx' });
      return async () => {
        await rm(file, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number((await readFile(file, 'utf8').catch(() => '')).trim());
      if (holder && holder !== process.pid && isAlive(holder)) {
        throw new AppError(
          ErrorCode.Unavailable,
          `The embedded database in ${path.dirname(file)} is in use by process ${holder}; stop it first (or use DATABASE_URL)`,
        );
      }
      await rm(file, { force: true });
    }
  }
  throw new AppError(ErrorCode.Unavailable, `Cannot lock the embedded database (${file})`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function openPostgres(url: string, appUrl: string | undefined, poolMax: number): Promise<Db> {
  const appPool = new pg.Pool({
    connectionString: appUrl ?? url,
    max: poolMax,
    connectionTimeoutMillis: 10_000,
  });
  appPool.on('error', () => {
    // An idle client lost its connection; the pool replaces it. Surfaced by readiness, not a crash.
  });
  const app = new Kysely<Database>({
    log: kyselyQueryLog,
    dialect: new PostgresDialect({
      pool: appPool,
      // With one login for both, drop to the app role on every new connection.
      ...(appUrl
        ? {}
        : {
            onCreateConnection: async (conn) => {
              await conn.executeQuery(CompiledQuery.raw(`set role ${APP_ROLE}`));
            },
          }),
    }),
  });
  // Raw statements (the job queue's) run on pg directly: Kysely keeps one result per query, pg
  // returns every statement's. Same role as the app: its own login, or the owner dropped to it.
  const rawPool = new pg.Pool({
    connectionString: appUrl ?? url,
    max: Math.max(2, Math.ceil(poolMax / 2)),
    connectionTimeoutMillis: 10_000,
    ...(appUrl ? {} : { options: `-c role=${APP_ROLE}` }),
  });
  rawPool.on('error', () => {});
  return buildDb('postgres', app, {
    executeSql: async (text, values = []) => {
      const result = (await traceRawQuery(text, () => rawPool.query(text, [...values]))) as
        pg.QueryResult | pg.QueryResult[];
      return { rows: Array.isArray(result) ? result.flatMap((r) => r.rows ?? []) : result.rows };
    },
    executeAsOwner: async (work) => {
      const owner = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
      await owner.connect();
      try {
        return await work(async (text) => {
          const result = (await owner.query(text)) as pg.QueryResult | pg.QueryResult[];
          return Array.isArray(result) ? result.flatMap((r) => r.rows ?? []) : result.rows;
        });
      } finally {
        await owner.end();
      }
    },
    migrate: async () => {
      const ownerPool = new pg.Pool({ connectionString: url, max: 1, connectionTimeoutMillis: 10_000 });
      const owner = new Kysely<Database>({ dialect: new PostgresDialect({ pool: ownerPool }) });
      try {
        return await migrate(owner);
      } finally {
        await owner.destroy();
      }
    },
    close: async () => {
      await Promise.allSettled([app.destroy(), rawPool.end()]);
    },
  });
}

function buildDb(
  kind: Db['kind'],
  app: Kysely<Database>,
  ops: {
    migrate: () => Promise<MigrationReport>;
    close: () => Promise<void>;
    executeSql: Db['executeSql'];
    executeAsOwner: Db['executeAsOwner'];
  },
): Db {
  return {
    kind,
    app,
    executeSql: ops.executeSql,
    executeAsOwner: ops.executeAsOwner,
    async withTenant(tenantId, fn) {
      if (!UUID.test(tenantId)) throw errors.tenantRequired();
      return app.transaction().execute(async (tx) => {
        await sql`select set_config('app.tenant_id', ${tenantId}, true)`.execute(tx);
        return fn(tx);
      });
    },
    async withPlatform(fn) {
      return app.transaction().execute(async (tx) => {
        await sql`select set_config('app.platform', 'on', true)`.execute(tx);
        return fn(tx);
      });
    },
    migrate: ops.migrate,
    async ping() {
      await sql`select 1`.execute(app);
    },
    async assertSafeRole() {
      const { rows } = await sql<{ role: string; super: boolean; bypass: boolean; owns: boolean }>`
        select current_user as role, r.rolsuper as super, r.rolbypassrls as bypass,
          exists (select 1 from pg_tables t where t.schemaname = 'public' and t.tablename = 'tenants'
                    and t.tableowner = current_user) as owns
        from pg_roles r where r.rolname = current_user`.execute(app);
      const row = rows[0];
      if (!row || row.super || row.bypass || row.owns) {
        throw new AppError(
          ErrorCode.DatabaseUnsafeRole,
          `The application connects as "${row?.role ?? '?'}", which can bypass row-level security ` +
            '(superuser, BYPASSRLS or table owner). Use a member of trellis_app (see docs/self-hosting.md).',
        );
      }
      return { role: row.role };
    },
    close: ops.close,
  };
}
