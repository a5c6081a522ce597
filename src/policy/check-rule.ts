import { type CelEnv, type parse } from '@bufbuild/cel';
import { type MapSchema, type RuleType } from './policy-env.ts';
import { POLICY_LIMITS } from './policy-limits.ts';

// The AST type is named through parse() so we depend only on @bufbuild/cel, not on cel-spec.
type Expr = ReturnType<typeof parse>['expr'];

/** What the checker knows about one sub-expression. */
interface Inferred {
  readonly type: RuleType;
  /** Declared keys, when the value is one of our variables (or a map field of one). */
  readonly schema?: MapSchema;
  /** Element type, when the value is a list whose elements are known. */
  readonly element?: RuleType;
  /** Dotted path for messages (`user`, `request.requester`). */
  readonly path?: string;
}

/** Outcome of checking a parsed rule: its result type, or the first problem and where it is. */
export type CheckResult =
  | { readonly ok: true; readonly type: RuleType; readonly element?: RuleType }
  | { readonly ok: false; readonly message: string; readonly exprId: bigint };

// Thrown only inside this module to unwind the walk; check() turns it into a CheckResult.
class CheckProblem extends Error {
  readonly exprId: bigint;
  constructor(message: string, exprId: bigint) {
    super(message);
    this.exprId = exprId;
  }
}

// Operators and macros the planner implements itself: they are never in the function resolver.
const BUILT_IN_BOOL = new Set(['_&&_', '_||_', '@not_strictly_false', '!_', '_==_', '_!=_']);
const COMPARISONS = new Set(['_<_', '_<=_', '_>_', '_>=_', '@in']);
const BOOL_METHODS = new Set(['startsWith', 'endsWith', 'contains', 'matches']);
const STRING_RESULTS = new Set([
  'lowerAscii',
  'upperAscii',
  'replace',
  'substring',
  'trim',
  'charAt',
  'format',
  'join',
  'strings.quote',
]);
const CONVERSIONS: Readonly<Record<string, RuleType>> = {
  int: 'int',
  uint: 'uint',
  double: 'double',
  string: 'string',
  bool: 'bool',
  bytes: 'bytes',
  dyn: 'dyn',
  type: 'type',
  size: 'int',
  indexOf: 'int',
  lastIndexOf: 'int',
  split: 'list',
};
const TYPE_NAMES = new Set([
  'int',
  'uint',
  'double',
  'bool',
  'string',
  'bytes',
  'list',
  'map',
  'null_type',
  'type',
  'dyn',
]);

/**
 * Checks a parsed rule before it is saved: every identifier, field and function must be declared,
 * comprehensions may not nest too deeply, and the result type is inferred where it can be known.
 * cel-es 0.6.1 does not export its type checker, and its map variables are only checked at run
 * time, so without this a typo such as `usr.department` would surface only when a user is evaluated.
 */
export function checkRule(
  expr: Expr,
  variables: Readonly<Record<string, MapSchema>>,
  env: CelEnv,
): CheckResult {
  try {
    const inferred = infer(expr, new Map(), 0, variables, env);
    return inferred.element === undefined
      ? { ok: true, type: inferred.type }
      : { ok: true, type: inferred.type, element: inferred.element };
  } catch (error) {
    if (error instanceof CheckProblem) return { ok: false, message: error.message, exprId: error.exprId };
    throw error;
  }
}

type Scope = ReadonlyMap<string, Inferred>;

function infer(
  expr: Expr,
  scope: Scope,
  depth: number,
  variables: Readonly<Record<string, MapSchema>>,
  env: CelEnv,
): Inferred {
  const walk = (e: Expr | undefined, s: Scope = scope, d: number = depth): Inferred =>
    e === undefined ? { type: 'dyn' } : infer(e, s, d, variables, env);
  const kind = expr.exprKind;
  switch (kind.case) {
    case 'constExpr':
      return { type: constantType(kind.value.constantKind.case) };
    case 'identExpr': {
      const name = kind.value.name;
      const local = scope.get(name);
      if (local !== undefined) return local;
      const schema = variables[name];
      if (schema !== undefined) return { type: 'map', schema, path: name };
      if (TYPE_NAMES.has(name)) return { type: 'type' };
      const known = Object.keys(variables).join(', ');
      throw new CheckProblem(`unknown variable '${name}' (available: ${known})`, expr.id);
    }
    case 'selectExpr': {
      const operand = walk(kind.value.operand);
      const field = selectField(operand, kind.value.field, expr.id);
      return kind.value.testOnly ? { type: 'bool' } : field;
    }
    case 'callExpr': {
      const { function: name, args } = kind.value;
      const target = kind.value.target === undefined ? undefined : walk(kind.value.target);
      const argTypes = args.map((arg) => walk(arg));
      return callType(name, target, argTypes, args, expr.id, env);
    }
    case 'listExpr': {
      const elements = kind.value.elements.map((e) => walk(e).type);
      const first = elements[0];
      const uniform = first !== undefined && elements.every((t) => t === first);
      return uniform ? { type: 'list', element: first } : { type: 'list' };
    }
    case 'structExpr':
      if (kind.value.messageName !== '') {
        throw new CheckProblem(
          `message types are not available in rules ('${kind.value.messageName}')`,
          expr.id,
        );
      }
      for (const entry of kind.value.entries) {
        if (entry.keyKind.case === 'mapKey') walk(entry.keyKind.value);
        walk(entry.value);
      }
      return { type: 'map' };
    case 'comprehensionExpr': {
      const c = kind.value;
      if (depth + 1 > POLICY_LIMITS.maxComprehensionDepth) {
        throw new CheckProblem(
          `comprehensions (exists, all, map, filter…) nest deeper than ${POLICY_LIMITS.maxComprehensionDepth}`,
          expr.id,
        );
      }
      const range = walk(c.iterRange);
      const accu = walk(c.accuInit);
      const inner = new Map(scope);
      // Over a list the first variable is the element; over a map it is the key (a string here).
      inner.set(c.iterVar, range.type === 'list' ? { type: range.element ?? 'dyn' } : { type: 'dyn' });
      if (c.iterVar2 !== '') inner.set(c.iterVar2, { type: 'dyn' });
      inner.set(c.accuVar, accu);
      walk(c.loopCondition, inner, depth + 1);
      walk(c.loopStep, inner, depth + 1);
      const resultScope = new Map(scope).set(c.accuVar, accu);
      return walk(c.result, resultScope, depth);
    }
    default:
      return { type: 'dyn' };
  }
}

function constantType(kind: string | undefined): RuleType {
  switch (kind) {
    case 'boolValue':
      return 'bool';
    case 'int64Value':
      return 'int';
    case 'uint64Value':
      return 'uint';
    case 'doubleValue':
      return 'double';
    case 'stringValue':
      return 'string';
    case 'bytesValue':
      return 'bytes';
    case 'nullValue':
      return 'null';
    default:
      return 'dyn';
  }
}

function selectField(operand: Inferred, field: string, exprId: bigint): Inferred {
  if (operand.schema !== undefined) {
    const path = `${operand.path ?? 'value'}.${field}`;
    const declared = operand.schema.fields[field];
    if (declared !== undefined) {
      if (typeof declared === 'string') {
        // Every declared list holds ids or names: strings.
        return declared === 'list' ? { type: 'list', element: 'string', path } : { type: declared, path };
      }
      return { type: 'map', schema: declared, path };
    }
    if (operand.schema.open !== undefined) return { type: operand.schema.open, path };
    const known = Object.keys(operand.schema.fields).join(', ');
    throw new CheckProblem(
      `unknown field '${field}' on ${operand.path ?? 'value'} (known: ${known})`,
      exprId,
    );
  }
  if (operand.type === 'map' || operand.type === 'dyn') return { type: 'dyn' };
  throw new CheckProblem(`cannot read field '${field}' of a ${operand.type}`, exprId);
}

function callType(
  name: string,
  target: Inferred | undefined,
  argTypes: readonly Inferred[],
  args: readonly Expr[],
  exprId: bigint,
  env: CelEnv,
): Inferred {
  if (BUILT_IN_BOOL.has(name) || COMPARISONS.has(name) || BOOL_METHODS.has(name)) return { type: 'bool' };
  if (name === '_?_:_') {
    const [, whenTrue, whenFalse] = argTypes;
    return whenTrue !== undefined && whenFalse !== undefined && whenTrue.type === whenFalse.type
      ? whenTrue
      : { type: 'dyn' };
  }
  if (name === '_[_]') {
    const [operand] = argTypes;
    const key = args[1]?.exprKind;
    // `user['department']` is the same read as `user.department`, so it gets the same check.
    if (
      operand?.schema !== undefined &&
      key?.case === 'constExpr' &&
      key.value.constantKind.case === 'stringValue'
    ) {
      return selectField(operand, key.value.constantKind.value, exprId);
    }
    if (operand?.type === 'list') return { type: operand.element ?? 'dyn' };
    return { type: 'dyn' };
  }
  if (STRING_RESULTS.has(name)) return { type: 'string' };
  const converted = CONVERSIONS[name];
  if (converted !== undefined)
    return converted === 'list' ? { type: 'list', element: 'string' } : { type: converted };
  if (name === '_+_') {
    const [left, right] = argTypes;
    if (left !== undefined && right !== undefined && left.type === right.type) {
      return left.type === 'list' && left.element === right.element && left.element !== undefined
        ? { type: 'list', element: left.element }
        : { type: left.type };
    }
    return { type: 'dyn' };
  }
  if (env.funcs.find(name) === undefined) {
    const how = target === undefined ? 'function' : 'method';
    throw new CheckProblem(`unknown ${how} '${name}'`, exprId);
  }
  const first = argTypes[0];
  // Arithmetic keeps its operand type (int - int is int); anything else is only known at run time.
  if (['_-_', '_*_', '_/_', '_%_', '-_'].includes(name) && first !== undefined) return { type: first.type };
  return { type: 'dyn' };
}
