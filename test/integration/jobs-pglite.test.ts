import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe } from 'node:test';
import { openDatabase } from '../../src/db/index.ts';
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
