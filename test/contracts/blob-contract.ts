import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { AppError } from '../../src/errors/index.ts';
import type { BlobStore } from '../../src/storage/index.ts';

/** The behaviour every BlobStore backend must have; run against the local folder and Azurite alike. */
export function blobContract(name: string, open: () => Promise<BlobStore> | BlobStore): void {
  describe(`blob contract: ${name}`, () => {
    let store: BlobStore | undefined;
    const get = async () => {
      store ??= await open();
      return store;
    };
    const prefix = `contract-${randomUUID()}`;

    test('put then get returns the same bytes and content type', async () => {
      const s = await get();
      const data = Buffer.from([0, 1, 2, 250, 251, 252, 10, 13]);
      const info = await s.put(`${prefix}/icons/a.png`, data, 'image/png');
      assert.deepEqual(info, { key: `${prefix}/icons/a.png`, size: data.length, contentType: 'image/png' });
      const back = await s.get(`${prefix}/icons/a.png`);
      assert.ok(back);
      assert.ok(back.data.equals(data));
      assert.equal(back.contentType, 'image/png');
      assert.equal(back.size, data.length);
    });

    test('put overwrites', async () => {
      const s = await get();
      await s.put(`${prefix}/doc.txt`, Buffer.from('one'), 'text/plain');
      await s.put(`${prefix}/doc.txt`, Buffer.from('two!'), 'text/plain; charset=utf-8');
      const back = await s.get(`${prefix}/doc.txt`);
      assert.equal(back?.data.toString(), 'two!');
      assert.equal(back?.contentType, 'text/plain; charset=utf-8');
    });

    test('a missing blob is undefined; deleting it is fine', async () => {
      const s = await get();
      assert.equal(await s.get(`${prefix}/nope.bin`), undefined);
      await s.delete(`${prefix}/nope.bin`);
    });

    test('list returns blobs under a prefix, sorted, and only those', async () => {
      const s = await get();
      await s.put(`${prefix}/list/b.txt`, Buffer.from('b'), 'text/plain');
      await s.put(`${prefix}/list/a.txt`, Buffer.from('aa'), 'text/plain');
      await s.put(`${prefix}/list/sub/c.txt`, Buffer.from('ccc'), 'text/plain');
      await s.put(`${prefix}/other/d.txt`, Buffer.from('d'), 'text/plain');
      const listed = await s.list(`${prefix}/list/`);
      assert.deepEqual(
        listed.map((b) => [b.key, b.size]),
        [
          [`${prefix}/list/a.txt`, 2],
          [`${prefix}/list/b.txt`, 1],
          [`${prefix}/list/sub/c.txt`, 3],
        ],
      );
    });

    test('delete removes the blob', async () => {
      const s = await get();
      await s.put(`${prefix}/gone.txt`, Buffer.from('x'), 'text/plain');
      await s.delete(`${prefix}/gone.txt`);
      assert.equal(await s.get(`${prefix}/gone.txt`), undefined);
    });

    test('keys that could escape the store and bad content types are refused before any I/O', async () => {
      const s = await get();
      for (const bad of [
        '../etc/passwd',
        `${prefix}/../x`,
        '/abs',
        `${prefix}//double`,
        `${prefix}/sp ace`,
        '',
      ]) {
        await assert.rejects(
          s.put(bad, Buffer.from('x'), 'text/plain'),
          (e: unknown) => e instanceof AppError && e.code === 'validation_failed',
        );
      }
      await assert.rejects(s.put(`${prefix}/ok.txt`, Buffer.from('x'), 'not a type'), AppError);
    });

    test('ping answers', async () => {
      await (await get()).ping();
    });
  });
}
