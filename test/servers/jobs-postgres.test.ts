import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import pg from 'pg';
import { openDatabase } from '../../src/db/index.ts';
import { installJobSchema, JOB_SCHEMA } from '../../src/jobs/install-job-schema.ts';
import { jobsContract } from '../contracts/jobs-contract.ts';
import { ADMIN_URL, createTestDatabase } from './postgres.ts';

describe('durable jobs on PostgreSQL (owner login, SET ROLE)', () => {
  jobsContract(async () => {
    const database = await createTestDatabase();
    const db = await openDatabase({ url: database.url, dataDir: '/nonexistent' });
    return {
      db,
      shared: true,
      close: async () => {
        await db.close();
        await database.drop();
      },
    };
  });
});

describe('durable jobs on PostgreSQL with a separate application login', () => {
  // The owner installs pg-boss's schema; the application login (a member of trellis_app) runs it.
  jobsContract(async () => {
    const database = await createTestDatabase();
    const owner = await openDatabase({ url: database.url, dataDir: '/nonexistent' });
    await owner.migrate();
    await owner.close();
    const login = `trellis_jobs_${randomBytes(4).toString('hex')}`;
    // Roles are cluster-wide: created from the admin database, which outlives this one.
    const admin = new pg.Client({ connectionString: ADMIN_URL });
    await admin.connect();
    await admin.query(`create role ${login} login nosuperuser nobypassrls in role trellis_app`);
    const appUrl = new URL(database.url);
    appUrl.username = login;
    const db = await openDatabase({ url: database.url, appUrl: appUrl.toString(), dataDir: '/nonexistent' });
    await db.assertSafeRole();
    return {
      db,
      shared: true,
      close: async () => {
        await db.close();
        await database.drop();
        await admin.query(`drop role if exists ${login}`);
        await admin.end();
      },
    };
  });
});

describe("pg-boss's schema installed by instances starting together", () => {
  it('eight installers at once: one creates the schema, none fails, the app role can use it', async () => {
    const database = await createTestDatabase();
    // One connection pool per "instance", as separate processes have.
    const instances = await Promise.all(
      Array.from({ length: 8 }, () => openDatabase({ url: database.url, dataDir: '/nonexistent' })),
    );
    try {
      await instances[0]?.migrate();
      // Before the lock, concurrent GRANTs failed with `tuple concurrently updated` and two
      // installers that both saw no schema both ran pg-boss's construction.
      for (let round = 0; round < 3; round++) {
        const results = await Promise.allSettled(instances.map((db) => installJobSchema(db)));
        const failed = results.filter((r) => r.status === 'rejected');
        assert.deepEqual(
          failed.map((r) => String((r as PromiseRejectedResult).reason)),
          [],
          `round ${round}: every installer succeeds`,
        );
        const installed = results.filter((r) => r.status === 'fulfilled' && r.value.installed).length;
        assert.equal(installed, round === 0 ? 1 : 0, `round ${round}: the schema is created once`);
      }
      const reader = instances[1];
      assert.ok(reader);
      const { rows } = await reader.executeSql(`select count(*)::int as n from ${JOB_SCHEMA}.queue`);
      assert.equal((rows[0] as { n: number }).n, 0, 'the app role reads the job tables');
    } finally {
      await Promise.all(instances.map((db) => db.close()));
      await database.drop();
    }
  });
});
