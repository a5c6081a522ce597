import type { Liquid } from 'liquidjs';
import { foldToAscii } from './fold-to-ascii.ts';

// A hostile `pad: 1000000000` must not allocate a gigabyte; no name field is longer than this.
const MAX_PAD_WIDTH = 1024;

/** `slug` for the filter of the same name: ASCII, lowercase, words joined by single hyphens. */
export function slugify(value: unknown): string {
  return foldToAscii(text(value), ' ')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/** `initials` for the filter of the same name: the first letter or digit of each word, upper-cased. */
export function initialsOf(value: unknown): string {
  return text(value)
    .split(/[\s\-_/.,&+]+/u)
    .map((word) => /[\p{L}\p{N}]/u.exec(word)?.[0] ?? '')
    .join('')
    .toUpperCase();
}

/** `pad: width, char` — left-pads (sequence numbers: 7 → 007), width capped at 1024. */
export function padStart(value: unknown, width: unknown = 2, fill: unknown = '0'): string {
  const n = Math.min(Math.max(Math.trunc(Number(width)) || 0, 0), MAX_PAD_WIDTH);
  const f = text(fill) === '' ? '0' : text(fill);
  return text(value).padStart(n, f);
}

/** Adds Trellis's filters to a Liquid instance (`slug`, `initials`, `pad`, and `upper`/`lower` aliases). */
export function registerNamingFilters(liquid: Liquid): void {
  liquid.registerFilter('slug', slugify);
  liquid.registerFilter('initials', initialsOf);
  liquid.registerFilter('pad', padStart);
  // Admins coming from EJS or Excel expect these names; Liquid spells them upcase/downcase.
  liquid.registerFilter('upper', (v: unknown) => text(v).toUpperCase());
  liquid.registerFilter('lower', (v: unknown) => text(v).toLowerCase());
}

function text(value: unknown): string {
  if (value === null || value === undefined) return '';
  return typeof value === 'string' ? value : String(value);
}
