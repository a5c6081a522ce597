// Regenerates docs/configuration.md from the variable list in src/config.ts.
import { writeFile } from 'node:fs/promises';
import { renderConfigDocs } from '../src/config.ts';

await writeFile(new URL('../docs/configuration.md', import.meta.url), renderConfigDocs());
