/**
 * Reads the key out of an `@odata.bind` or `@odata.id` reference, whichever form the caller used:
 * `https://graph.microsoft.com/v1.0/users('id')`, `…/users/id`, `users('upn')`, on any host or version.
 */
export function boundKey(value: unknown, collections: readonly string[]): string | undefined {
  if (typeof value !== 'string') return undefined;
  let path = value.trim();
  try {
    if (/^https?:\/\//i.test(path)) path = new URL(path).pathname;
  } catch {
    return undefined;
  }
  path = decodeURIComponent(path);
  for (const collection of collections) {
    const escaped = collection.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const match =
      new RegExp(`(?:^|/)${escaped}\\('([^']+)'\\)/?$`, 'i').exec(path) ??
      new RegExp(`(?:^|/)${escaped}\\(([^)'/]+)\\)/?$`, 'i').exec(path) ??
      new RegExp(`(?:^|/)${escaped}/([^/]+)/?$`, 'i').exec(path);
    if (match?.[1]) return match[1];
  }
  return undefined;
}

/** A URL into Graph, as Graph writes references (`https://graph.microsoft.com/v1.0/…`). */
export function graphUrl(path: string): string {
  return `https://graph.microsoft.com/v1.0/${path.replace(/^\//, '')}`;
}
