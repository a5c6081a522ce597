// The tabs' bundle budget: the JavaScript a browser must load before the catalog tab is usable
// (the entry, its static imports, the catalog chunk and its static imports; not the other tabs,
// not Teams JS, which loads only inside Teams) must stay within BUDGET_KB gzipped.
// Run after `npm run build:web`; exits 1 over budget. `--json` prints the figures only.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

const BUDGET_KB = 250;
const DIST = path.resolve(import.meta.dirname, '..', 'web', 'dist');

interface Chunk {
  file: string;
  isEntry?: boolean;
  imports?: string[];
  dynamicImports?: string[];
}

const manifest = JSON.parse(await readFile(path.join(DIST, '.vite', 'manifest.json'), 'utf8')) as Record<
  string,
  Chunk
>;

/** A chunk and everything it imports statically, as manifest keys. */
function closure(key: string, seen = new Set<string>()): Set<string> {
  if (seen.has(key)) return seen;
  seen.add(key);
  for (const dep of manifest[key]?.imports ?? []) closure(dep, seen);
  return seen;
}

const entry = Object.keys(manifest).find((k) => manifest[k]?.isEntry);
const catalog = Object.keys(manifest).find((k) => k.endsWith('tabs/catalog/CatalogTab.tsx'));
if (!entry || !catalog) throw new Error('web/dist/.vite/manifest.json has no entry or no catalog tab chunk');
const keys = closure(catalog, closure(entry));
const files = [...keys].map((k) => manifest[k]?.file).filter((f): f is string => !!f && f.endsWith('.js'));
let total = 0;
const rows: { file: string; gzipKB: number }[] = [];
for (const file of files) {
  const size = gzipSync(await readFile(path.join(DIST, file)), { level: 9 }).length;
  total += size;
  rows.push({ file, gzipKB: Math.round(size / 102.4) / 10 });
}
const totalKB = Math.round(total / 102.4) / 10;
if (process.argv.includes('--json')) {
  console.log(JSON.stringify({ totalKB, budgetKB: BUDGET_KB, files: rows }));
} else {
  for (const r of rows.sort((a, b) => b.gzipKB - a.gzipKB))
    console.log(`${String(r.gzipKB).padStart(8)} KB  ${r.file}`);
  console.log(
    `${String(totalKB).padStart(8)} KB  initial JavaScript of the catalog tab (budget ${BUDGET_KB} KB gzipped)`,
  );
}
if (totalKB > BUDGET_KB) {
  console.error(`Over budget by ${Math.round((totalKB - BUDGET_KB) * 10) / 10} KB`);
  process.exit(1);
}
