import { describe } from 'node:test';
import { openDatabase } from '../../src/db/index.ts';
import { jobsContract } from '../contracts/jobs-contract.ts';
import { createTestDatabase } from './postgres.ts';

describe('durable jobs on PostgreSQL', () => {
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
