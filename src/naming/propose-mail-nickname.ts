import { errors } from '../errors/index.ts';
import { fold } from './find-conflicts.ts';
import { NAME_LIMITS } from './naming-limits.ts';

// Past this many suffixes the base is too generic to be useful: ask for another name instead.
const MAX_SUFFIX = 999;

/**
 * The first of `base`, `base-2`, `base-3` … that is not taken (case-insensitive), shortening the
 * base so the suffix still fits in 64 characters.
 * @throws AppError validation_failed when every candidate up to -999 is taken or the base is empty.
 */
export function proposeFreeMailNickname(base: string, taken: Iterable<string>): string {
  if (base === '') throw errors.validation('Cannot propose a mail nickname from an empty base.', { base });
  const used = new Set<string>();
  for (const t of taken) used.add(fold(t));
  for (let n = 1; n <= MAX_SUFFIX; n++) {
    const suffix = n === 1 ? '' : `-${n}`;
    // A cut may leave a trailing dot or hyphen, which would give "name.-2": drop it.
    const stem = base.slice(0, NAME_LIMITS.mailNicknameMax - suffix.length).replace(/[-.]+$/, '');
    const candidate = `${stem}${suffix}`;
    if (stem !== '' && !used.has(fold(candidate))) return candidate;
  }
  throw errors.validation(`Mail nicknames ${base} to ${base}-${MAX_SUFFIX} are all taken.`, { base });
}
