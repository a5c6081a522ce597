import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after } from 'node:test';
import { openDatabase } from '../../src/db/index.ts';
import { auditContract } from '../contracts/audit-contract.ts';
import { dbContract } from '../contracts/db-contract.ts';

const dir = await mkdtemp(path.join(tmpdir(), 'trellis-db-'));
after(() => rm(dir, { recursive: true, force: true }));

dbContract('embedded PGlite', () => openDatabase({ url: undefined, dataDir: dir }));

const auditDir = await mkdtemp(path.join(tmpdir(), 'trellis-audit-'));
after(() => rm(auditDir, { recursive: true, force: true }));
auditContract('embedded PGlite', () => openDatabase({ url: undefined, dataDir: auditDir }));
