import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after } from 'node:test';
import { createMemoryCache } from '../../src/cache/index.ts';
import { createLocalBlobStore } from '../../src/storage/index.ts';
import { blobContract } from '../contracts/blob-contract.ts';
import { cacheContract } from '../contracts/cache-contract.ts';

const dir = await mkdtemp(path.join(tmpdir(), 'trellis-blobs-'));
after(() => rm(dir, { recursive: true, force: true }));

cacheContract('in-process LRU', () => createMemoryCache());
blobContract('local folder', () => createLocalBlobStore(dir));
