import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { openDatabase } from '../../src/db/index.ts';
import { createJobQueue } from '../../src/jobs/index.ts';
import { createLogger } from '../../src/telemetry/index.ts';
import { jobsContract } from '../contracts/jobs-contract.ts';

describe('durable jobs on embedded PGlite', () => {
  jobsContract(async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'trellis-jobs-'));
    const db = await openDatabase({ url: undefined, dataDir: dir });
    return {
      db,
      shared: false,
      close: async () => {
        await db.close();
        await rm(dir, { recursive: true, force: true });
      },
    };
  });
});

describe('schedules follow the code', () => {
  test('a schedule an earlier version registered is retired when a version without it starts', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'trellis-jobs-'));
    const db = await openDatabase({ url: undefined, dataDir: dir });
    const log = createLogger('silent');
    const scheduled = async () =>
      (
        (await db.executeSql('select name from pgboss.schedule order by name')).rows as { name: string }[]
      ).map((r) => r.name);
    try {
      await db.migrate();
      const before = createJobQueue({ db, log });
      before.define('old.sweep', {}, async () => {});
      before.define('kept.report', {}, async () => {});
      await before.schedule('old.sweep', '*/5 * * * *');
      await before.schedule('kept.report', '0 6 * * *');
      await before.start();
      await before.stop(1000);
      assert.deepEqual(await scheduled(), ['kept.report', 'old.sweep']);

      const upgraded = createJobQueue({ db, log });
      upgraded.define('kept.report', {}, async () => {});
      await upgraded.schedule('kept.report', '0 6 * * *');
      await upgraded.start();
      await upgraded.stop(1000);
      assert.deepEqual(await scheduled(), ['kept.report']);

      // A process that only enqueues (the CLI) leaves the schedules alone.
      const cli = createJobQueue({ db, log });
      await cli.start({ workers: false });
      await cli.stop(1000);
      assert.deepEqual(await scheduled(), ['kept.report']);
    } finally {
      await db.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
