import { getConstructionPlans } from 'pg-boss';
import { APP_ROLE, type Db } from '../db/index.ts';

/** pg-boss's schema: platform-level (jobs carry their tenant in their data), never tenant-scoped. */
export const JOB_SCHEMA = 'pgboss';

/** Serialises installers: instances starting together would otherwise both create the schema, or grant at
 * once and fail with PostgreSQL's `tuple concurrently updated`. (64 bits of `trellis.install-job-schema`.) */
const INSTALL_LOCK = "hashtextextended('trellis.install-job-schema', 0)";

/**
 * Installs pg-boss's schema as the owner when it is missing, then lets the app role use it. The
 * app role may create tables there only: pg-boss adds a partition per queue as queues appear. Under a
 * session-level advisory lock, so that any number of processes may start at once.
 */
export async function installJobSchema(db: Db): Promise<{ installed: boolean }> {
  return db.executeAsOwner(async (run) => {
    await run(`select pg_advisory_lock(${INSTALL_LOCK})`);
    try {
      const rows = await run(`select to_regclass('${JOB_SCHEMA}.version') is not null as present`);
      const present = (rows[0] as { present?: boolean } | undefined)?.present === true;
      if (!present) await run(getConstructionPlans(JOB_SCHEMA));
      await run(`
        GRANT USAGE, CREATE ON SCHEMA ${JOB_SCHEMA} TO ${APP_ROLE};
        GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA ${JOB_SCHEMA} TO ${APP_ROLE};
        GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA ${JOB_SCHEMA} TO ${APP_ROLE};
        GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA ${JOB_SCHEMA} TO ${APP_ROLE};
      `);
      return { installed: !present };
    } finally {
      // After a failure the session may be in an aborted transaction: closing it releases the lock.
      await run(`select pg_advisory_unlock(${INSTALL_LOCK})`).catch(() => undefined);
    }
  });
}
