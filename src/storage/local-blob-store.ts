import type { Dirent } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { type BlobInfo, type BlobStore, checkBlobKey, checkContentType } from './blob-store.ts';

const META = '.meta.json';

/** Blobs as files under a folder; a sidecar JSON keeps the content type. Writes are atomic. */
export function createLocalBlobStore(root: string): BlobStore {
  const fileOf = (key: string) => path.join(root, ...checkBlobKey(key).split('/'));

  const info = async (key: string): Promise<BlobInfo | undefined> => {
    const file = fileOf(key);
    try {
      const [s, meta] = await Promise.all([stat(file), readFile(file + META, 'utf8')]);
      return { key, size: s.size, contentType: (JSON.parse(meta) as { contentType: string }).contentType };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  };

  const walk = async (dir: string, base: string, out: string[]) => {
    let entries: Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    for (const e of entries) {
      const key = base ? `${base}/${e.name}` : e.name;
      if (e.isDirectory()) await walk(path.join(dir, e.name), key, out);
      else if (!e.name.endsWith(META) && !e.name.endsWith('.tmp')) out.push(key);
    }
  };

  return {
    name: 'local',
    async put(key, data, contentType) {
      checkContentType(contentType);
      const file = fileOf(key);
      await mkdir(path.dirname(file), { recursive: true });
      const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
      await writeFile(`${tmp}${META}`, JSON.stringify({ contentType }));
      await writeFile(tmp, data);
      await rename(`${tmp}${META}`, file + META);
      await rename(tmp, file);
      return { key, size: data.length, contentType };
    },
    async get(key) {
      const meta = await info(key);
      if (!meta) return undefined;
      try {
        return { ...meta, data: await readFile(fileOf(key)) };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
    },
    async delete(key) {
      const file = fileOf(key);
      await rm(file, { force: true });
      await rm(file + META, { force: true });
    },
    async list(prefix) {
      const keys: string[] = [];
      await walk(root, '', keys);
      const matching = keys.filter((k) => k.startsWith(prefix)).sort();
      const infos = await Promise.all(matching.map((k) => info(k)));
      return infos.filter((i): i is BlobInfo => i !== undefined);
    },
    async ping() {
      await mkdir(root, { recursive: true });
      const probe = path.join(root, `.probe-${process.pid}`);
      await writeFile(probe, 'ok');
      await rm(probe, { force: true });
    },
  };
}
