import { GraphError } from './errors.ts';

/**
 * The `$filter` subset Trellis uses: `eq`, `ne`, `in`, `startswith()`, `endswith()`, `and`, `or`,
 * `not`, parentheses and `any` lambdas over collections (`resourceProvisioningOptions/Any(x:x eq 'Team')`).
 * Anything else answers 400, as Graph does for clauses a resource does not support.
 */

type Literal = string | number | boolean | null;
type Operand = { kind: 'path'; path: string[] } | { kind: 'literal'; value: Literal };
export type FilterExpr =
  | { kind: 'and' | 'or'; left: FilterExpr; right: FilterExpr }
  | { kind: 'not'; expr: FilterExpr }
  | { kind: 'compare'; op: 'eq' | 'ne'; left: Operand; right: Operand }
  | { kind: 'in'; left: Operand; values: Literal[] }
  | { kind: 'function'; name: 'startswith' | 'endswith'; target: Operand; value: Operand }
  | { kind: 'any'; path: string[]; variable: string; body: FilterExpr };

type Token =
  | { t: 'punct'; v: '(' | ')' | ',' | '/' | ':' }
  | { t: 'string'; v: string }
  | { t: 'number'; v: number }
  | { t: 'word'; v: string };

/** What the caller's resource allows: directory objects need advanced queries for `ne`, `not`, `endswith`. */
export interface FilterRules {
  entityType: string;
  /** Top-level property names of the entity (case-insensitive match); null when unknown (empty collection). */
  properties: readonly string[] | null;
  directory: boolean;
  /** ConsistencyLevel: eventual with $count=true. */
  advanced: boolean;
}

function unsupported(rules: FilterRules, message: string): GraphError {
  return rules.directory
    ? new GraphError(400, 'Request_UnsupportedQuery', message)
    : new GraphError(400, 'BadRequest', `Invalid filter clause: ${message}`);
}

function tokenize(text: string, rules: FilterRules): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i] ?? '';
    if (/\s/.test(c)) {
      i++;
    } else if ('(),/:'.includes(c)) {
      tokens.push({ t: 'punct', v: c as '(' | ')' | ',' | '/' | ':' });
      i++;
    } else if (c === "'") {
      // OData escapes a quote inside a string literal by doubling it.
      let value = '';
      i++;
      for (;;) {
        if (i >= text.length) throw unsupported(rules, 'unterminated string literal.');
        if (text[i] === "'") {
          if (text[i + 1] === "'") {
            value += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += text[i];
        i++;
      }
      tokens.push({ t: 'string', v: value });
    } else if (/[-\d]/.test(c)) {
      const match = /^-?\d+(\.\d+)?/.exec(text.slice(i));
      if (!match) throw unsupported(rules, `unexpected '${c}'.`);
      tokens.push({ t: 'number', v: Number(match[0]) });
      i += match[0].length;
    } else if (/[A-Za-z_@$]/.test(c)) {
      const match = /^[A-Za-z_@$][\w.@$]*/.exec(text.slice(i));
      tokens.push({ t: 'word', v: match?.[0] ?? c });
      i += match?.[0].length ?? 1;
    } else {
      throw unsupported(rules, `unexpected '${c}'.`);
    }
  }
  return tokens;
}

/**
 * Parses a `$filter` value.
 * @throws GraphError(400) on syntax the sandbox (and Graph, for these resources) does not support.
 */
export function parseFilter(text: string, rules: FilterRules): FilterExpr {
  const tokens = tokenize(text, rules);
  let pos = 0;
  const peek = () => tokens[pos];
  const isWord = (word: string) => {
    const t = peek();
    return t?.t === 'word' && t.v.toLowerCase() === word;
  };
  const expectPunct = (v: string) => {
    const t = tokens[pos++];
    if (t?.t !== 'punct' || t.v !== v) throw unsupported(rules, `expected '${v}'.`);
  };

  const parsePath = (): string[] => {
    const path: string[] = [];
    for (;;) {
      const t = tokens[pos];
      if (t?.t !== 'word') throw unsupported(rules, 'expected a property name.');
      pos++;
      // A type cast segment (`microsoft.graph.aadUserConversationMember/userId`) narrows nothing here.
      if (!/^microsoft\.graph\./i.test(t.v)) path.push(t.v);
      const next = peek();
      const after = tokens[pos + 1];
      if (next?.t === 'punct' && next.v === '/' && after?.t === 'word' && !/^any$/i.test(after.v)) {
        pos++;
        continue;
      }
      return path;
    }
  };

  const parseOperand = (): Operand => {
    const t = peek();
    if (!t) throw unsupported(rules, 'unexpected end of clause.');
    if (t.t === 'string' || t.t === 'number') {
      pos++;
      return { kind: 'literal', value: t.v };
    }
    if (t.t === 'word') {
      const lower = t.v.toLowerCase();
      if (lower === 'true' || lower === 'false') {
        pos++;
        return { kind: 'literal', value: lower === 'true' };
      }
      if (lower === 'null') {
        pos++;
        return { kind: 'literal', value: null };
      }
      return { kind: 'path', path: parsePath() };
    }
    throw unsupported(rules, `unexpected '${t.v}'.`);
  };

  const parsePrimary = (variables: ReadonlySet<string>): FilterExpr => {
    const t = peek();
    if (t?.t === 'punct' && t.v === '(') {
      pos++;
      const inner = parseOr(variables);
      expectPunct(')');
      return inner;
    }
    if (t?.t === 'word') {
      const lower = t.v.toLowerCase();
      const next = tokens[pos + 1];
      if (next?.t === 'punct' && next.v === '(' && /^[a-z]+$/.test(lower)) {
        if (lower !== 'startswith' && lower !== 'endswith') {
          throw unsupported(rules, `the function '${t.v}' is not supported.`);
        }
        if (lower === 'endswith' && rules.directory && !rules.advanced) {
          throw unsupported(
            rules,
            "Operator 'endsWith' is not supported because the required parameters might be missing. Try adding $count with a value of true and ConsistencyLevel header with a value of eventual.",
          );
        }
        pos += 2;
        const target = parseOperand();
        expectPunct(',');
        const value = parseOperand();
        expectPunct(')');
        checkOperand(target, variables);
        return { kind: 'function', name: lower, target, value };
      }
    }
    const left = parseOperand();
    // `collection/any(x: …)` lambda.
    const slash = peek();
    const anyWord = tokens[pos + 1];
    if (left.kind === 'path' && slash?.t === 'punct' && slash.v === '/' && anyWord?.t === 'word') {
      if (!/^any$/i.test(anyWord.v)) throw unsupported(rules, `the lambda '${anyWord.v}' is not supported.`);
      pos += 2;
      expectPunct('(');
      const variable = tokens[pos++];
      if (variable?.t !== 'word') throw unsupported(rules, 'expected a lambda variable.');
      expectPunct(':');
      checkOperand(left, variables);
      const body = parseOr(new Set([...variables, variable.v]));
      expectPunct(')');
      return { kind: 'any', path: left.path, variable: variable.v, body };
    }
    const op = peek();
    if (op?.t !== 'word') throw unsupported(rules, 'expected an operator.');
    const opName = op.v.toLowerCase();
    pos++;
    checkOperand(left, variables);
    if (opName === 'in') {
      expectPunct('(');
      const values: Literal[] = [];
      for (;;) {
        const value = parseOperand();
        if (value.kind !== 'literal') throw unsupported(rules, "'in' takes literals.");
        values.push(value.value);
        const sep = tokens[pos++];
        if (sep?.t === 'punct' && sep.v === ')') break;
        if (sep?.t !== 'punct' || sep.v !== ',') throw unsupported(rules, "expected ',' or ')'.");
      }
      return { kind: 'in', left, values };
    }
    if (opName !== 'eq' && opName !== 'ne') {
      throw unsupported(rules, `the operator '${op.v}' is not supported.`);
    }
    if (opName === 'ne' && rules.directory && !rules.advanced) {
      throw unsupported(
        rules,
        "Operator 'ne' is not supported because the required parameters might be missing. Try adding $count with a value of true and ConsistencyLevel header with a value of eventual.",
      );
    }
    const right = parseOperand();
    checkOperand(right, variables);
    return { kind: 'compare', op: opName, left, right };
  };

  const checkOperand = (operand: Operand, variables: ReadonlySet<string>) => {
    if (operand.kind !== 'path') return;
    const head = operand.path[0] ?? '';
    if (variables.has(head) || rules.properties === null) return;
    if (!rules.properties.some((p) => p.toLowerCase() === head.toLowerCase())) {
      throw new GraphError(
        400,
        rules.directory ? 'Request_BadRequest' : 'BadRequest',
        `Could not find a property named '${head}' on type '${rules.entityType}'.`,
      );
    }
  };

  const parseUnary = (variables: ReadonlySet<string>): FilterExpr => {
    if (isWord('not')) {
      if (rules.directory && !rules.advanced) {
        throw unsupported(
          rules,
          "Operator 'not' is not supported because the required parameters might be missing. Try adding $count with a value of true and ConsistencyLevel header with a value of eventual.",
        );
      }
      pos++;
      return { kind: 'not', expr: parseUnary(variables) };
    }
    return parsePrimary(variables);
  };
  const parseAnd = (variables: ReadonlySet<string>): FilterExpr => {
    let left = parseUnary(variables);
    while (isWord('and')) {
      pos++;
      left = { kind: 'and', left, right: parseUnary(variables) };
    }
    return left;
  };
  const parseOr = (variables: ReadonlySet<string>): FilterExpr => {
    let left = parseAnd(variables);
    while (isWord('or')) {
      pos++;
      left = { kind: 'or', left, right: parseAnd(variables) };
    }
    return left;
  };

  const expr = parseOr(new Set());
  if (pos !== tokens.length) throw unsupported(rules, 'unexpected text after the clause.');
  return expr;
}

function getPath(value: unknown, path: readonly string[]): unknown {
  let current = value;
  for (const segment of path) {
    if (current === null || typeof current !== 'object') return undefined;
    const record = current as Record<string, unknown>;
    const key = Object.keys(record).find((k) => k.toLowerCase() === segment.toLowerCase());
    current = key === undefined ? undefined : record[key];
  }
  return current;
}

function same(a: unknown, b: unknown): boolean {
  if (typeof a === 'string' && typeof b === 'string') return a.toLowerCase() === b.toLowerCase();
  if (a === undefined) return b === null;
  return a === b;
}

/** Whether `item` matches the filter. */
export function matchesFilter(expr: FilterExpr, item: unknown, scope: Record<string, unknown> = {}): boolean {
  const resolve = (operand: Operand): unknown => {
    if (operand.kind === 'literal') return operand.value;
    const [head = '', ...rest] = operand.path;
    if (Object.hasOwn(scope, head)) return getPath(scope[head], rest);
    return getPath(item, operand.path);
  };
  switch (expr.kind) {
    case 'and':
      return matchesFilter(expr.left, item, scope) && matchesFilter(expr.right, item, scope);
    case 'or':
      return matchesFilter(expr.left, item, scope) || matchesFilter(expr.right, item, scope);
    case 'not':
      return !matchesFilter(expr.expr, item, scope);
    case 'compare': {
      const equal = same(resolve(expr.left), resolve(expr.right));
      return expr.op === 'eq' ? equal : !equal;
    }
    case 'in': {
      const value = resolve(expr.left);
      return expr.values.some((v) => same(value, v));
    }
    case 'function': {
      const target = resolve(expr.target);
      const value = resolve(expr.value);
      if (typeof target !== 'string' || typeof value !== 'string') return false;
      const t = target.toLowerCase();
      const v = value.toLowerCase();
      return expr.name === 'startswith' ? t.startsWith(v) : t.endsWith(v);
    }
    case 'any': {
      const [head = '', ...rest] = expr.path;
      const collection = Object.hasOwn(scope, head) ? getPath(scope[head], rest) : getPath(item, expr.path);
      if (!Array.isArray(collection)) return false;
      return collection.some((element) =>
        matchesFilter(expr.body, item, { ...scope, [expr.variable]: element }),
      );
    }
  }
}
