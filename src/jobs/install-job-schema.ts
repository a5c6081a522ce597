import { getConstructionPlans } from 'pg-boss';
import { APP_ROLE, type Db } from '../db/index.ts';

/** pg-boss's schema: platform-level (jobs carry their tenant in their data), never tenant-scoped. */
export const JOB_SCHEMA = 'pgboss';

/**
 * Installs pg-boss's schema as the owner when it is missing, then lets the app role use it. The
 * app role may create tables there only: pg-boss adds a partition per queue as queues appear.
 */
export async function installJobSchema(db: Db): Promise<{ installed: boolean }> {
  const { rows } = await db.executeSql(`select to_regclass('${JOB_SCHEMA}.version') is not null as present`);
  const present = (rows[0] as { present?: boolean } | undefined)?.present === true;
  if (!present) await db.executeAsOwner(getConstructionPlans(JOB_SCHEMA));
  await db.executeAsOwner(`
    GRANT USAGE, CREATE ON SCHEMA ${JOB_SCHEMA} TO ${APP_ROLE};
    GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA ${JOB_SCHEMA} TO ${APP_ROLE};
    GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA ${JOB_SCHEMA} TO ${APP_ROLE};
    GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA ${JOB_SCHEMA} TO ${APP_ROLE};
  `);
  return { installed: !present };
}
