import { type Db, openDatabase } from '../db/index.ts';
import { loadCliConfig } from './load-cli-config.ts';

/** Who the audit trail names for changes made with the CLI. */
export const CLI_ACTOR = { type: 'system' as const, id: 'trellis-cli', name: 'trellis CLI' };

/** Runs a one-shot command against the migrated database as the RLS-bound application role. */
export async function withDb<T>(fn: (db: Db) => Promise<T>): Promise<T> {
  const config = loadCliConfig();
  const db = await openDatabase({
    url: config.database.url,
    appUrl: config.database.appUrl,
    dataDir: config.dataDir,
  });
  try {
    await db.migrate();
    return await fn(db);
  } finally {
    await db.close();
  }
}
