// The approver's edit form as values, and what it changes against the submitted revision.
import type { RequestEdits, TeamRequest } from './api.ts';

/** The form: text for every field; metadata values keep their kind. */
export interface EditForm {
  name: string;
  description: string;
  welcomeMessage: string;
  owners: string;
  members: string;
  metadata: Record<string, string | boolean>;
}

/** One changed field, before and after (the shape of the server's request diff). */
export interface FieldChange {
  field: string;
  before: unknown;
  after: unknown;
}

/** Metadata values an approver edits in place: text, numbers and yes/no. */
export function isEditableValue(value: unknown): value is string | number | boolean {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

export function formOf(request: TeamRequest): EditForm {
  const metadata: Record<string, string | boolean> = {};
  for (const [key, value] of Object.entries(request.metadata)) {
    if (isEditableValue(value)) metadata[key] = typeof value === 'boolean' ? value : String(value);
  }
  return {
    name: request.name,
    description: request.description ?? '',
    welcomeMessage: request.welcomeMessage ?? '',
    owners: request.owners.join(', '),
    members: request.members.join(', '),
    metadata,
  };
}

function people(text: string): string[] {
  return text
    .split(/[,;\n]/)
    .map((p) => p.trim())
    .filter(Boolean);
}

const sameList = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((v, i) => v.toLowerCase() === b[i]?.toLowerCase());

/** A metadata value back in its kind: a number stays a number when the text is one. */
function metadataValue(before: unknown, text: string | boolean): unknown {
  if (typeof text === 'boolean') return text;
  if (typeof before === 'number' && /^-?\d+(\.\d+)?$/.test(text.trim())) return Number(text.trim());
  return text.trim() === '' ? null : text;
}

/** The edits the form makes (only changed fields) and the changes to show, field by field. */
export function editsOf(
  request: TeamRequest,
  form: EditForm,
): { edits: RequestEdits; changes: FieldChange[] } {
  const edits: RequestEdits = {};
  const changes: FieldChange[] = [];
  const name = form.name.trim();
  if (name !== request.name) {
    edits.name = name;
    changes.push({ field: 'name', before: request.name, after: name });
  }
  for (const field of ['description', 'welcomeMessage'] as const) {
    const after = form[field].trim() === '' ? null : form[field];
    if (after !== (request[field] ?? null)) {
      edits[field] = after;
      changes.push({ field, before: request[field], after });
    }
  }
  for (const field of ['owners', 'members'] as const) {
    const after = people(form[field]);
    if (!sameList(after, request[field])) {
      edits[field] = after;
      changes.push({ field, before: request[field], after });
    }
  }
  const metadata: Record<string, unknown> = {};
  for (const [key, text] of Object.entries(form.metadata).sort(([a], [b]) => a.localeCompare(b))) {
    const before = request.metadata[key];
    const after = metadataValue(before, text);
    if (after !== (before ?? null)) {
      metadata[key] = after;
      changes.push({ field: `metadata.${key}`, before: before ?? null, after });
    }
  }
  if (Object.keys(metadata).length > 0) edits.metadata = metadata;
  return { edits, changes };
}
