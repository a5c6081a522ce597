import { createHash, randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { type Caller, hasRole } from '../api/caller.ts';
import { decodeCursor, DEFAULT_PAGE_SIZE, toPage } from '../api/pagination.ts';
import { recordAudit } from '../audit/index.ts';
import type { Cache } from '../cache/index.ts';
import type { Db, Tx } from '../db/index.ts';
import type { TemplateAssetRef, TemplateStatus } from '../db/tables/templates.ts';
import { AppError, ErrorCode, errors, isAppError } from '../errors/index.ts';
import type { EventBus } from '../events/domain-event.ts';
import type { Directory, DirectoryUser, TenantDirectory } from '../graph/index.ts';
import {
  createNamingEngine,
  findConflicts,
  type NamingViolation,
  proposeFreeMailNickname,
  type RenderedNames,
  type RequesterProfile,
  validateNames,
} from '../naming/index.ts';
import {
  type AudienceRule,
  compileApproverRule,
  compileAudienceRule,
  evaluateApprovers,
  evaluateAudience,
  type PolicyUser,
  testRule as testAudienceRule,
} from '../policy/index.ts';
import type { BlobStore } from '../storage/index.ts';
import type { Logger } from '../telemetry/index.ts';
import { type CatalogSnapshot, createCatalogCache } from './catalog-cache.ts';
import { checkFieldDefinition, checkTemplate, parseTemplate } from './check-template.ts';
import { diffTemplates } from './diff-templates.ts';
import { sniffAssetType } from './sniff-asset-type.ts';
import { loadStarterCatalog } from './starter-catalog.ts';
import { TEMPLATE_LIMITS } from './template-limits.ts';
import {
  assetList,
  assetsOf,
  definitionOf,
  currentDocument,
  documentOf,
  fieldView,
  findTemplate,
  selectTemplates,
  type TemplateRow,
  templateView,
  versionHash,
} from './template-rows.ts';
import { type MetadataFieldDefinition, type TemplateDocument } from './template-schema.ts';
import type {
  CatalogEntry,
  ChangeContext,
  NamingPreview,
  SaveResult,
  TemplateService,
  TemplateVersionView,
  TemplateView,
  TenantMetadataField,
} from './template-types.ts';
import { validateMetadataValues } from './validate-metadata.ts';

export interface TemplateServiceDeps {
  db: Db;
  blobs: BlobStore;
  events: EventBus;
  directory: Directory;
  log: Logger;
  /** Where catalog reads are cached (Redis across instances); without it every read hits the database. */
  cache?: Cache;
  now?: () => Date;
}

const SCAN_BATCH = 100;
const RULE_CACHE_SIZE = 500;

/** Builds the template catalog service (versions, assets, metadata fields, catalog, naming preview). */
export function createTemplateService(deps: TemplateServiceDeps): TemplateService {
  const { db } = deps;
  const now = deps.now ?? (() => new Date());
  const naming = createNamingEngine();
  const audienceCache = new Map<string, AudienceRule | AppError>();
  const catalogCache = createCatalogCache({ cache: deps.cache, log: deps.log });

  /** The tenant's metadata fields, through the catalog cache. */
  async function cachedFields(tenantId: string, snapshot?: CatalogSnapshot): Promise<TenantMetadataField[]> {
    const reads = snapshot ?? (await catalogCache.open(tenantId));
    return reads.read('fields', null, () => db.withTenant(tenantId, tenantFields));
  }

  /** A template (any status) with its current version, by id or slug, through the catalog cache. */
  async function cachedRow(
    tenantId: string,
    idOrSlug: string,
    snapshot?: CatalogSnapshot,
  ): Promise<TemplateRow | null> {
    const reads = snapshot ?? (await catalogCache.open(tenantId));
    return reads.read('row', idOrSlug, () =>
      db.withTenant(tenantId, (tx) =>
        findTemplate(tx, idOrSlug).catch((error: unknown) => {
          if (isAppError(error) && error.code === ErrorCode.NotFound) return null;
          throw error;
        }),
      ),
    );
  }

  /** Like `cachedRow`. @throws AppError(not_found) */
  async function requireRow(tenantId: string, idOrSlug: string): Promise<TemplateRow> {
    const row = await cachedRow(tenantId, idOrSlug);
    if (!row) throw errors.notFound(`Template ${idOrSlug.slice(0, 100)}`);
    return row;
  }

  /** Runs a change, then (committed) makes the tenant's cached catalog stale on every instance. */
  async function changing<T>(tenantId: string, change: () => Promise<T>): Promise<T> {
    const result = await change();
    await catalogCache.invalidate(tenantId);
    return result;
  }

  function audienceRule(expression: string): AudienceRule | AppError {
    const cached = audienceCache.get(expression);
    if (cached) return cached;
    let compiled: AudienceRule | AppError;
    try {
      compiled = compileAudienceRule(expression);
    } catch (error) {
      compiled = isAppError(error) ? error : errors.internal('audience rule failed to compile', error);
    }
    if (audienceCache.size >= RULE_CACHE_SIZE) audienceCache.clear();
    audienceCache.set(expression, compiled);
    return compiled;
  }

  function inAudience(document: TemplateDocument, user: PolicyUser | null): boolean {
    const rule = audienceRule(document.audience.rule);
    if (rule instanceof AppError) return false;
    if (user === null) return rule.everyone;
    return evaluateAudience(rule, user).allowed;
  }

  async function entraTenantOf(tenantId: string): Promise<string | null> {
    const row = await db.withTenant(tenantId, (tx) =>
      tx.selectFrom('tenants').select('entra_tenant_id').where('tenant_id', '=', tenantId).executeTakeFirst(),
    );
    return row?.entra_tenant_id ?? null;
  }

  function directoryFor(entraTenantId: string | null): TenantDirectory | null {
    return entraTenantId ? deps.directory.forTenant(entraTenantId) : null;
  }

  async function tenantFields(tx: Tx): Promise<TenantMetadataField[]> {
    const rows = await tx.selectFrom('metadata_fields').selectAll().orderBy('key').execute();
    return rows.map(fieldView);
  }

  function applicableFields(
    fields: readonly TenantMetadataField[],
    document: TemplateDocument,
  ): MetadataFieldDefinition[] {
    const tenant = fields.filter(
      (f) =>
        f.status === 'active' &&
        (f.appliesTo === null ||
          f.appliesTo.includes(document.slug) ||
          document.metadataFieldRefs.includes(f.key)),
    );
    return [...tenant.map(definitionOf), ...document.metadataFields];
  }

  async function checkForTenant(tx: Tx, input: unknown): Promise<TemplateDocument> {
    const fields = await tenantFields(tx);
    const size = Buffer.byteLength(JSON.stringify(input ?? null));
    if (size > TEMPLATE_LIMITS.documentBytes) {
      throw errors.validation(
        `The template document is ${size} bytes; at most ${TEMPLATE_LIMITS.documentBytes}`,
        {
          issues: [{ path: '', message: 'is too large' }],
        },
      );
    }
    return parseTemplate(input, { tenantFieldKeys: new Set(fields.map((f) => f.key)) });
  }

  async function audit(
    tx: Tx,
    tenantId: string,
    change: ChangeContext,
    action: string,
    target: { type: string; id: string },
    before: unknown,
    after: unknown,
  ) {
    await recordAudit(tx, tenantId, {
      actor: change.actor,
      action,
      target,
      before,
      after,
      ...(change.source ? { source: change.source } : {}),
    });
  }

  async function publishVersion(
    tx: Tx,
    tenantId: string,
    change: ChangeContext,
    template: { templateId: string; slug: string; name: string; version: number },
    comment: string | null,
    summary: string[],
  ) {
    await deps.events.publish(tx, tenantId, {
      type: 'template.published',
      subject: { type: 'template', id: template.templateId },
      actor: { type: change.actor.type, id: change.actor.id },
      data: { ...template, comment, changes: summary },
    });
  }

  /** Writes a new version of an existing template when its content differs from the current one. */
  async function saveVersion(
    tx: Tx,
    tenantId: string,
    row: TemplateRow,
    next: { document: TemplateDocument; assets: Record<string, TemplateAssetRef> },
    options: { baseVersion?: number | undefined; comment?: string | undefined; action: string },
    change: ChangeContext,
  ): Promise<SaveResult> {
    if (options.baseVersion !== undefined && options.baseVersion !== row.current_version) {
      throw new AppError(
        ErrorCode.Conflict,
        `The template is at version ${row.current_version}, not ${options.baseVersion}: reload and retry`,
        { details: { currentVersion: row.current_version, baseVersion: options.baseVersion } },
      );
    }
    const current = { document: documentOf(row.document), assets: assetsOf(row.assets) };
    const hash = versionHash(next.document, next.assets);
    if (hash === versionHash(current.document, current.assets)) {
      return { template: templateView(row), changed: false, diff: null };
    }
    if (next.document.slug !== row.slug) {
      const taken = await tx
        .selectFrom('templates')
        .select('template_id')
        .where('slug', '=', next.document.slug)
        .where('template_id', '<>', row.template_id)
        .executeTakeFirst();
      if (taken) throw errors.conflict(`Another template already uses the slug ${next.document.slug}`);
    }
    const version = row.current_version + 1;
    const comment = options.comment?.trim() || null;
    await tx
      .insertInto('template_versions')
      .values({
        tenant_id: tenantId,
        template_id: row.template_id,
        version,
        document: JSON.stringify(next.document),
        document_hash: hash,
        assets: JSON.stringify(next.assets),
        created_by: change.actor.id,
        comment,
      })
      .execute();
    await tx
      .updateTable('templates')
      .set({
        current_version: version,
        slug: next.document.slug,
        name: next.document.name,
        description: next.document.description,
        category: next.document.category,
        language: next.document.language,
        tags: next.document.tags,
        updated_at: sql`date_trunc('milliseconds', clock_timestamp())`,
      })
      .where('template_id', '=', row.template_id)
      .execute();
    const diff = diffTemplates(current.document, next.document);
    const assetChanges = Object.keys({ ...current.assets, ...next.assets })
      .filter((n) => current.assets[n]?.sha256 !== next.assets[n]?.sha256)
      .map((n) => (next.assets[n] ? `asset ${n} uploaded` : `asset ${n} removed`));
    diff.summary.push(...assetChanges);
    await audit(
      tx,
      tenantId,
      change,
      options.action,
      { type: 'template', id: row.template_id },
      { version: row.current_version, hash: versionHash(current.document, current.assets) },
      { version, hash, comment, changes: diff.summary },
    );
    await publishVersion(
      tx,
      tenantId,
      change,
      { templateId: row.template_id, slug: next.document.slug, name: next.document.name, version },
      comment,
      diff.summary,
    );
    const updated = await findTemplate(tx, row.template_id);
    return { template: templateView(updated), changed: true, diff };
  }

  async function storeAsset(tenantId: string, data: Buffer, contentType: string): Promise<TemplateAssetRef> {
    const sha256 = createHash('sha256').update(data).digest('hex');
    // Content-addressed: an upload that fails later leaves at worst an unreferenced blob.
    await deps.blobs.put(assetKey(tenantId, sha256), data, contentType);
    return { sha256, contentType, size: data.length };
  }

  async function registerAssets(tx: Tx, tenantId: string, refs: readonly TemplateAssetRef[]) {
    for (const ref of refs) {
      await tx
        .insertInto('template_assets')
        .values({ tenant_id: tenantId, sha256: ref.sha256, content_type: ref.contentType, size: ref.size })
        .onConflict((oc) => oc.columns(['tenant_id', 'sha256']).doNothing())
        .execute();
    }
  }

  async function resolvePolicyUser(caller: Caller): Promise<PolicyUser | null> {
    if (caller.kind !== 'user' || !caller.entraTenantId) return null;
    try {
      return await deps.directory.forTenant(caller.entraTenantId).getPolicyUser(caller.id, caller.roles);
    } catch (error) {
      // Fail closed: without the profile only templates for everyone are shown.
      deps.log.warn({ err: error, tenantId: caller.tenantId }, 'catalog: directory profile unavailable');
      return null;
    }
  }

  function seesAll(caller: Caller): boolean {
    return caller.kind === 'api_token' || hasRole(caller, 'catalog_manager', 'tenant_admin');
  }

  async function scan(
    tenantId: string,
    filter: {
      status?: TemplateStatus | undefined;
      category?: string | undefined;
      tag?: string | undefined;
      q?: string | undefined;
      language?: string | undefined;
      cursor?: string | undefined;
      limit?: number | undefined;
    },
    keep: (row: TemplateRow) => boolean,
  ): Promise<{ rows: TemplateRow[]; nextCursor: string | null; snapshot: CatalogSnapshot }> {
    const limit = filter.limit ?? DEFAULT_PAGE_SIZE;
    let position = filter.cursor ? decodeCursor('templates', filter.cursor, 2) : undefined;
    const where: ScanWhere = {
      status: filter.status ?? null,
      category: filter.category ?? null,
      tag: filter.tag ?? null,
      q: filter.q ?? null,
      language: filter.language ?? null,
    };
    // Batches are the same for every caller: cached as the database returned them, filtered after.
    const snapshot = await catalogCache.open(tenantId);
    const out: TemplateRow[] = [];
    for (;;) {
      const after = position as [string, string] | undefined;
      const batch = await snapshot.read('scan', { where, after: after ?? null }, () =>
        db.withTenant(tenantId, (tx) => scanBatch(tx, where, after)),
      );
      for (const row of batch) if (keep(row)) out.push(row);
      const last = batch.at(-1);
      if (out.length > limit || batch.length < SCAN_BATCH || !last) break;
      position = [last.name, last.template_id];
    }
    const page = toPage(out, limit, 'templates', (r) => [r.name, r.template_id]);
    return { rows: page.items, nextCursor: page.nextCursor, snapshot };
  }

  function catalogEntry(
    row: TemplateRow,
    fields: readonly TenantMetadataField[],
    flag?: boolean,
  ): CatalogEntry {
    const document = documentOf(row.document);
    const assets = assetsOf(row.assets);
    const url = (name: string) => `/api/v1/templates/${row.template_id}/assets/${name}`;
    return {
      templateId: row.template_id,
      slug: row.slug,
      name: row.name,
      description: row.description,
      category: row.category,
      language: row.language,
      tags: row.tags,
      version: row.current_version,
      icon: document.icon && assets[document.icon] ? url(document.icon) : null,
      screenshots: document.screenshots.filter((s) => assets[s]).map(url),
      approvalStages: document.approval.stages.length,
      metadataFields: applicableFields(fields, document),
      updatedAt: new Date(row.updated_at).toISOString(),
      ...(flag === undefined ? {} : { inAudience: flag }),
    };
  }

  async function previewNames(
    _tenantId: string,
    input: Parameters<TemplateService['previewNames']>[1],
  ): Promise<NamingPreview> {
    let names: RenderedNames;
    try {
      names = await naming.render(input.document.naming, {
        request: { name: input.requestName, inputs: {} },
        requester: input.requester,
        metadata: input.metadata,
        now: input.now ?? now(),
        template: { slug: input.templateSlug, name: input.templateName },
      });
    } catch (error) {
      if (isAppError(error) && Array.isArray(error.details?.['violations'])) {
        return {
          names: null,
          violations: error.details['violations'] as NamingViolation[],
          conflicts: [],
          proposedMailNickname: null,
        };
      }
      throw error;
    }
    const violations = validateNames(names);
    const directory = directoryFor(input.entraTenantId);
    if (violations.length > 0 || !directory) {
      return {
        names,
        violations,
        conflicts: [],
        proposedMailNickname: violations.length > 0 ? null : names.mailNickname,
      };
    }
    const existing = await directory.findGroupsByName({
      displayName: names.displayName,
      mailNickname: names.mailNickname,
    });
    const conflicts = findConflicts(names, existing);
    let proposed: string | null = names.mailNickname;
    if (conflicts.some((c) => c.field === 'mailNickname')) {
      proposed = await freeNickname(
        directory,
        names.mailNickname,
        existing.map((g) => g.mailNickname),
      );
    }
    return { names, violations, conflicts, proposedMailNickname: proposed };
  }

  async function freeNickname(
    directory: TenantDirectory,
    base: string,
    taken: string[],
  ): Promise<string | null> {
    const used = [...taken];
    for (let attempt = 0; attempt < 5; attempt++) {
      const candidate = proposeFreeMailNickname(base, used);
      const found = await directory.findGroupsByName({ displayName: candidate, mailNickname: candidate });
      if (!found.some((g) => g.mailNickname.toLowerCase() === candidate.toLowerCase())) return candidate;
      used.push(candidate);
    }
    return null;
  }

  async function validateMetadata(
    tenantId: string,
    document: TemplateDocument,
    values: Record<string, unknown>,
    entraTenantId: string | null,
  ): Promise<Record<string, unknown>> {
    const fields = applicableFields(await cachedFields(tenantId), document);
    const directory = directoryFor(entraTenantId);
    const lookup = directory
      ? async (who: string) => (await directory.getUser(who))?.userPrincipalName ?? null
      : undefined;
    return validateMetadataValues(fields, values, lookup);
  }

  /** Checks and stores uploaded asset contents (before any transaction: blobs are content-addressed). */
  async function storeUploads(
    tenantId: string,
    uploads: readonly { name: string; data: Buffer }[] | undefined,
  ): Promise<Record<string, TemplateAssetRef>> {
    const out: Record<string, TemplateAssetRef> = {};
    for (const asset of uploads ?? []) {
      const { contentType } = sniffAssetType(asset.name, asset.data);
      if (asset.data.length > TEMPLATE_LIMITS.assetBytes) {
        throw new AppError(
          ErrorCode.PayloadTooLarge,
          `Asset ${asset.name} is larger than ${TEMPLATE_LIMITS.assetBytes} bytes`,
        );
      }
      out[asset.name] = await storeAsset(tenantId, asset.data, contentType);
    }
    return out;
  }

  async function createTemplate(
    tenantId: string,
    input: {
      document: unknown;
      comment?: string | undefined;
      assets?: readonly { name: string; data: Buffer }[] | undefined;
    },
    change: ChangeContext,
  ): Promise<TemplateView> {
    const assets = sortAssets(await storeUploads(tenantId, input.assets));
    return changing(tenantId, () => insertTemplate(tenantId, input, assets, change));
  }

  async function insertTemplate(
    tenantId: string,
    input: { document: unknown; comment?: string | undefined },
    assets: Record<string, TemplateAssetRef>,
    change: ChangeContext,
  ): Promise<TemplateView> {
    return db.withTenant(tenantId, async (tx) => {
      const document = await checkForTenant(tx, input.document);
      await registerAssets(tx, tenantId, Object.values(assets));
      const exists = await tx
        .selectFrom('templates')
        .select('template_id')
        .where('slug', '=', document.slug)
        .executeTakeFirst();
      if (exists) throw errors.conflict(`A template with the slug ${document.slug} already exists`);
      const templateId = randomUUID();
      const comment = input.comment?.trim() || null;
      const hash = versionHash(document, assets);
      await tx
        .insertInto('templates')
        .values({
          tenant_id: tenantId,
          template_id: templateId,
          slug: document.slug,
          current_version: 1,
          name: document.name,
          description: document.description,
          category: document.category,
          language: document.language,
          tags: document.tags,
          created_by: change.actor.id,
        })
        .execute();
      await tx
        .insertInto('template_versions')
        .values({
          tenant_id: tenantId,
          template_id: templateId,
          version: 1,
          document: JSON.stringify(document),
          document_hash: hash,
          assets: JSON.stringify(assets),
          created_by: change.actor.id,
          comment,
        })
        .execute();
      await audit(tx, tenantId, change, 'template.created', { type: 'template', id: templateId }, null, {
        slug: document.slug,
        name: document.name,
        version: 1,
        hash,
      });
      await publishVersion(
        tx,
        tenantId,
        change,
        { templateId, slug: document.slug, name: document.name, version: 1 },
        comment,
        ['template created'],
      );
      return templateView(await findTemplate(tx, templateId));
    });
  }

  const service: TemplateService = {
    async getForRequest(tenantId, idOrSlug, version) {
      const row = await cachedRow(tenantId, idOrSlug);
      if (!row || row.status !== 'active') throw errors.notFound(`Template ${idOrSlug.slice(0, 100)}`);
      if (version === undefined || version === row.current_version) {
        return {
          templateId: row.template_id,
          slug: row.slug,
          name: row.name,
          version: row.current_version,
          document: documentOf(row.document),
        };
      }
      const pinned = await db.withTenant(tenantId, (tx) =>
        tx
          .selectFrom('template_versions')
          .select(['document', 'version'])
          .where('template_id', '=', row.template_id)
          .where('version', '=', version)
          .executeTakeFirst(),
      );
      if (!pinned) throw errors.notFound(`Version ${version} of template ${row.slug}`);
      const document = documentOf(pinned.document);
      return { templateId: row.template_id, slug: row.slug, name: document.name, version, document };
    },

    isInAudience(_tenantId, document, user) {
      return inAudience(document, user);
    },

    previewNames,
    validateMetadata,

    async seedStarterCatalog(tenantId, actor) {
      const starter = await loadStarterCatalog();
      const change: ChangeContext = { actor };
      await changing(tenantId, () =>
        db.withTenant(tenantId, async (tx) => {
          for (const field of starter.fields) {
            const exists = await tx
              .selectFrom('metadata_fields')
              .select('key')
              .where('key', '=', field.key)
              .executeTakeFirst();
            if (exists) continue;
            await insertField(tx, tenantId, field, change);
          }
        }),
      );
      for (const entry of starter.templates) {
        const exists = await db.withTenant(tenantId, (tx) =>
          tx.selectFrom('templates').select('template_id').where('slug', '=', entry.slug).executeTakeFirst(),
        );
        if (exists) continue;
        await createTemplate(
          tenantId,
          { document: entry.document, comment: 'Starter catalog', assets: entry.assets },
          change,
        );
      }
    },

    async validate(tenantId, document) {
      const fields = tenantId ? await cachedFields(tenantId) : undefined;
      const result = await checkTemplate(
        document,
        fields ? { tenantFieldKeys: new Set(fields.map((f) => f.key)) } : {},
      );
      return { valid: result.ok, issues: result.issues, document: result.ok ? result.document : null };
    },

    create: createTemplate,

    async update(tenantId, templateId, input, change) {
      const uploaded = await storeUploads(tenantId, input.assets);
      return changing(tenantId, () =>
        db.withTenant(tenantId, async (tx) => {
          const row = await findTemplate(tx, templateId, true);
          const document = await checkForTenant(tx, input.document);
          await registerAssets(tx, tenantId, Object.values(uploaded));
          const assets = sortAssets({ ...assetsOf(row.assets), ...uploaded });
          return saveVersion(
            tx,
            tenantId,
            row,
            { document, assets },
            { baseVersion: input.baseVersion, comment: input.comment, action: 'template.version_published' },
            change,
          );
        }),
      );
    },

    async setStatus(tenantId, templateId, status, change) {
      return changing(tenantId, () =>
        db.withTenant(tenantId, async (tx) => {
          const row = await findTemplate(tx, templateId, true);
          if (row.status === status) return templateView(row);
          await tx
            .updateTable('templates')
            .set({ status, updated_at: sql`date_trunc('milliseconds', clock_timestamp())` })
            .where('template_id', '=', row.template_id)
            .execute();
          await audit(
            tx,
            tenantId,
            change,
            'template.status_changed',
            { type: 'template', id: row.template_id },
            { status: row.status },
            { status },
          );
          return templateView(await findTemplate(tx, row.template_id));
        }),
      );
    },

    async get(tenantId, idOrSlug) {
      return templateView(await requireRow(tenantId, idOrSlug));
    },

    async list(tenantId, filter) {
      const { rows, nextCursor } = await scan(tenantId, filter, () => true);
      return { items: rows.map(templateView), nextCursor };
    },

    async listVersions(tenantId, templateId, page) {
      const limit = page.limit ?? DEFAULT_PAGE_SIZE;
      return db.withTenant(tenantId, async (tx) => {
        const row = await findTemplate(tx, templateId);
        let query = tx
          .selectFrom('template_versions')
          .select([
            'template_id',
            'version',
            'document_hash',
            'created_by',
            'created_at',
            'comment',
            'assets',
          ])
          .where('template_id', '=', row.template_id);
        if (page.cursor) {
          const [before] = decodeCursor('template-versions', page.cursor, 1);
          query = query.where('version', '<', Number(before));
        }
        const rows = await query
          .orderBy('version', 'desc')
          .limit(limit + 1)
          .execute();
        const out = toPage(rows, limit, 'template-versions', (r) => [r.version]);
        return { items: out.items.map((r) => versionView(r)), nextCursor: out.nextCursor };
      });
    },

    async getVersion(tenantId, templateId, version) {
      return db.withTenant(tenantId, async (tx) => {
        const row = await findTemplate(tx, templateId);
        const found = await tx
          .selectFrom('template_versions')
          .selectAll()
          .where('template_id', '=', row.template_id)
          .where('version', '=', version)
          .executeTakeFirst();
        if (!found) throw errors.notFound(`Version ${version} of template ${row.slug}`);
        return { ...versionView(found), document: documentOf(found.document) };
      });
    },

    async diff(tenantId, templateId, from, to) {
      const [a, b] = await Promise.all([
        service.getVersion(tenantId, templateId, from),
        service.getVersion(tenantId, templateId, to),
      ]);
      return { from, to, ...diffTemplates(a.document as TemplateDocument, b.document as TemplateDocument) };
    },

    async rollback(tenantId, templateId, input, change) {
      return changing(tenantId, () =>
        db.withTenant(tenantId, async (tx) => {
          const row = await findTemplate(tx, templateId, true);
          const old = await tx
            .selectFrom('template_versions')
            .select(['document', 'assets'])
            .where('template_id', '=', row.template_id)
            .where('version', '=', input.version)
            .executeTakeFirst();
          if (!old) throw errors.notFound(`Version ${input.version} of template ${row.slug}`);
          // The old document is re-checked: tenant fields it references may have been removed since.
          const document = await checkForTenant(tx, documentOf(old.document));
          return saveVersion(
            tx,
            tenantId,
            row,
            { document, assets: assetsOf(old.assets) },
            {
              baseVersion: input.baseVersion,
              comment: input.comment ?? `Rollback to version ${input.version}`,
              action: 'template.rolled_back',
            },
            change,
          );
        }),
      );
    },

    async putAsset(tenantId, templateId, input, change) {
      const { contentType } = sniffAssetType(input.name, input.data);
      if (input.data.length > TEMPLATE_LIMITS.assetBytes) {
        throw new AppError(
          ErrorCode.PayloadTooLarge,
          `Assets are at most ${TEMPLATE_LIMITS.assetBytes} bytes`,
        );
      }
      // Exists (and belongs to this tenant) before anything is stored.
      await service.get(tenantId, templateId);
      const ref = await storeAsset(tenantId, input.data, contentType);
      return changing(tenantId, () =>
        db.withTenant(tenantId, async (tx) => {
          const row = await findTemplate(tx, templateId, true);
          const current = assetsOf(row.assets);
          if (!(input.name in current) && Object.keys(current).length >= TEMPLATE_LIMITS.assetsPerTemplate) {
            throw errors.validation(`A template has at most ${TEMPLATE_LIMITS.assetsPerTemplate} assets`);
          }
          await registerAssets(tx, tenantId, [ref]);
          return saveVersion(
            tx,
            tenantId,
            row,
            { document: documentOf(row.document), assets: sortAssets({ ...current, [input.name]: ref }) },
            {
              baseVersion: input.baseVersion,
              comment: `Asset ${input.name} uploaded`,
              action: 'template.asset_uploaded',
            },
            change,
          );
        }),
      );
    },

    async getAsset(tenantId, templateId, name, version) {
      const current = await requireRow(tenantId, templateId);
      const assets = await (async () => {
        if (version === undefined) return assetsOf(current.assets);
        const found = await db.withTenant(tenantId, (tx) =>
          tx
            .selectFrom('template_versions')
            .select('assets')
            .where('template_id', '=', current.template_id)
            .where('version', '=', version)
            .executeTakeFirst(),
        );
        if (!found) throw errors.notFound(`Version ${version} of template ${templateId}`);
        return assetsOf(found.assets);
      })();
      const ref = assets[name];
      if (!ref) throw errors.notFound(`Asset ${name.slice(0, 100)}`);
      const blob = await deps.blobs.get(assetKey(tenantId, ref.sha256));
      if (!blob) throw errors.notFound(`Asset ${name.slice(0, 100)}`);
      return { name, data: blob.data, contentType: ref.contentType, sha256: ref.sha256 };
    },

    seesAll,

    async catalog(caller, filter) {
      const all = seesAll(caller);
      const user = await resolvePolicyUser(caller);
      const { rows, nextCursor, snapshot } = await scan(
        caller.tenantId,
        { ...filter, status: 'active' },
        (row) => (all ? true : inAudience(currentDocument(row), user)),
      );
      const fields = await cachedFields(caller.tenantId, snapshot);
      return {
        items: rows.map((row) =>
          catalogEntry(
            row,
            fields,
            all && caller.kind === 'user' ? inAudience(currentDocument(row), user) : undefined,
          ),
        ),
        nextCursor,
      };
    },

    async catalogEntry(caller, slug) {
      const all = seesAll(caller);
      const user = await resolvePolicyUser(caller);
      const snapshot = await catalogCache.open(caller.tenantId);
      const row = await cachedRow(caller.tenantId, slug, snapshot);
      const fields = await cachedFields(caller.tenantId, snapshot);
      if (!row || row.status !== 'active') throw errors.notFound(`Template ${slug.slice(0, 100)}`);
      const document = currentDocument(row);
      const allowed = inAudience(document, user);
      if (!all && !allowed) throw errors.notFound(`Template ${slug.slice(0, 100)}`);
      return {
        ...catalogEntry(row, fields, all && caller.kind === 'user' ? allowed : undefined),
        document,
      };
    },

    async listFields(tenantId, filter) {
      const fields = await cachedFields(tenantId);
      return filter.status ? fields.filter((f) => f.status === filter.status) : fields;
    },

    async getField(tenantId, key) {
      const row = await db.withTenant(tenantId, (tx) =>
        tx.selectFrom('metadata_fields').selectAll().where('key', '=', key).executeTakeFirst(),
      );
      if (!row) throw errors.notFound(`Metadata field ${key.slice(0, 40)}`);
      return fieldView(row);
    },

    async createField(tenantId, input, change) {
      checkField(input);
      return changing(tenantId, () =>
        db.withTenant(tenantId, async (tx) => {
          const exists = await tx
            .selectFrom('metadata_fields')
            .select('key')
            .where('key', '=', input.key)
            .executeTakeFirst();
          if (exists) throw errors.conflict(`A metadata field with the key ${input.key} already exists`);
          const clash = await templatesDefiningField(tx, input.key);
          if (clash.length > 0) {
            throw errors.conflict(
              `Templates ${clash.join(', ')} define their own field ${input.key}; rename one first`,
            );
          }
          return insertField(tx, tenantId, input, change);
        }),
      );
    },

    async updateField(tenantId, key, input, change) {
      checkField({ ...input, key });
      return changing(tenantId, () =>
        db.withTenant(tenantId, async (tx) => {
          const before = await tx
            .selectFrom('metadata_fields')
            .selectAll()
            .where('key', '=', key)
            .forUpdate()
            .executeTakeFirst();
          if (!before) throw errors.notFound(`Metadata field ${key.slice(0, 40)}`);
          const row = await tx
            .updateTable('metadata_fields')
            .set({
              label: input.label,
              type: input.type,
              required: input.required,
              help_text: input.helpText ?? null,
              validation: input.validation ? JSON.stringify(input.validation) : null,
              choices: input.choices ? JSON.stringify(input.choices) : null,
              applies_to: input.appliesTo ?? null,
              ...(input.status ? { status: input.status } : {}),
              updated_at: sql`date_trunc('milliseconds', clock_timestamp())`,
            })
            .where('key', '=', key)
            .returningAll()
            .executeTakeFirstOrThrow();
          const view = fieldView(row);
          await audit(
            tx,
            tenantId,
            change,
            'metadata_field.updated',
            { type: 'metadata_field', id: key },
            fieldView(before),
            view,
          );
          return view;
        }),
      );
    },

    async fieldsFor(tenantId, document) {
      return applicableFields(await cachedFields(tenantId), document);
    },

    async preview(tenantId, input) {
      const entraTenantId = await entraTenantOf(tenantId);
      let requester = input.fallbackRequester;
      if (input.requester !== null) {
        const directory = directoryFor(entraTenantId);
        const user = directory ? await directory.getUser(input.requester) : null;
        if (!user) throw errors.validation(`No user ${input.requester.slice(0, 100)} in the directory`);
        requester = requesterProfileOf(user);
      }
      let document: TemplateDocument;
      let slug = 'preview';
      let name = 'Preview';
      if (input.template) {
        const t = await service.getForRequest(tenantId, input.template.idOrSlug, input.template.version);
        document = t.document;
        slug = t.slug;
        name = t.name;
        if (input.rules) {
          // Draft rules tried in the context of the template (its metadata fields).
          const fields = await cachedFields(tenantId);
          const checked = await checkTemplate(
            { ...t.document, naming: input.rules },
            { tenantFieldKeys: new Set(fields.map((f) => f.key)) },
          );
          if (!checked.ok)
            throw errors.validation('The naming rules are invalid', { issues: checked.issues });
          document = checked.document as TemplateDocument;
        }
      } else if (input.rules) {
        const checked = await checkTemplate({ schemaVersion: 1, slug, name, naming: input.rules });
        if (!checked.ok) {
          const violations = checked.issues.filter((i) => i.path.startsWith('/naming'));
          if (violations.length > 0 || checked.issues.length > 0) {
            throw errors.validation('The naming rules are invalid', { issues: checked.issues });
          }
        }
        document = (checked.document ?? {}) as TemplateDocument;
      } else {
        throw errors.validation('Give a template or naming rules to preview');
      }
      const metadata = input.template
        ? await validateMetadata(tenantId, document, input.metadata, entraTenantId)
        : input.metadata;
      const result = await previewNames(tenantId, {
        document,
        templateSlug: slug,
        templateName: name,
        requestName: input.requestName,
        metadata,
        requester,
        entraTenantId,
      });
      return { ...result, metadata, requester };
    },

    async testRule(tenantId, input) {
      const entraTenantId = await entraTenantOf(tenantId);
      const directory = directoryFor(entraTenantId);
      if (!directory)
        throw errors.validation('This tenant has no Entra tenant: rules cannot be tested against its users');
      const user = await directory.getPolicyUser(input.user);
      if (!user) throw errors.notFound(`User ${input.user.slice(0, 100)}`);
      if (input.kind === 'audience') {
        const result = testAudienceRule(input.expression, user);
        return {
          kind: 'audience',
          valid: result.valid,
          allowed: result.result,
          error: result.error ? errorOf(result.error) : null,
          durationMs: round(result.durationMs),
          user,
        };
      }
      const started = performance.now();
      let rule;
      try {
        rule = compileApproverRule(input.expression);
      } catch (error) {
        if (!isAppError(error)) throw error;
        return {
          kind: 'approver',
          valid: false,
          error: errorOf(error),
          durationMs: round(performance.now() - started),
          user,
        };
      }
      const outcome = evaluateApprovers(rule, {
        request: { templateSlug: input.templateSlug ?? '', metadata: input.metadata ?? {}, requester: user },
      });
      const durationMs = round(performance.now() - started);
      return outcome.ok
        ? { kind: 'approver', valid: true, approvers: [...outcome.approvers], error: null, durationMs, user }
        : { kind: 'approver', valid: true, approvers: [], error: errorOf(outcome.error), durationMs, user };
    },
  };

  async function insertField(
    tx: Tx,
    tenantId: string,
    input: MetadataFieldDefinition & { appliesTo?: string[] | null | undefined },
    change: ChangeContext,
  ): Promise<TenantMetadataField> {
    const row = await tx
      .insertInto('metadata_fields')
      .values({
        tenant_id: tenantId,
        key: input.key,
        label: input.label,
        type: input.type,
        required: input.required,
        help_text: input.helpText ?? null,
        validation: input.validation ? JSON.stringify(input.validation) : null,
        choices: input.choices ? JSON.stringify(input.choices) : null,
        applies_to: input.appliesTo ?? null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    const view = fieldView(row);
    await audit(
      tx,
      tenantId,
      change,
      'metadata_field.created',
      { type: 'metadata_field', id: input.key },
      null,
      view,
    );
    return view;
  }

  return service;
}

/** What a catalog scan filters on (besides its position); every caller's same filter shares its batches. */
interface ScanWhere {
  status: TemplateStatus | null;
  category: string | null;
  tag: string | null;
  q: string | null;
  language: string | null;
}

/** One batch of templates in (name, id) order after `after`, with their current versions. */
async function scanBatch(
  tx: Tx,
  where: ScanWhere,
  after: [string, string] | undefined,
): Promise<TemplateRow[]> {
  let query = selectTemplates(tx);
  if (where.status) query = query.where('t.status', '=', where.status);
  if (where.category) query = query.where('t.category', '=', where.category);
  if (where.language) query = query.where('t.language', '=', where.language);
  if (where.tag) query = query.where(sql<boolean>`${where.tag} = any(t.tags)`);
  if (where.q) {
    const like = `%${where.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    query = query.where((eb) => eb.or([eb('t.name', 'ilike', like), eb('t.description', 'ilike', like)]));
  }
  if (after) {
    const [name, id] = after;
    query = query.where((eb) =>
      eb.or([eb('t.name', '>', name), eb.and([eb('t.name', '=', name), eb('t.template_id', '>', id)])]),
    );
  }
  return (await query
    .orderBy('t.name')
    .orderBy('t.template_id')
    .limit(SCAN_BATCH)
    .execute()) as TemplateRow[];
}

async function templatesDefiningField(tx: Tx, key: string): Promise<string[]> {
  const rows = await selectTemplates(tx).execute();
  return (rows as TemplateRow[])
    .filter((row) => currentDocument(row).metadataFields.some((f) => f.key === key))
    .map((row) => row.slug);
}

function checkField(field: MetadataFieldDefinition): void {
  const issues = checkFieldDefinition(field, '');
  if (issues.length > 0) {
    throw errors.validation(
      `Invalid metadata field: ${issues.map((i) => `${i.path} ${i.message}`).join('; ')}`,
      {
        issues,
      },
    );
  }
}

function versionView(row: {
  template_id: string;
  version: number;
  document_hash: string;
  created_by: string;
  created_at: Date;
  comment: string | null;
  assets: unknown;
}): TemplateVersionView {
  return {
    templateId: row.template_id,
    version: row.version,
    documentHash: row.document_hash,
    createdBy: row.created_by,
    createdAt: new Date(row.created_at).toISOString(),
    comment: row.comment,
    assets: assetList(assetsOf(row.assets)),
  };
}

function sortAssets(assets: Record<string, TemplateAssetRef>): Record<string, TemplateAssetRef> {
  return assetsOf(assets);
}

function assetKey(tenantId: string, sha256: string): string {
  return `templates/${tenantId}/assets/${sha256}`;
}

function errorOf(error: AppError): { message: string; details?: Record<string, unknown> } {
  return error.details ? { message: error.message, details: error.details } : { message: error.message };
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

/** A requester profile (naming context) from a directory user. */
export function requesterProfileOf(user: DirectoryUser): RequesterProfile {
  const profile: RequesterProfile = { displayName: user.displayName };
  const attributes = [
    'mail',
    'givenName',
    'surname',
    'userPrincipalName',
    'department',
    'country',
    'jobTitle',
    'officeLocation',
    'usageLocation',
    'companyName',
  ] as const;
  for (const key of attributes) {
    const value = user[key];
    if (typeof value === 'string' && value !== '') profile[key] = value;
  }
  return profile;
}
