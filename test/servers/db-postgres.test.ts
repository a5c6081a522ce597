import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { openDatabase } from '../../src/db/index.ts';
import { AppError } from '../../src/errors/index.ts';
import { auditContract } from '../contracts/audit-contract.ts';
import { dbContract } from '../contracts/db-contract.ts';
import { createTestDatabase } from './postgres.ts';

const database = await createTestDatabase();
after(() => database.drop());

// The owner login (a superuser here) migrates; the app drops to trellis_app with SET ROLE.
auditContract('PostgreSQL', () => openDatabase({ url: database.url, dataDir: '/nonexistent', poolMax: 4 }));

dbContract('PostgreSQL, SET ROLE on the owner login', () =>
  openDatabase({ url: database.url, dataDir: '/nonexistent', poolMax: 4 }),
);

describe('PostgreSQL with a separate application login', () => {
  const login = `trellis_web_${randomBytes(4).toString('hex')}`;
  let admin: pg.Client;
  before(async () => {
    admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    await admin.query(`create role ${login} login nosuperuser nobypassrls in role trellis_app`);
  });
  after(async () => {
    await admin.query(`drop role if exists ${login}`);
    await admin.end();
  });

  test('a member of trellis_app passes the safety check and is bound by RLS', async () => {
    const appUrl = new URL(database.url);
    appUrl.username = login;
    const db = await openDatabase({ url: database.url, appUrl: appUrl.toString(), dataDir: '/nonexistent' });
    try {
      await db.migrate();
      const { role } = await db.assertSafeRole();
      assert.equal(role, login);
      const rows = await db.app.transaction().execute((tx) => tx.selectFrom('tenants').selectAll().execute());
      assert.equal(rows.length, 0, 'no tenant set: nothing visible');
    } finally {
      await db.close();
    }
  });

  test('an application login that can bypass RLS is refused at start', async () => {
    // Pointing the app at the superuser login must be caught, not silently trusted.
    const db = await openDatabase({ url: database.url, appUrl: database.url, dataDir: '/nonexistent' });
    try {
      await assert.rejects(
        db.assertSafeRole(),
        (e: unknown) => e instanceof AppError && e.code === 'database_unsafe_role',
      );
    } finally {
      await db.close();
    }
  });
});
