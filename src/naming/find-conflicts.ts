import type { ExistingGroup } from './naming-types.ts';

/** A clash between a candidate name and an existing group. */
export interface NameConflict {
  field: 'displayName' | 'mailNickname';
  group: ExistingGroup;
}

/**
 * Lists the existing groups whose display name or mail nickname equals the candidate's, ignoring
 * case (Exchange treats nicknames case-insensitively; duplicate display names confuse users).
 */
export function findConflicts(
  candidate: { displayName: string; mailNickname: string },
  existingGroups: readonly ExistingGroup[],
): NameConflict[] {
  const displayName = fold(candidate.displayName);
  const mailNickname = fold(candidate.mailNickname);
  const out: NameConflict[] = [];
  for (const group of existingGroups) {
    if (fold(group.displayName) === displayName) out.push({ field: 'displayName', group });
    if (fold(group.mailNickname) === mailNickname) out.push({ field: 'mailNickname', group });
  }
  return out;
}

/** Case-insensitive comparison key; also used by the nickname proposal. */
export function fold(value: string | null | undefined): string {
  return (value ?? '').trim().toLowerCase();
}
