import { GraphError } from './errors.ts';
import { type FilterRules, matchesFilter, parseFilter } from './filter.ts';
import type { GraphCall } from './route.ts';

type Item = Record<string, unknown>;

/** How a collection or entity answers OData query options. */
export interface ODataOptions {
  /** The `@odata.context` fragment after `$metadata#`, e.g. `users` or `teams('…')/channels`. */
  context: string;
  /** `microsoft.graph.user` … (error messages). */
  entityType: string;
  /** Users and groups: advanced-query rules ($count and `ne` need ConsistencyLevel: eventual). */
  directory?: boolean;
  /** Properties returned without $select (Graph's default set); all of the item's otherwise. */
  defaultSelect?: readonly string[];
  /** Navigation properties `$expand` accepts, and how to fill them. */
  expand?: Record<string, (item: Item) => unknown>;
  /** Page size without $top. */
  pageSize?: number;
  /** Largest $top accepted (directory objects: 999). */
  maxTop?: number;
}

interface QueryOptions {
  select: string[] | undefined;
  filter: string | undefined;
  top: number | undefined;
  skip: number;
  count: boolean;
  expand: string[];
  orderBy: { property: string; descending: boolean } | undefined;
}

function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const c of text) {
    if (c === '(') depth++;
    if (c === ')') depth--;
    if (c === ',' && depth === 0) {
      parts.push(current.trim());
      current = '';
    } else {
      current += c;
    }
  }
  if (current.trim()) parts.push(current.trim());
  return parts;
}

function decodeSkipToken(token: string): number {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { o?: unknown };
    if (typeof parsed.o === 'number' && Number.isInteger(parsed.o) && parsed.o >= 0) return parsed.o;
  } catch {
    // fall through to the error below
  }
  throw new GraphError(400, 'BadRequest', 'The $skiptoken is not valid.');
}

function readQuery(call: GraphCall, options: ODataOptions): QueryOptions {
  const q = call.query;
  const directory = options.directory === true;
  const badRequest = (message: string) =>
    new GraphError(400, directory ? 'Request_BadRequest' : 'BadRequest', message);
  if (q.$search !== undefined) throw badRequest("Query option '$search' is not supported on this resource.");
  if (q.$skip !== undefined && directory) throw badRequest("'$skip' is not supported by the service.");
  let top: number | undefined;
  if (q.$top !== undefined) {
    top = Number(q.$top);
    const max = options.maxTop ?? 999;
    if (!Number.isInteger(top) || top < 1 || top > max) {
      throw badRequest(`Invalid page size specified: '${q.$top}'. Must be between 1 and ${max} inclusive.`);
    }
  }
  let count = false;
  if (q.$count !== undefined) {
    if (q.$count !== 'true' && q.$count !== 'false') throw badRequest(`Invalid $count value '${q.$count}'.`);
    count = q.$count === 'true';
    // Directory objects count only as an advanced query.
    if (count && directory && !isEventual(call)) throw badRequest('$count is not currently supported.');
  }
  let orderBy: QueryOptions['orderBy'];
  if (q.$orderby !== undefined) {
    const match = /^\s*([\w/]+)(?:\s+(asc|desc))?\s*$/i.exec(q.$orderby);
    if (!match?.[1]) throw badRequest(`Unsupported $orderby '${q.$orderby}'.`);
    orderBy = { property: match[1], descending: (match[2] ?? '').toLowerCase() === 'desc' };
  }
  return {
    select: q.$select === undefined ? undefined : splitTopLevel(q.$select).filter(Boolean),
    filter: q.$filter,
    top,
    skip: q.$skiptoken === undefined ? Number(q.$skip ?? 0) || 0 : decodeSkipToken(q.$skiptoken),
    count,
    expand:
      q.$expand === undefined
        ? []
        : splitTopLevel(q.$expand).map((e) => (e.split('(')[0] ?? '').trim().replace(/^\*$/, '*')),
    orderBy,
  };
}

/** `ConsistencyLevel: eventual` (advanced directory queries). */
export function isEventual(call: GraphCall): boolean {
  const header = call.request.headers.consistencylevel;
  return typeof header === 'string' && header.toLowerCase() === 'eventual';
}

function canonicalName(item: Item, name: string): string | undefined {
  return Object.keys(item).find((k) => !k.startsWith('@') && k.toLowerCase() === name.toLowerCase());
}

function project(item: Item, names: readonly string[]): Item {
  const out: Item = {};
  for (const [key, value] of Object.entries(item)) {
    // Annotations (@odata.type, @odata.etag) travel with the entity whatever is selected.
    if (key.startsWith('@')) out[key] = value;
  }
  for (const name of names) {
    const key = canonicalName(item, name);
    if (key !== undefined) out[key] = item[key];
  }
  return out;
}

function applyExpand(item: Item, expand: readonly string[], options: ODataOptions): Item {
  if (expand.length === 0) return item;
  const out = { ...item };
  for (const name of expand) {
    const fill = Object.entries(options.expand ?? {}).find(([k]) => k.toLowerCase() === name.toLowerCase());
    if (fill) out[fill[0]] = fill[1](item);
  }
  return out;
}

function checkNames(
  names: readonly string[],
  known: readonly string[],
  options: ODataOptions,
  what: '$select' | '$expand',
): void {
  for (const name of names) {
    if (name === '*' && what === '$select') continue;
    if (!known.some((k) => k.toLowerCase() === name.toLowerCase())) {
      throw new GraphError(
        400,
        options.directory ? 'Request_BadRequest' : 'BadRequest',
        `Parsing OData Select and Expand failed: Could not find a property named '${name}' on type '${options.entityType}'.`,
      );
    }
  }
}

function contextUrl(call: GraphCall, options: ODataOptions, select: readonly string[] | undefined): string {
  const fragment = select && select.length > 0 ? `${options.context}(${select.join(',')})` : options.context;
  return `${call.base}/$metadata#${fragment}`;
}

function shape(item: Item, query: QueryOptions, options: ODataOptions): Item {
  const expanded = applyExpand(item, query.expand, options);
  const names =
    query.select && !query.select.includes('*')
      ? [...query.select, ...query.expand]
      : options.defaultSelect && !query.select
        ? [...options.defaultSelect, ...query.expand]
        : undefined;
  return names ? project(expanded, names) : expanded;
}

/**
 * A collection page as Graph returns it: `@odata.context`, `value`, `@odata.count` on request and
 * `@odata.nextLink` (absolute, on the sandbox origin, with a `$skiptoken`) while items remain.
 * @throws GraphError(400) on query options Graph rejects for this resource.
 */
export function collection(call: GraphCall, items: readonly Item[], options: ODataOptions): Item {
  const query = readQuery(call, options);
  const sample = items[0] ?? {};
  const known = [...Object.keys(sample).filter((k) => !k.startsWith('@')), ...(options.defaultSelect ?? [])];
  const expandable = Object.keys(options.expand ?? {});
  checkNames(query.expand, expandable, options, '$expand');
  if (query.select && items.length > 0)
    checkNames(query.select, [...known, ...expandable], options, '$select');

  let rows = [...items];
  if (query.filter !== undefined) {
    const rules: FilterRules = {
      entityType: options.entityType,
      properties: items.length > 0 ? [...new Set([...known, ...expandable])] : null,
      directory: options.directory === true,
      advanced: isEventual(call) && query.count,
    };
    const expr = parseFilter(query.filter, rules);
    // Filters may reach into navigation properties (`teamsApp/id eq '…'`) whether expanded or not.
    rows = rows.filter((row) => matchesFilter(expr, applyExpand(row, expandable, options)));
  }
  if (query.orderBy) {
    const { property, descending } = query.orderBy;
    const value = (row: Item) => {
      const key = canonicalName(row, property);
      const v = key === undefined ? '' : row[key];
      return typeof v === 'string' ? v.toLowerCase() : String(v ?? '');
    };
    rows = [...rows].sort((a, b) => value(a).localeCompare(value(b)) * (descending ? -1 : 1));
  }
  const pageSize = query.top ?? options.pageSize ?? 100;
  const page = rows.slice(query.skip, query.skip + pageSize).map((row) => shape(row, query, options));
  const body: Item = { '@odata.context': contextUrl(call, options, query.select) };
  if (query.count) body['@odata.count'] = rows.length;
  const nextOffset = query.skip + pageSize;
  if (nextOffset < rows.length) {
    const url = new URL(call.request.url, call.ctx.config.origin);
    url.searchParams.delete('$skiptoken');
    url.searchParams.delete('$skip');
    url.searchParams.set('$skiptoken', Buffer.from(JSON.stringify({ o: nextOffset })).toString('base64url'));
    body['@odata.nextLink'] = `${call.ctx.config.origin}${url.pathname}${url.search}`;
  }
  body.value = page;
  return body;
}

/**
 * One entity with `@odata.context`, honouring `$select` and `$expand`.
 * @throws GraphError(400) on unknown properties.
 */
export function entity(call: GraphCall, item: Item, options: ODataOptions): Item {
  const query = readQuery(call, options);
  const known = [...Object.keys(item).filter((k) => !k.startsWith('@')), ...(options.defaultSelect ?? [])];
  const expandable = Object.keys(options.expand ?? {});
  checkNames(query.expand, expandable, options, '$expand');
  if (query.select) checkNames(query.select, [...known, ...expandable], options, '$select');
  const context = contextUrl(call, options, query.select);
  return { '@odata.context': `${context}/$entity`, ...shape(item, query, options) };
}
