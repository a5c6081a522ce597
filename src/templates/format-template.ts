import { parse, stringify } from 'yaml';
import { errors } from '../errors/index.ts';
import { canonicalize } from './canonicalize-document.ts';
import { TemplateDocumentSchema, type TemplateDocument } from './template-schema.ts';

export type TemplateFormat = 'yaml' | 'json';

/**
 * Serialises a document for templates as code: keys in schema order, 2-space indents, no line
 * folding, a final newline. The same document always gives the same bytes.
 */
export function formatTemplate(document: TemplateDocument, format: TemplateFormat): string {
  const canonical = canonicalize(TemplateDocumentSchema, document);
  if (format === 'json') return `${JSON.stringify(canonical, null, 2)}\n`;
  return stringify(canonical, { indent: 2, lineWidth: 0, minContentWidth: 0 });
}

/** The format a file name implies (YAML unless it ends in .json). */
export function formatOf(fileName: string): TemplateFormat {
  return fileName.toLowerCase().endsWith('.json') ? 'json' : 'yaml';
}

/**
 * Parses a template file's text (JSON or YAML 1.2 core schema: `yes` and dates stay strings).
 * @throws AppError validation_failed with `details.issues` when the text does not parse
 */
export function parseTemplateText(text: string, fileName: string): unknown {
  try {
    if (formatOf(fileName) === 'json') return JSON.parse(text) as unknown;
    return parse(text, { schema: 'core', uniqueKeys: true, maxAliasCount: 100 }) as unknown;
  } catch (error) {
    const message = (error as Error).message.split('\n')[0] ?? 'cannot be parsed';
    throw errors.validation(`${fileName}: ${message}`, { issues: [{ path: '', message }] });
  }
}
