import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after } from 'node:test';
import { openDatabase } from '../../src/db/index.ts';
import { dbContract } from '../contracts/db-contract.ts';

const dir = await mkdtemp(path.join(tmpdir(), 'trellis-db-'));
after(() => rm(dir, { recursive: true, force: true }));

dbContract('embedded PGlite', () => openDatabase({ url: undefined, dataDir: dir }));
