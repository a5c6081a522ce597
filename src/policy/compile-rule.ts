import { isCelError, parse, plan, type CelEnv, type CelInput, type CelResult } from '@bufbuild/cel';
import { type AppError, errors } from '../errors/index.ts';
import { checkRule } from './check-rule.ts';
import {
  APPROVER_VARIABLES,
  AUDIENCE_VARIABLES,
  approverEnv,
  audienceEnv,
  type MapSchema,
  type RuleType,
} from './policy-env.ts';
import { POLICY_LIMITS } from './policy-limits.ts';
import { positionAt, positionOfExpr, type RulePosition } from './rule-position.ts';

/** Which question a rule answers: who sees a template, or who approves a request. */
export type RuleKind = 'audience' | 'approver';

/** A rule that parsed and checked; evaluate it with evaluateAudience / evaluateApprovers. */
export interface CompiledRule<K extends RuleKind = RuleKind> {
  readonly kind: K;
  /** The expression as saved (trimmed). */
  readonly expression: string;
  /** True for an empty audience rule: everyone sees the template. */
  readonly everyone: boolean;
  /** Result type known before running ('dyn' when only the run can tell). */
  readonly resultType: RuleType;
  /** Planned program; undefined only when `everyone`. */
  readonly program: ((bindings: Record<string, CelInput>) => CelResult) | undefined;
  /** Parser id → offset table, to place runtime errors in the text. */
  readonly positions: Readonly<Record<string, number>> | undefined;
}

/** Audience rule: a bool over `user`. */
export type AudienceRule = CompiledRule<'audience'>;
/** Approver rule: a string or a list of strings (user ids or mails) over `request`. */
export type ApproverRule = CompiledRule<'approver'>;

/**
 * Compiles an audience rule at save time. Empty means everyone.
 * @throws AppError (validation_failed) with `details.position` for syntax, unknown names, non-bool results, oversize.
 */
export function compileAudienceRule(expression: string): AudienceRule {
  return compile('audience', expression, AUDIENCE_VARIABLES, audienceEnv, (type) =>
    type === 'bool' || type === 'dyn' ? undefined : `an audience rule must return a bool, not a ${type}`,
  );
}

/**
 * Compiles a dynamic-approver rule at save time. Empty is refused: a request must never end up
 * without approvers because a rule was left blank.
 * @throws AppError (validation_failed) with `details.position` when the rule cannot be used.
 */
export function compileApproverRule(expression: string): ApproverRule {
  return compile('approver', expression, APPROVER_VARIABLES, approverEnv, (type, element) => {
    if (type === 'string' || type === 'dyn') return undefined;
    if (type === 'list') {
      return element === undefined || element === 'string' || element === 'dyn'
        ? undefined
        : `an approver rule must return strings (user ids or mails), not a list of ${element}`;
    }
    return `an approver rule must return a string or a list of strings, not a ${type}`;
  });
}

function compile<K extends RuleKind>(
  kind: K,
  input: string,
  variables: Readonly<Record<string, MapSchema>>,
  env: CelEnv,
  resultProblem: (type: RuleType, element: RuleType | undefined) => string | undefined,
): CompiledRule<K> {
  if (typeof input !== 'string') throw invalid(kind, 'the rule must be a string', undefined);
  const expression = input.trim();
  const bytes = Buffer.byteLength(expression, 'utf8');
  if (bytes > POLICY_LIMITS.maxExpressionBytes) {
    throw errors.validation(
      `${label(kind)} is ${bytes} bytes; at most ${POLICY_LIMITS.maxExpressionBytes} are allowed`,
      { rule: kind, bytes, maxBytes: POLICY_LIMITS.maxExpressionBytes },
    );
  }
  if (expression === '') {
    if (kind === 'approver')
      throw invalid(kind, 'the rule is empty; it must name at least one approver', undefined);
    return { kind, expression, everyone: true, resultType: 'bool', program: undefined, positions: undefined };
  }

  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(expression);
  } catch (error) {
    throw parseError(kind, expression, error);
  }
  const positions = parsed.sourceInfo?.positions;
  const checked = checkRule(parsed.expr, variables, env);
  if (!checked.ok) {
    throw invalid(kind, checked.message, positionOfExpr(expression, positions, checked.exprId));
  }
  const problem = resultProblem(checked.type, checked.element);
  if (problem !== undefined) throw invalid(kind, problem, positionAt(expression, 0));

  let program: CompiledRule['program'];
  try {
    program = plan(env, parsed);
  } catch (error) {
    throw invalid(kind, error instanceof Error ? error.message : 'the rule cannot be planned', undefined);
  }
  return { kind, expression, everyone: false, resultType: checked.type, program, positions };
}

function parseError(kind: RuleKind, expression: string, error: unknown): AppError {
  // The peggy parser reports `location.start` and a `rawMessage` without the `<input>:l:c:` prefix.
  if (error instanceof Error && 'location' in error) {
    const location = (error as Error & { location?: { start?: { offset?: number } }; rawMessage?: string })
      .location;
    const raw = (error as { rawMessage?: unknown }).rawMessage;
    const offset = location?.start?.offset;
    const message = typeof raw === 'string' ? raw : error.message;
    return invalid(
      kind,
      `syntax error: ${message}`,
      offset === undefined ? undefined : positionAt(expression, offset),
    );
  }
  // Deep nesting overflows the recursive-descent parser before any size limit does.
  if (error instanceof RangeError) return invalid(kind, 'the rule is nested too deeply', undefined);
  if (isCelError(error) || error instanceof Error)
    return invalid(kind, `syntax error: ${error.message}`, undefined);
  return invalid(kind, 'syntax error', undefined);
}

function invalid(kind: RuleKind, message: string, position: RulePosition | undefined): AppError {
  const where = position === undefined ? '' : ` at ${position.line}:${position.column}`;
  return errors.validation(
    `Invalid ${label(kind).toLowerCase()}${where}: ${message}`,
    position === undefined ? { rule: kind } : { rule: kind, position },
  );
}

function label(kind: RuleKind): string {
  return kind === 'audience' ? 'Audience rule' : 'Approver rule';
}
