import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'yaml';
import type { MetadataFieldDefinition } from './template-schema.ts';

/** The starter catalog: tenant metadata fields and template documents, as shipped in ./starter-catalog. */
export interface StarterCatalog {
  fields: (MetadataFieldDefinition & { appliesTo?: string[] | null })[];
  /** Each template with the files of `assets/<slug>/`, which its document names. */
  templates: { slug: string; document: unknown; assets: { name: string; data: Buffer }[] }[];
}

const FOLDER = path.join(import.meta.dirname, 'starter-catalog');
const FIELDS_FILE = 'metadata-fields.yaml';

/** Reads the starter catalog's YAML files (templates in file-name order). */
export async function loadStarterCatalog(folder: string = FOLDER): Promise<StarterCatalog> {
  const files = (await readdir(folder)).filter((f) => f.endsWith('.yaml')).sort();
  const fields = files.includes(FIELDS_FILE)
    ? (parse(await readFile(path.join(folder, FIELDS_FILE), 'utf8')) as StarterCatalog['fields'])
    : [];
  const templates: StarterCatalog['templates'] = [];
  for (const file of files) {
    if (file === FIELDS_FILE) continue;
    const document = parse(await readFile(path.join(folder, file), 'utf8')) as { slug?: unknown };
    const slug = String(document.slug);
    templates.push({ slug, document, assets: await readAssets(path.join(folder, 'assets', slug)) });
  }
  return { fields, templates };
}

/** Reads every file of an assets folder (none when the folder is missing). */
export async function readAssets(dir: string): Promise<{ name: string; data: Buffer }[]> {
  const names = await readdir(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [] as string[];
    throw error;
  });
  const out: { name: string; data: Buffer }[] = [];
  for (const name of names.sort()) out.push({ name, data: await readFile(path.join(dir, name)) });
  return out;
}
