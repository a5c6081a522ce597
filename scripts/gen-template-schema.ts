// Regenerates schemas/template.v1.json from the TypeBox schema in src/templates/template-schema.ts.
import { writeFile } from 'node:fs/promises';
import { renderTemplateJsonSchema } from '../src/templates/index.ts';

await writeFile(new URL('../schemas/template.v1.json', import.meta.url), renderTemplateJsonSchema());
