import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Kysely, sql } from 'kysely';
import { AppError, ErrorCode } from '../errors/index.ts';
import type { Database } from './schema.ts';

export const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url));

/** Arbitrary, fixed: serialises migrations across every instance starting at once. */
const MIGRATION_LOCK_ID = 727_310_001;

export interface Migration {
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

export interface MigrationReport {
  applied: string[];
  alreadyApplied: number;
}

function label(m: Migration): string {
  return `${String(m.version).padStart(4, '0')}_${m.name}`;
}

/** Numbered SQL files `NNNN_name.sql`, in order. */
export async function loadMigrations(dir = MIGRATIONS_DIR): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.sql')).sort();
  const migrations: Migration[] = [];
  for (const file of files) {
    const match = /^(\d{4})_([a-z0-9_]+)\.sql$/.exec(file);
    if (!match?.[1] || !match[2]) {
      throw new AppError(ErrorCode.MigrationFailed, `Migration file name "${file}" is not NNNN_name.sql`);
    }
    const text = await readFile(path.join(dir, file), 'utf8');
    const version = Number(match[1]);
    if (migrations.some((m) => m.version === version)) {
      throw new AppError(ErrorCode.MigrationFailed, `Two migrations share version ${version}`);
    }
    migrations.push({
      version,
      name: match[2],
      sql: text,
      checksum: createHash('sha256').update(text).digest('hex'),
    });
  }
  return migrations;
}

/**
 * Applies pending migrations as the schema owner, each in its own transaction, under an advisory
 * lock so that instances starting together apply each migration once. Running it again is harmless.
 * @throws AppError(migration_failed) when a migration fails or an applied one was edited.
 */
export async function migrate(owner: Kysely<Database>, migrations?: Migration[]): Promise<MigrationReport> {
  const all = migrations ?? (await loadMigrations());
  return owner.connection().execute(async (conn) => {
    await sql`select pg_advisory_lock(${MIGRATION_LOCK_ID})`.execute(conn);
    try {
      await sql`create table if not exists schema_migrations (
        version integer primary key,
        name text not null,
        checksum text not null,
        applied_at timestamptz not null default now()
      )`.execute(conn);
      const rows = await conn
        .selectFrom('schema_migrations')
        .select(['version', 'name', 'checksum'])
        .execute();
      const done = new Map(rows.map((r) => [r.version, r]));
      const applied: string[] = [];
      for (const m of all) {
        const previous = done.get(m.version);
        if (previous) {
          if (previous.checksum !== m.checksum) {
            throw new AppError(
              ErrorCode.MigrationFailed,
              `Migration ${label(m)} was changed after it was applied; add a new migration instead`,
            );
          }
          continue;
        }
        try {
          await conn.transaction().execute(async (trx) => {
            await sql.raw(m.sql).execute(trx);
            await trx
              .insertInto('schema_migrations')
              .values({ version: m.version, name: m.name, checksum: m.checksum })
              .execute();
          });
        } catch (cause) {
          throw new AppError(
            ErrorCode.MigrationFailed,
            `Migration ${label(m)} failed: ${(cause as Error).message}`,
            {
              cause,
            },
          );
        }
        applied.push(label(m));
      }
      return { applied, alreadyApplied: all.length - applied.length };
    } finally {
      await sql`select pg_advisory_unlock(${MIGRATION_LOCK_ID})`.execute(conn);
    }
  });
}

/** Versions not yet applied (for `trellis doctor`). */
export async function pendingMigrations(db: Kysely<Database>): Promise<string[]> {
  const all = await loadMigrations();
  let applied = new Set<number>();
  try {
    const rows = await db.selectFrom('schema_migrations').select('version').execute();
    applied = new Set(rows.map((r) => r.version));
  } catch {
    // No table yet: everything is pending.
  }
  return all.filter((m) => !applied.has(m.version)).map(label);
}
