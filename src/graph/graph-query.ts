/** OData query options Trellis sends to Graph; anything else goes through `extra`. */
export interface GraphQuery {
  select?: readonly string[];
  filter?: string;
  top?: number;
  search?: string;
  orderBy?: string;
  expand?: readonly string[];
  count?: boolean;
  /** Other query parameters, sent as given (`$format`, `period` …). */
  extra?: Readonly<Record<string, string>>;
}

/** The header advanced directory queries need ($search, $count, `ne`, `endswith` on users and groups). */
export const EVENTUAL_CONSISTENCY: Readonly<Record<string, string>> = Object.freeze({
  ConsistencyLevel: 'eventual',
});

/** An OData string literal: quotes doubled, as OData escapes them (`O'Neil` → `'O''Neil'`). */
export function odataString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** `$search` phrase for one property: `"displayName:value"`, double quotes and backslashes escaped. */
export function searchPhrase(property: string, value: string): string {
  return `"${property}:${value.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
}

// Graph reads `$` keys literally; values are percent-encoded (spaces as %20, never `+`).
function pair(key: string, value: string): string {
  return `${key}=${encodeURIComponent(value)}`;
}

/** The query string (without `?`) for these options; empty when there are none. */
export function toQueryString(query: GraphQuery | undefined): string {
  if (!query) return '';
  const parts: string[] = [];
  if (query.select && query.select.length > 0) parts.push(pair('$select', query.select.join(',')));
  if (query.filter !== undefined) parts.push(pair('$filter', query.filter));
  if (query.search !== undefined) parts.push(pair('$search', query.search));
  if (query.orderBy !== undefined) parts.push(pair('$orderby', query.orderBy));
  if (query.expand && query.expand.length > 0) parts.push(pair('$expand', query.expand.join(',')));
  if (query.top !== undefined) parts.push(pair('$top', String(query.top)));
  if (query.count !== undefined) parts.push(pair('$count', String(query.count)));
  for (const [key, value] of Object.entries(query.extra ?? {}))
    parts.push(pair(encodeURIComponent(key).replace(/^%24/, '$'), value));
  return parts.join('&');
}

/**
 * A Graph path with every interpolated value percent-encoded as one segment, so an id or UPN can
 * never add segments or a query: graphPath`/users/${upn}/manager`.
 */
export function graphPath(strings: TemplateStringsArray, ...values: readonly string[]): string {
  return strings.reduce((path, part, i) => {
    const value = values[i - 1];
    return `${path}${value === undefined ? '' : encodeURIComponent(value)}${part}`;
  });
}
