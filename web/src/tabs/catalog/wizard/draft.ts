// The wizard's state, its checks before each step is left, and server errors put on the right field.
import { ApiError } from '../../../api/client.ts';
import type { Person } from '../../../components/PeoplePicker.tsx';
import type { CatalogTemplate, FieldDefinition, RequestBody, RequestPreview } from '../api.ts';
import type { CatalogMessage } from '../messages.ts';

export type StepId = 'template' | 'name' | 'details' | 'people' | 'welcome' | 'review';

export const STEPS: readonly StepId[] = ['template', 'name', 'details', 'people', 'welcome', 'review'];

export type MetaValue = string | string[] | boolean | Person | null;

/** What the requester has entered so far. */
export interface Draft {
  name: string;
  description: string;
  metadata: Record<string, MetaValue>;
  owners: Person[];
  members: Person[];
  welcomeMessage: string;
}

/**
 * Problems by field: `name`, `description`, `metadata.<key>`, `owners`, `members`,
 * `welcomeMessage`, or `form` for what belongs to no field.
 */
export type Errors = Record<string, string>;

type T = (key: CatalogMessage, values?: Record<string, string | number>) => string;

export const NAME_MAX = 256;
export const DESCRIPTION_MAX = 1024;
export const WELCOME_MAX = 4000;

/** A fresh draft: booleans start unchecked, the rest empty. */
export function emptyDraft(fields: readonly FieldDefinition[]): Draft {
  const metadata: Record<string, MetaValue> = {};
  for (const field of fields) {
    metadata[field.key] = field.type === 'boolean' ? false : field.type === 'multi_choice' ? [] : null;
  }
  return { name: '', description: '', metadata, owners: [], members: [], welcomeMessage: '' };
}

function isEmpty(value: MetaValue | undefined): boolean {
  return (
    value === undefined ||
    value === null ||
    (typeof value === 'string' && value.trim() === '') ||
    (Array.isArray(value) && value.length === 0)
  );
}

function apiValue(field: FieldDefinition, value: MetaValue | undefined): unknown {
  if (isEmpty(value)) return undefined;
  if (field.type === 'person' && value && typeof value === 'object' && !Array.isArray(value))
    return value.userPrincipalName;
  if (field.type === 'number' && typeof value === 'string') {
    const n = Number(value.trim());
    return Number.isFinite(n) ? n : value;
  }
  return typeof value === 'string' ? value.trim() : value;
}

/** The API body of the request the draft describes. */
export function requestBody(template: CatalogTemplate, draft: Draft): RequestBody {
  const metadata: Record<string, unknown> = {};
  for (const field of template.metadataFields) {
    const value = apiValue(field, draft.metadata[field.key]);
    if (value !== undefined) metadata[field.key] = value;
  }
  return {
    template: template.slug,
    templateVersion: template.version,
    name: draft.name.trim(),
    description: draft.description.trim() || null,
    welcomeMessage: draft.welcomeMessage.trim() || null,
    metadata,
    owners: draft.owners.map((p) => p.id),
    members: draft.members.map((p) => p.id),
  };
}

/**
 * The metadata the name step previews with: what is entered so far, and for the rest a stand-in
 * (`[Label]`, today, the minimum) so rules that use details still render; the review checks the
 * real values.
 */
export function previewMetadata(template: CatalogTemplate, draft: Draft): Record<string, unknown> {
  const entered = requestBody(template, draft).metadata;
  const out: Record<string, unknown> = {};
  for (const field of template.metadataFields) {
    if (entered[field.key] !== undefined) out[field.key] = entered[field.key];
    else if (field.type === 'number') out[field.key] = field.validation?.min ?? 0;
    else if (field.type === 'date')
      out[field.key] = field.validation?.minDate ?? new Date().toISOString().slice(0, 10);
    else if (field.type === 'boolean') out[field.key] = false;
    else out[field.key] = `[${field.label}]`;
  }
  return out;
}

/** Whether the name preview stands in for details not entered yet. */
export function previewUsesStandIns(template: CatalogTemplate, draft: Draft): boolean {
  const entered = requestBody(template, draft).metadata;
  return template.metadataFields.some((f) => entered[f.key] === undefined);
}

/** `pattern` must match the whole text, as the server checks it. */
function matchesPattern(pattern: string, text: string): boolean {
  try {
    return new RegExp(`^(?:${pattern})$`, 'u').test(text);
  } catch {
    return true; // the server has the last word on patterns the browser cannot compile
  }
}

function fieldProblem(t: T, field: FieldDefinition, value: MetaValue | undefined): string | undefined {
  if (isEmpty(value)) return field.required ? t('error.required', { label: field.label }) : undefined;
  const v = field.validation ?? {};
  switch (field.type) {
    case 'text': {
      const text = String(value).trim();
      if (v.maxLength !== undefined && text.length > v.maxLength)
        return t('error.maxLength', { max: v.maxLength });
      if (v.minLength !== undefined && text.length < v.minLength)
        return t('error.minLength', { min: v.minLength });
      if (v.pattern !== undefined && !matchesPattern(v.pattern, text))
        return field.helpText ? t('error.formatHint', { hint: field.helpText }) : t('error.format');
      return undefined;
    }
    case 'number': {
      const n = Number(String(value).trim());
      if (!Number.isFinite(n)) return t('error.number');
      if (v.min !== undefined && n < v.min) return t('error.min', { min: v.min });
      if (v.max !== undefined && n > v.max) return t('error.max', { max: v.max });
      return undefined;
    }
    case 'date': {
      const date = String(value);
      if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) return t('error.date');
      if (v.minDate !== undefined && date < v.minDate) return t('error.minDate', { date: v.minDate });
      if (v.maxDate !== undefined && date > v.maxDate) return t('error.maxDate', { date: v.maxDate });
      return undefined;
    }
    case 'multi_choice': {
      const count = Array.isArray(value) ? value.length : 0;
      if (v.minItems !== undefined && count < v.minItems) return t('error.minItems', { min: v.minItems });
      if (v.maxItems !== undefined && count > v.maxItems) return t('error.maxItems', { max: v.maxItems });
      return undefined;
    }
    default:
      return undefined;
  }
}

/** Owners the requester must still add: the template's minimum less who is an owner anyway. */
export function ownersNeeded(template: CatalogTemplate, draft: Draft): number {
  const d = template.document;
  const automatic = d.permanentOwners.length + (d.addRequesterAsOwner ? 1 : 0);
  return Math.max(0, d.minimumOwners - automatic - draft.owners.length);
}

/** The browser-side checks of one step (the server checks again before the review). */
export function checkStep(t: T, step: StepId, template: CatalogTemplate, draft: Draft): Errors {
  const errors: Errors = {};
  if (step === 'name') {
    const name = draft.name.trim();
    if (!name) errors.name = t('error.nameRequired');
    else if (name.length > NAME_MAX) errors.name = t('error.maxLength', { max: NAME_MAX });
    if (draft.description.length > DESCRIPTION_MAX)
      errors.description = t('error.maxLength', { max: DESCRIPTION_MAX });
  }
  if (step === 'details') {
    for (const field of template.metadataFields) {
      const problem = fieldProblem(t, field, draft.metadata[field.key]);
      if (problem) errors[`metadata.${field.key}`] = problem;
    }
  }
  if (step === 'people') {
    const missing = ownersNeeded(template, draft);
    if (missing > 0) errors.owners = t('error.ownersNeeded', { count: missing });
  }
  if (step === 'welcome' && draft.welcomeMessage.length > WELCOME_MAX) {
    errors.welcomeMessage = t('error.maxLength', { max: WELCOME_MAX });
  }
  return errors;
}

/** Problems the naming preview reports on the name: rule violations and a taken mail nickname. */
export function nameProblems(t: T, preview: RequestPreview): string | undefined {
  if (preview.violations.length > 0) return preview.violations.map((v) => v.message).join(' ');
  const taken = preview.conflicts.find((c) => c.field === 'mailNickname');
  if (taken) return t('name.taken', { nickname: taken.group.mailNickname });
  return undefined;
}

/** Everything the server's validation found, by field. */
export function previewErrors(t: T, preview: RequestPreview): Errors {
  const errors: Errors = {};
  const name = nameProblems(t, preview);
  if (name) errors.name = name;
  for (const [key, message] of Object.entries(preview.metadataErrors ?? {})) {
    errors[key === '_' ? 'form' : `metadata.${key}`] = message;
  }
  const blocked = preview.approval.find((stage) => stage.error);
  if (blocked?.error) errors.form = t('error.approval', { stage: blocked.name, message: blocked.error });
  return errors;
}

const TOP_FIELDS = new Set(['name', 'description', 'welcomeMessage', 'owners', 'members']);

function keyOf(template: CatalogTemplate, raw: string): string {
  const path = raw.replace(/^\//, '').replaceAll('/', '.');
  if (path === 'displayName' || path === 'mailNickname') return 'name';
  const top = path.split('.')[0] ?? '';
  if (TOP_FIELDS.has(top)) return top;
  if (path.startsWith('metadata.')) return path.split('.').slice(0, 2).join('.');
  if (template.metadataFields.some((f) => f.key === path)) return `metadata.${path}`;
  return 'form';
}

/** An error of POST /requests, put on the fields it names (or on the form). */
export function submitErrors(t: T, template: CatalogTemplate, error: unknown): Errors {
  if (!(error instanceof ApiError)) return { form: error instanceof Error ? error.message : String(error) };
  const errors: Errors = {};
  const details = (error.details.errors ?? {}) as {
    fields?: Record<string, string>;
    conflicts?: { group: { mailNickname: string } }[];
  };
  if (error.status === 409 && details.conflicts?.[0]) {
    errors.name = t('name.taken', { nickname: details.conflicts[0].group.mailNickname });
  }
  for (const [field, message] of Object.entries(details.fields ?? {})) {
    const key = keyOf(template, field);
    errors[key] = key === 'form' ? `${field}: ${message}` : message;
  }
  for (const fe of error.fieldErrors) {
    const key = keyOf(template, fe.path);
    errors[key] = errors[key] ? `${errors[key]} ${fe.message}` : fe.message;
  }
  if (Object.keys(errors).length === 0) errors.form = error.message;
  return errors;
}

/** The step where a field is edited. */
export function stepOf(key: string): StepId {
  if (key === 'name' || key === 'description') return 'name';
  if (key.startsWith('metadata.')) return 'details';
  if (key === 'owners' || key === 'members') return 'people';
  if (key === 'welcomeMessage') return 'welcome';
  return 'review';
}

/** The earliest step with an error, if any. */
export function firstStepWithError(errors: Errors): StepId | undefined {
  const steps = new Set(Object.keys(errors).map(stepOf));
  return STEPS.find((s) => steps.has(s));
}
