import { type TSchema, Type } from 'typebox';
import { errors } from '../errors/index.ts';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 200;

/** Query string of every listing: an opaque cursor from the previous page and a page size. */
export const PageQuery = Type.Object({
  cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 512, description: 'From `nextCursor`.' })),
  limit: Type.Optional(
    Type.Integer({
      minimum: 1,
      maximum: MAX_PAGE_SIZE,
      default: DEFAULT_PAGE_SIZE,
      description: 'Page size.',
    }),
  ),
});

/** `{ items, nextCursor }`: nextCursor is null on the last page. */
export function pageOf<T extends TSchema>(item: T) {
  return Type.Object({
    items: Type.Array(item),
    nextCursor: Type.Union([Type.String(), Type.Null()]),
  });
}

/**
 * Cursors are keyset positions (the sort key of the last item), base64url JSON tagged with the
 * listing they belong to, so a cursor from one listing is refused by another.
 */
export function encodeCursor(listing: string, position: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify([listing, ...position]), 'utf8').toString('base64url');
}

/**
 * Reads a cursor issued by `encodeCursor` for the same listing.
 * @throws AppError validation_failed when the cursor is malformed or from another listing.
 */
export function decodeCursor(listing: string, cursor: string, arity: number): (string | number)[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  if (
    !Array.isArray(parsed) ||
    parsed[0] !== listing ||
    parsed.length !== arity + 1 ||
    !parsed.slice(1).every((v) => typeof v === 'string' || typeof v === 'number')
  ) {
    throw errors.validation('Invalid cursor', { cursor: 'not one this listing issued' });
  }
  return parsed.slice(1) as (string | number)[];
}

/** Splits a `limit + 1` fetch into the page and the cursor of its last item. */
export function toPage<T>(
  rows: readonly T[],
  limit: number,
  listing: string,
  positionOf: (row: T) => readonly (string | number)[],
): { items: T[]; nextCursor: string | null } {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return {
    items,
    nextCursor: rows.length > limit && last !== undefined ? encodeCursor(listing, positionOf(last)) : null,
  };
}
