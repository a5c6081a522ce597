import { randomBytes } from 'node:crypto';
import { describe } from 'node:test';
import pg from 'pg';
import { openDatabase } from '../../src/db/index.ts';
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
