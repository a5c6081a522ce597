import type { TSchema } from 'typebox';
import { Value } from 'typebox/value';
import { errors, isAppError } from '../errors/index.ts';
import { createNamingEngine, type NamingEngine } from '../naming/index.ts';
import { compileApproverRule, compileAudienceRule } from '../policy/index.ts';
import { canonicalize } from './canonicalize-document.ts';
import { checkSafePattern } from './check-safe-pattern.ts';
import { TEMPLATE_LIMITS } from './template-limits.ts';
import {
  type MetadataFieldDefinition,
  type TemplateChannel,
  type TemplateDocument,
  TemplateDocumentSchema,
} from './template-schema.ts';

/** One problem in a template document, at a JSON Pointer path (`/channels/2/displayName`). */
export interface TemplateIssue {
  path: string;
  message: string;
}

/** What the save-time checks know about the tenant; omitted offline (the CLI's `validate`). */
export interface TemplateCheckContext {
  /** Keys of the tenant's metadata fields; undefined skips the reference check. */
  tenantFieldKeys?: ReadonlySet<string>;
}

export type TemplateCheckResult =
  | { ok: true; document: TemplateDocument; issues: [] }
  | { ok: false; document: undefined; issues: TemplateIssue[] };

// Characters Teams refuses in channel names (Graph `channel.displayName`).
const CHANNEL_FORBIDDEN = /[~#%&*{}+/\\:<>?|'",]|\.\./;
// SharePoint refuses these in file and folder names.
const PATH_FORBIDDEN = /["*:<>?\\|#%]/;
const CONTROL = /\p{Cc}/u;

const engine: NamingEngine = createNamingEngine();

/**
 * Checks a template document as authored: the JSON Schema, then every rule that needs code
 * (naming rules compile and render, CEL rules pass the static checks, names and limits, references).
 * Returns the canonical document (defaults filled, keys ordered) or every issue found.
 */
export async function checkTemplate(
  input: unknown,
  context: TemplateCheckContext = {},
): Promise<TemplateCheckResult> {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    return { ok: false, document: undefined, issues: [{ path: '', message: 'must be an object' }] };
  }
  const withDefaults = Value.Default(TemplateDocumentSchema, structuredClone(input));
  const schemaIssues = schemaErrors(withDefaults);
  const document = canonicalize(TemplateDocumentSchema, withDefaults) as TemplateDocument;
  const issues = [...schemaIssues];
  const checks = [
    () => checkChannels(document),
    () => checkPlanner(document),
    () => checkLists(document),
    () => checkMetadataFields(document, context),
    () => checkRules(document),
    () => checkNaming(document),
  ];
  for (const check of checks) {
    try {
      issues.push(...(await check()));
    } catch (error) {
      // A document that failed the schema may not have the shape a check reads: its schema issues say why.
      if (schemaIssues.length === 0) throw error;
    }
  }
  const seen = new Set<string>();
  const unique = issues.filter((i) => {
    const key = `${i.path}\u0000${i.message}`;
    return seen.has(key) ? false : (seen.add(key), true);
  });
  return unique.length > 0
    ? { ok: false, document: undefined, issues: unique }
    : { ok: true, document, issues: [] };
}

/**
 * Like checkTemplate, throwing instead of returning issues.
 * @throws AppError validation_failed with `details.issues` ({ path, message }[])
 */
export async function parseTemplate(
  input: unknown,
  context: TemplateCheckContext = {},
): Promise<TemplateDocument> {
  const result = await checkTemplate(input, context);
  if (!result.ok) {
    const first = result.issues[0];
    throw errors.validation(
      `The template document is invalid: ${first ? `${first.path || '/'} ${first.message}` : 'unknown problem'}` +
        (result.issues.length > 1 ? ` (and ${result.issues.length - 1} more)` : ''),
      { issues: result.issues },
    );
  }
  return result.document;
}

// typebox stops reporting at some failures (a missing required property), so each top-level
// property is validated on its own and every problem in the document is reported at once.
function schemaErrors(value: unknown): TemplateIssue[] {
  const out: TemplateIssue[] = [];
  const seen = new Set<string>();
  const record = value as Record<string, unknown>;
  const properties = TemplateDocumentSchema.properties as Record<string, TSchema>;
  for (const key of TemplateDocumentSchema.required ?? []) {
    if (record[key] === undefined) push({ path: `/${key}`, message: 'is required' });
  }
  for (const key of Object.keys(record)) {
    if (!(key in properties)) push({ path: `/${key}`, message: 'is not a known property' });
  }
  for (const [key, schema] of Object.entries(properties)) {
    if (record[key] === undefined) continue;
    collect(schema, record[key], `/${key}`);
  }
  return out;

  function collect(schema: TSchema, item: unknown, prefix: string) {
    const found = [...Value.Errors(schema, item)];
    const unions = new Set(found.filter((e) => e.keyword === 'anyOf').map((e) => e.instancePath));
    for (const error of found) {
      // A value matching no alternative reports each alternative's `const`: one line is enough.
      if (error.keyword === 'const' && unions.has(error.instancePath)) continue;
      report(error, prefix);
    }
  }

  function report(
    error: { keyword: string; instancePath: string; message: string; params: unknown },
    prefix: string,
  ) {
    const instancePath = `${prefix}${error.instancePath}`;

    // `additionalProperties: false` is reported twice; the entry naming the properties is kept.
    if (error.keyword === 'boolean') return;
    if (error.keyword === 'additionalProperties') {
      const extra = (error.params as { additionalProperties?: string[] }).additionalProperties ?? [];
      for (const name of extra) push({ path: `${instancePath}/${name}`, message: 'is not a known property' });
    } else if (error.keyword === 'required') {
      const required = (error.params as { requiredProperties?: string[] }).requiredProperties ?? [];
      for (const name of required) push({ path: `${instancePath}/${name}`, message: 'is required' });
    } else if (error.keyword === 'anyOf') {
      push({ path: instancePath, message: 'matches none of the allowed values or shapes' });
    } else {
      push({ path: instancePath, message: error.message });
    }
  }

  function push(issue: TemplateIssue) {
    const key = `${issue.path}\u0000${issue.message}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push(issue);
  }
}

function checkChannels(document: TemplateDocument): TemplateIssue[] {
  const issues: TemplateIssue[] = [];
  const { channels } = document;
  if (channels.length > TEMPLATE_LIMITS.channels) {
    issues.push({ path: '/channels', message: `at most ${TEMPLATE_LIMITS.channels} channels are allowed` });
  }
  const privateCount = channels.filter((c) => c.membershipType === 'private').length;
  if (privateCount > TEMPLATE_LIMITS.privateChannels) {
    issues.push({
      path: '/channels',
      message: `at most ${TEMPLATE_LIMITS.privateChannels} private channels are allowed in a team`,
    });
  }
  const names = new Map<string, number>();
  channels.forEach((channel, index) => {
    const path = `/channels/${index}`;
    const name = channel.displayName;
    const folded = name.trim().toLowerCase();
    if (folded === 'general') {
      issues.push({ path: `${path}/displayName`, message: '"General" is reserved: use generalChannel' });
    }
    if (name !== name.trim()) {
      issues.push({ path: `${path}/displayName`, message: 'must not start or end with spaces' });
    }
    if (CHANNEL_FORBIDDEN.test(name) || CONTROL.test(name)) {
      issues.push({
        path: `${path}/displayName`,
        message: 'must not contain ~ # % & * { } + / \\ : < > ? | \' " , or ".."',
      });
    }
    if (/^[_.]/.test(name) || name.endsWith('.')) {
      issues.push({ path: `${path}/displayName`, message: 'must not start with _ or . nor end with .' });
    }
    const previous = names.get(folded);
    if (previous !== undefined) {
      issues.push({
        path: `${path}/displayName`,
        message: `duplicates the name of /channels/${previous} (names are case-insensitive)`,
      });
    } else names.set(folded, index);
    if (
      channel.membershipType !== 'standard' &&
      channel.owners.length === 0 &&
      !channel.ownersIncludeRequester
    ) {
      issues.push({
        path: `${path}/owners`,
        message: `a ${channel.membershipType} channel needs owners, or ownersIncludeRequester: true`,
      });
    }
    if (channel.membershipType === 'standard' && channel.owners.length > 0) {
      issues.push({
        path: `${path}/owners`,
        message: 'only private and shared channels have their own owners',
      });
    }
    issues.push(...checkChannelContent(channel, path, document));
  });
  issues.push(...checkChannelContent(document.generalChannel, '/generalChannel', document));
  return issues;
}

function checkChannelContent(
  content: Pick<TemplateChannel, 'tabs' | 'folders' | 'files'>,
  path: string,
  document: TemplateDocument,
): TemplateIssue[] {
  const issues: TemplateIssue[] = [];
  if (content.tabs.length > TEMPLATE_LIMITS.tabsPerChannel) {
    issues.push({
      path: `${path}/tabs`,
      message: `at most ${TEMPLATE_LIMITS.tabsPerChannel} tabs per channel`,
    });
  }
  const planTitles = new Set(document.planner.plans.map((p) => p.title));
  const tabNames = new Set<string>();
  content.tabs.forEach((tab, index) => {
    const key = tab.displayName.toLowerCase();
    if (tabNames.has(key)) {
      issues.push({
        path: `${path}/tabs/${index}/displayName`,
        message: 'duplicates another tab of this channel',
      });
    }
    tabNames.add(key);
    if (tab.plan !== undefined && !planTitles.has(tab.plan)) {
      issues.push({
        path: `${path}/tabs/${index}/plan`,
        message: `no plan of this template is titled "${tab.plan}"`,
      });
    }
    for (const field of ['contentUrl', 'websiteUrl', 'removeUrl'] as const) {
      const url = tab.configuration?.[field];
      if (url !== undefined && url !== '' && !isHttpsUrl(url)) {
        issues.push({
          path: `${path}/tabs/${index}/configuration/${field}`,
          message: 'must be an https URL',
        });
      }
    }
  });
  if (content.folders.length > TEMPLATE_LIMITS.foldersPerChannel) {
    issues.push({
      path: `${path}/folders`,
      message: `at most ${TEMPLATE_LIMITS.foldersPerChannel} folders per channel`,
    });
  }
  content.folders.forEach((folder, index) => {
    const problem = pathProblem(folder);
    if (problem) issues.push({ path: `${path}/folders/${index}`, message: problem });
  });
  if (content.files.length > TEMPLATE_LIMITS.filesPerChannel) {
    issues.push({
      path: `${path}/files`,
      message: `at most ${TEMPLATE_LIMITS.filesPerChannel} files per channel`,
    });
  }
  const filePaths = new Set<string>();
  content.files.forEach((file, index) => {
    const problem = pathProblem(file.path);
    if (problem) issues.push({ path: `${path}/files/${index}/path`, message: problem });
    const key = file.path.toLowerCase();
    if (filePaths.has(key))
      issues.push({ path: `${path}/files/${index}/path`, message: 'duplicates another file' });
    filePaths.add(key);
  });
  return issues;
}

function pathProblem(value: string): string | undefined {
  const segments = value.split('/');
  if (segments.some((s) => s.trim() === '' || s === '.' || s === '..')) {
    return 'must be `/`-separated names without empty, `.` or `..` segments';
  }
  if (segments.some((s) => PATH_FORBIDDEN.test(s) || CONTROL.test(s) || s !== s.trim() || s.endsWith('.'))) {
    return 'names must not contain " * : < > ? \\ | # %, edge spaces or a trailing dot';
  }
  if (segments.some((s) => s.length > 255)) return 'each name is at most 255 characters';
  return undefined;
}

function isHttpsUrl(value: string): boolean {
  try {
    return new URL(value).protocol === 'https:';
  } catch {
    return false;
  }
}

function checkPlanner(document: TemplateDocument): TemplateIssue[] {
  const issues: TemplateIssue[] = [];
  const { plans } = document.planner;
  if (plans.length > TEMPLATE_LIMITS.plans) {
    issues.push({ path: '/planner/plans', message: `at most ${TEMPLATE_LIMITS.plans} plans` });
  }
  const titles = new Set<string>();
  plans.forEach((plan, p) => {
    const path = `/planner/plans/${p}`;
    if (titles.has(plan.title))
      issues.push({ path: `${path}/title`, message: 'duplicates another plan title' });
    titles.add(plan.title);
    if (plan.buckets.length > TEMPLATE_LIMITS.bucketsPerPlan) {
      issues.push({ path: `${path}/buckets`, message: `at most ${TEMPLATE_LIMITS.bucketsPerPlan} buckets` });
    }
    if (plan.tasks.length > TEMPLATE_LIMITS.tasksPerPlan) {
      issues.push({ path: `${path}/tasks`, message: `at most ${TEMPLATE_LIMITS.tasksPerPlan} tasks` });
    }
    const buckets = new Set<string>();
    plan.buckets.forEach((bucket, b) => {
      if (buckets.has(bucket.name)) {
        issues.push({ path: `${path}/buckets/${b}/name`, message: 'duplicates another bucket' });
      }
      buckets.add(bucket.name);
    });
    const categories = new Set<string>();
    plan.labels.forEach((label, l) => {
      if (categories.has(label.category)) {
        issues.push({ path: `${path}/labels/${l}/category`, message: 'this label slot is already named' });
      }
      categories.add(label.category);
    });
    plan.tasks.forEach((task, t) => {
      const taskPath = `${path}/tasks/${t}`;
      if (!buckets.has(task.bucket)) {
        issues.push({
          path: `${taskPath}/bucket`,
          message: `no bucket of this plan is named "${task.bucket}"`,
        });
      }
      if (task.checklist.length > TEMPLATE_LIMITS.checklistItems) {
        issues.push({
          path: `${taskPath}/checklist`,
          message: `Planner allows at most ${TEMPLATE_LIMITS.checklistItems} checklist items`,
        });
      }
      task.labels.forEach((category, l) => {
        if (!categories.has(category)) {
          issues.push({
            path: `${taskPath}/labels/${l}`,
            message: `${category} is not a label of this plan`,
          });
        }
      });
      if (
        task.startInDays !== undefined &&
        task.dueInDays !== undefined &&
        task.startInDays > task.dueInDays
      ) {
        issues.push({ path: `${taskPath}/dueInDays`, message: 'must not be before startInDays' });
      }
    });
  });
  return issues;
}

function checkLists(document: TemplateDocument): TemplateIssue[] {
  const issues: TemplateIssue[] = [];
  duplicates(document.tags, (t) => t.toLowerCase()).forEach((i) =>
    issues.push({ path: `/tags/${i}`, message: 'duplicates another tag' }),
  );
  duplicates(document.apps, (a) => a.teamsAppId.toLowerCase()).forEach((i) =>
    issues.push({ path: `/apps/${i}/teamsAppId`, message: 'this app is already listed' }),
  );
  if (document.apps.length > TEMPLATE_LIMITS.apps) {
    issues.push({ path: '/apps', message: `at most ${TEMPLATE_LIMITS.apps} apps` });
  }
  for (const list of ['permanentOwners', 'permanentMembers'] as const) {
    duplicates(document[list], (p) =>
      p.type === 'user' ? `u:${p.user.toLowerCase()}` : `g:${p.groupId}`,
    ).forEach((i) => issues.push({ path: `/${list}/${i}`, message: 'is listed twice' }));
  }
  if (document.guests.allowedDomains.length > 0 && !document.guests.allowed) {
    issues.push({
      path: '/guests/allowedDomains',
      message: 'guest domains are listed but guests are not allowed',
    });
  }
  return issues;
}

function duplicates<T>(items: readonly T[], key: (item: T) => string): number[] {
  const seen = new Set<string>();
  const out: number[] = [];
  items.forEach((item, index) => {
    const k = key(item);
    if (seen.has(k)) out.push(index);
    seen.add(k);
  });
  return out;
}

/** Checks one metadata field definition (tenant or template); `path` prefixes the issues. */
export function checkFieldDefinition(field: MetadataFieldDefinition, path: string): TemplateIssue[] {
  const issues: TemplateIssue[] = [];
  const v = field.validation ?? {};
  const choiceType = field.type === 'choice' || field.type === 'multi_choice';
  if (choiceType && (field.choices?.length ?? 0) === 0) {
    issues.push({ path: `${path}/choices`, message: `a ${field.type} field needs choices` });
  }
  if (!choiceType && field.choices !== undefined) {
    issues.push({ path: `${path}/choices`, message: `a ${field.type} field has no choices` });
  }
  if (field.choices) {
    duplicates(field.choices, (c) => c.value).forEach((i) =>
      issues.push({ path: `${path}/choices/${i}/value`, message: 'duplicates another choice' }),
    );
  }
  const allowed: Record<string, readonly string[]> = {
    text: ['minLength', 'maxLength', 'pattern'],
    number: ['min', 'max'],
    date: ['minDate', 'maxDate'],
    choice: [],
    multi_choice: ['minItems', 'maxItems'],
    person: [],
    boolean: [],
  };
  for (const key of Object.keys(v)) {
    if (!(allowed[field.type] ?? []).includes(key)) {
      issues.push({ path: `${path}/validation/${key}`, message: `does not apply to a ${field.type} field` });
    }
  }
  if (v.minLength !== undefined && v.maxLength !== undefined && v.minLength > v.maxLength) {
    issues.push({ path: `${path}/validation/minLength`, message: 'is greater than maxLength' });
  }
  if (v.min !== undefined && v.max !== undefined && v.min > v.max) {
    issues.push({ path: `${path}/validation/min`, message: 'is greater than max' });
  }
  if (v.minDate !== undefined && v.maxDate !== undefined && v.minDate > v.maxDate) {
    issues.push({ path: `${path}/validation/minDate`, message: 'is after maxDate' });
  }
  if (v.minItems !== undefined && v.maxItems !== undefined && v.minItems > v.maxItems) {
    issues.push({ path: `${path}/validation/minItems`, message: 'is greater than maxItems' });
  }
  if (v.pattern !== undefined) {
    const problem = checkSafePattern(v.pattern);
    if (problem) issues.push({ path: `${path}/validation/pattern`, message: problem });
  }
  return issues;
}

function checkMetadataFields(document: TemplateDocument, context: TemplateCheckContext): TemplateIssue[] {
  const issues: TemplateIssue[] = [];
  const tenantKeys = context.tenantFieldKeys;
  duplicates(document.metadataFieldRefs, (k) => k).forEach((i) =>
    issues.push({ path: `/metadataFieldRefs/${i}`, message: 'is listed twice' }),
  );
  if (tenantKeys) {
    document.metadataFieldRefs.forEach((key, i) => {
      if (!tenantKeys.has(key)) {
        issues.push({
          path: `/metadataFieldRefs/${i}`,
          message: `no tenant metadata field has the key "${key}"`,
        });
      }
    });
  }
  duplicates(document.metadataFields, (f) => f.key).forEach((i) =>
    issues.push({ path: `/metadataFields/${i}/key`, message: 'duplicates another field of this template' }),
  );
  document.metadataFields.forEach((field, i) => {
    const path = `/metadataFields/${i}`;
    if (tenantKeys?.has(field.key) || document.metadataFieldRefs.includes(field.key)) {
      issues.push({
        path: `${path}/key`,
        message: `"${field.key}" is a tenant field's key; template keys must differ`,
      });
    }
    issues.push(...checkFieldDefinition(field, path));
  });
  return issues;
}

function checkRules(document: TemplateDocument): TemplateIssue[] {
  const issues: TemplateIssue[] = [];
  const audience = ruleProblem(() => compileAudienceRule(document.audience.rule));
  if (audience) issues.push({ path: '/audience/rule', message: audience });
  document.approval.stages.forEach((stage, s) => {
    stage.approvers.forEach((approver, a) => {
      if (approver.type !== 'rule') return;
      const problem = ruleProblem(() => compileApproverRule(approver.expression));
      if (problem) issues.push({ path: `/approval/stages/${s}/approvers/${a}/expression`, message: problem });
    });
  });
  duplicates(document.approval.stages, (s) => s.name.toLowerCase()).forEach((i) =>
    issues.push({ path: `/approval/stages/${i}/name`, message: 'duplicates another stage name' }),
  );
  return issues;
}

function ruleProblem(compile: () => unknown): string | undefined {
  try {
    compile();
    return undefined;
  } catch (error) {
    if (isAppError(error)) return error.message;
    throw error;
  }
}

/** Sample metadata for rendering naming rules once at save time: one plausible value per field. */
export function sampleMetadata(fields: readonly MetadataFieldDefinition[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of fields) {
    switch (field.type) {
      case 'text':
        out[field.key] = 'Sample';
        break;
      case 'number':
        out[field.key] = field.validation?.min ?? 1;
        break;
      case 'date':
        out[field.key] = field.validation?.minDate ?? '2026-01-15';
        break;
      case 'choice':
        out[field.key] = field.choices?.[0]?.value ?? 'choice';
        break;
      case 'multi_choice':
        out[field.key] = field.choices?.slice(0, 1).map((c) => c.value) ?? [];
        break;
      case 'person':
        out[field.key] = 'ada.lovelace@contoso.com';
        break;
      case 'boolean':
        out[field.key] = true;
        break;
    }
  }
  return out;
}

async function checkNaming(document: TemplateDocument): Promise<TemplateIssue[]> {
  // Tenant fields' samples are unknown offline; strict variables would then flag them, so
  // referenced tenant keys get a neutral sample too.
  const metadata = {
    ...Object.fromEntries(document.metadataFieldRefs.map((key) => [key, 'Sample'])),
    ...sampleMetadata(document.metadataFields),
  };
  const violations = await engine.validateRules(document.naming, {
    metadata,
    template: { slug: document.slug, name: document.name },
  });
  return violations.map((v) => ({ path: `/naming/${v.field}`, message: v.message }));
}
