import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after } from 'node:test';
import { createRedisCache } from '../../src/cache/index.ts';
import { createAzureBlobStore } from '../../src/storage/index.ts';
import { blobContract } from '../contracts/blob-contract.ts';
import { cacheContract } from '../contracts/cache-contract.ts';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/0';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** Azurite from the npm package, in memory, on a free port; the well-known development account. */
async function startAzurite(): Promise<{ connectionString: string; stop: () => Promise<void> }> {
  const port = await freePort();
  const dir = await mkdtemp(path.join(tmpdir(), 'trellis-azurite-'));
  const bin = path.join(process.cwd(), 'node_modules', 'azurite', 'dist', 'src', 'blob', 'main.js');
  const child = spawn(
    process.execPath,
    [
      bin,
      '--blobHost',
      '127.0.0.1',
      '--blobPort',
      String(port),
      '--inMemoryPersistence',
      '--skipApiVersionCheck',
      '--disableTelemetry',
    ],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      cwd: dir,
    },
  );
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Azurite did not start: ${output}`)), 30_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (/successfully listens/i.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`Azurite exited ${code}: ${output}`)));
  });
  const key = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';
  return {
    connectionString: `DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=${key};BlobEndpoint=http://127.0.0.1:${port}/devstoreaccount1;`,
    stop: async () => {
      child.kill('SIGTERM');
      await rm(dir, { recursive: true, force: true });
    },
  };
}

const azurite = await startAzurite();
after(() => azurite.stop());

cacheContract('Redis', () => createRedisCache(REDIS_URL, { prefix: `trellis-test:${process.pid}:` }));
blobContract('Azure Blob Storage (Azurite)', () =>
  createAzureBlobStore({ connectionString: azurite.connectionString, container: 'trellis-contract' }),
);
