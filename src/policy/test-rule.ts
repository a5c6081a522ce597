import { performance } from 'node:perf_hooks';
import { type AppError, errors, isAppError } from '../errors/index.ts';
import { compileAudienceRule } from './compile-rule.ts';
import { evaluateAudience } from './evaluate-audience.ts';
import { type PolicyUser } from './policy-input.ts';

/** Outcome of trying an audience rule against one user, for the admin "test against any user" screen. */
export interface RuleTestResult {
  /** False when the rule does not compile (it could not be saved). */
  readonly valid: boolean;
  /** Whether the user would see the template; false whenever there is an error. */
  readonly result: boolean;
  readonly error?: AppError;
  /** Compile plus evaluation time, in milliseconds. */
  readonly durationMs: number;
}

/** Compiles and evaluates an audience rule against a user without throwing, reporting how long it took. */
export function testRule(expression: string, user: PolicyUser): RuleTestResult {
  const started = performance.now();
  let rule;
  try {
    rule = compileAudienceRule(expression);
  } catch (error) {
    const reported = isAppError(error) ? error : errors.internal('rule could not be compiled', error);
    return { valid: false, result: false, error: reported, durationMs: performance.now() - started };
  }
  const decision = evaluateAudience(rule, user);
  const durationMs = performance.now() - started;
  return decision.error === undefined
    ? { valid: true, result: decision.allowed, durationMs }
    : { valid: true, result: false, error: decision.error, durationMs };
}
