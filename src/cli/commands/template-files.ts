import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Db } from '../../db/index.ts';
import { createDomain, type Domain } from '../../runtime/domain.ts';
import { openServices } from '../../runtime/index.ts';
import { createLogger } from '../../telemetry/index.ts';
import {
  formatTemplate,
  parseTemplateText,
  readAssets,
  type TemplateDocument,
  type TemplateFormat,
} from '../../templates/index.ts';
import { loadCliConfig } from '../load-cli-config.ts';

/** Template files a path names: the file itself, or a folder's *.yaml, *.yml and *.json (sorted). */
export async function templateFiles(target: string): Promise<string[]> {
  const info = await stat(target);
  if (!info.isDirectory()) return [target];
  const names = (await readdir(target)).filter((n) => /\.(ya?ml|json)$/i.test(n)).sort();
  return names.map((n) => path.join(target, n));
}

/** Reads and parses one template file. @throws AppError validation_failed when it does not parse */
export async function readTemplateFile(file: string): Promise<unknown> {
  return parseTemplateText(await readFile(file, 'utf8'), path.basename(file));
}

/** Where a template file's assets travel: `<name>.assets/` beside it. */
export function assetsDirOf(file: string): string {
  return file.replace(/\.(ya?ml|json)$/i, '') + '.assets';
}

/** Reads the assets folder beside a template file (none when absent). */
export function readAssetsBeside(file: string): Promise<{ name: string; data: Buffer }[]> {
  return readAssets(assetsDirOf(file));
}

/** Writes a document (and optionally its assets) as `<dir>/<slug>.<ext>`; returns the file path. */
export async function writeTemplateFile(
  dir: string,
  document: TemplateDocument,
  format: TemplateFormat,
  assets?: readonly { name: string; data: Buffer }[],
): Promise<string> {
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, `${document.slug}.${format === 'json' ? 'json' : 'yaml'}`);
  await writeFile(file, formatTemplate(document, format));
  if (assets && assets.length > 0) {
    const assetsDir = assetsDirOf(file);
    await mkdir(assetsDir, { recursive: true });
    for (const asset of assets) await writeFile(path.join(assetsDir, asset.name), asset.data);
  }
  return file;
}

/**
 * Runs a command with the domain services (database migrated, events recorded in the outbox like
 * the server's), without starting background work. The embedded database must not be in use.
 */
export async function withDomain<T>(fn: (domain: Domain, db: Db) => Promise<T>): Promise<T> {
  const config = loadCliConfig();
  const log = createLogger('warn', process.stderr);
  const services = await openServices(config, { migrate: true });
  try {
    const domain = await createDomain({ config, log, ...services });
    // Jobs are enqueued (event dispatch) for the server's workers; none run in the CLI.
    await domain.start({ workers: false });
    try {
      return await fn(domain, services.db);
    } finally {
      await domain.stop();
    }
  } finally {
    await services.close();
  }
}
