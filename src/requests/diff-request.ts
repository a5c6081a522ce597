import { isDeepStrictEqual } from 'node:util';
import type { RequestEdits, FieldChange } from './request-types.ts';

interface Editable {
  name: string;
  description: string | null;
  welcomeMessage: string | null;
  metadata: Record<string, unknown>;
  owners: string[];
  members: string[];
}

/**
 * What an edit changes, field by field (metadata key by key), so a reviewer sees exactly what an
 * approver altered before approving. Unchanged fields are left out.
 */
export function diffRequest(before: Editable, after: Editable): FieldChange[] {
  const changes: FieldChange[] = [];
  for (const field of ['name', 'description', 'welcomeMessage', 'owners', 'members'] as const) {
    if (!isDeepStrictEqual(before[field], after[field])) {
      changes.push({ field, before: before[field], after: after[field] });
    }
  }
  const keys = new Set([...Object.keys(before.metadata), ...Object.keys(after.metadata)]);
  for (const key of [...keys].sort()) {
    const was = before.metadata[key];
    const now = after.metadata[key];
    if (!isDeepStrictEqual(was, now)) {
      changes.push({ field: `metadata.${key}`, before: was ?? null, after: now ?? null });
    }
  }
  return changes;
}

/** Applies edits over current values (metadata keys merge; null removes a key). */
export function applyEdits(current: Editable, edits: RequestEdits): Editable {
  const metadata = { ...current.metadata };
  for (const [key, value] of Object.entries(edits.metadata ?? {})) {
    if (value === null) delete metadata[key];
    else metadata[key] = value;
  }
  return {
    name: edits.name ?? current.name,
    description: edits.description === undefined ? current.description : edits.description,
    welcomeMessage: edits.welcomeMessage === undefined ? current.welcomeMessage : edits.welcomeMessage,
    metadata,
    owners: edits.owners ?? current.owners,
    members: edits.members ?? current.members,
  };
}
