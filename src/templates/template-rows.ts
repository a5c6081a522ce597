import { createHash } from 'node:crypto';
import type { Selectable } from 'kysely';
import type { Tx } from '../db/index.ts';
import type { MetadataFieldsTable, TemplateAssetRef, TemplatesTable } from '../db/tables/templates.ts';
import { errors } from '../errors/index.ts';
import { canonicalize } from './canonicalize-document.ts';
import { deepFreeze } from './deep-freeze.ts';
import type { MetadataFieldDefinition, TemplateDocument } from './template-schema.ts';
import { TemplateDocumentSchema } from './template-schema.ts';
import type { TemplateAssetView, TemplateView, TenantMetadataField } from './template-types.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A template row joined with its current version. */
export interface TemplateRow extends Selectable<TemplatesTable> {
  document: unknown;
  assets: unknown;
}

/** jsonb comes back with its own key order: restore the canonical one. */
export function documentOf(stored: unknown): TemplateDocument {
  const value = typeof stored === 'string' ? (JSON.parse(stored) as unknown) : stored;
  return canonicalize(TemplateDocumentSchema, value) as TemplateDocument;
}

const DOCUMENT_MEMO_SIZE = 2_000;
const documentMemo = new Map<string, TemplateDocument>();

/**
 * The document of a template's current version. A stored version never changes, so it is put in
 * canonical order once per process (the catalog read re-sorted every document on every read before:
 * 16 % of its CPU) and shared, frozen, by every later read; the least recently used are forgotten.
 */
export function currentDocument(row: {
  template_id: string;
  current_version: number;
  document: unknown;
}): TemplateDocument {
  const key = `${row.template_id}@${row.current_version}`;
  const known = documentMemo.get(key);
  if (known) {
    documentMemo.delete(key);
    documentMemo.set(key, known);
    return known;
  }
  const document = deepFreeze(documentOf(row.document));
  documentMemo.set(key, document);
  if (documentMemo.size > DOCUMENT_MEMO_SIZE) {
    const oldest = documentMemo.keys().next();
    if (!oldest.done) documentMemo.delete(oldest.value);
  }
  return document;
}

/** Asset map of a version, sorted by name. */
export function assetsOf(stored: unknown): Record<string, TemplateAssetRef> {
  const value = (typeof stored === 'string' ? JSON.parse(stored) : stored) as Record<
    string,
    TemplateAssetRef
  > | null;
  const out: Record<string, TemplateAssetRef> = {};
  for (const name of Object.keys(value ?? {}).sort()) {
    const ref = value?.[name];
    if (ref) out[name] = { sha256: ref.sha256, contentType: ref.contentType, size: ref.size };
  }
  return out;
}

export function assetList(assets: Record<string, TemplateAssetRef>): TemplateAssetView[] {
  return Object.entries(assets).map(([name, ref]) => ({ name, ...ref }));
}

/** SHA-256 over the canonical JSON of a version's content: equal hashes mean nothing changed. */
export function versionHash(document: TemplateDocument, assets: Record<string, TemplateAssetRef>): string {
  return createHash('sha256').update(JSON.stringify({ document, assets })).digest('hex');
}

/** Asset names a document uses (icon, screenshots, team picture, channel files). */
export function assetReferences(document: TemplateDocument): string[] {
  const names = new Set<string>();
  if (document.icon) names.add(document.icon);
  for (const s of document.screenshots) names.add(s);
  if (document.team.picture) names.add(document.team.picture);
  for (const f of document.generalChannel.files) names.add(f.asset);
  for (const c of document.channels) for (const f of c.files) names.add(f.asset);
  return [...names].sort();
}

export function templateView(row: TemplateRow): TemplateView {
  const document = currentDocument(row);
  const assets = assetsOf(row.assets);
  return {
    templateId: row.template_id,
    slug: row.slug,
    name: row.name,
    description: row.description,
    category: row.category,
    language: row.language,
    tags: row.tags,
    status: row.status,
    currentVersion: row.current_version,
    createdBy: row.created_by,
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
    document,
    assets: assetList(assets),
    missingAssets: assetReferences(document).filter((name) => !(name in assets)),
  };
}

/** Templates joined with their current version's document and assets. */
export function selectTemplates(tx: Tx) {
  return tx
    .selectFrom('templates as t')
    .innerJoin('template_versions as v', (join) =>
      join
        .onRef('v.tenant_id', '=', 't.tenant_id')
        .onRef('v.template_id', '=', 't.template_id')
        .onRef('v.version', '=', 't.current_version'),
    )
    .selectAll('t')
    .select(['v.document', 'v.assets']);
}

/** Finds a template by id or slug (any status). @throws AppError not_found */
export async function findTemplate(tx: Tx, idOrSlug: string, forUpdate = false): Promise<TemplateRow> {
  let query = selectTemplates(tx);
  query = UUID.test(idOrSlug)
    ? query.where('t.template_id', '=', idOrSlug)
    : query.where('t.slug', '=', idOrSlug);
  if (forUpdate) query = query.forUpdate('t');
  const row = await query.executeTakeFirst();
  if (!row) throw errors.notFound(`Template ${idOrSlug.slice(0, 100)}`);
  return row as TemplateRow;
}

export function isUuid(value: string): boolean {
  return UUID.test(value);
}

export function fieldView(row: Selectable<MetadataFieldsTable>): TenantMetadataField {
  const parse = <T>(v: unknown): T | undefined =>
    v === null || v === undefined ? undefined : ((typeof v === 'string' ? JSON.parse(v) : v) as T);
  const validation = parse<MetadataFieldDefinition['validation']>(row.validation);
  const choices = parse<MetadataFieldDefinition['choices']>(row.choices);
  return {
    key: row.key,
    label: row.label,
    type: row.type as MetadataFieldDefinition['type'],
    required: row.required,
    ...(row.help_text === null ? {} : { helpText: row.help_text }),
    ...(validation === undefined ? {} : { validation }),
    ...(choices === undefined ? {} : { choices }),
    appliesTo: row.applies_to,
    status: row.status,
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}

/** The definition part of a tenant field (what validation and forms need). */
export function definitionOf(field: TenantMetadataField): MetadataFieldDefinition {
  return {
    key: field.key,
    label: field.label,
    type: field.type,
    required: field.required,
    ...(field.helpText === undefined ? {} : { helpText: field.helpText }),
    ...(field.validation === undefined ? {} : { validation: field.validation }),
    ...(field.choices === undefined ? {} : { choices: field.choices }),
  };
}
