import { type AppError, errors } from '../errors/index.ts';
import { type AudienceRule } from './compile-rule.ts';
import { type PolicyUser, userToCel } from './policy-input.ts';
import { runRule } from './run-rule.ts';

/** Whether a user is in a template's audience; `error` is set when the rule failed (and then allowed is false). */
export interface AudienceDecision {
  readonly allowed: boolean;
  readonly error?: AppError;
}

/**
 * Decides whether `user` may see a template. Never throws: a rule that fails at run time (missing
 * key, type mismatch, bad input) fails closed, hiding the template instead of breaking the catalog.
 */
export function evaluateAudience(rule: AudienceRule, user: PolicyUser): AudienceDecision {
  if (rule.everyone) return { allowed: true };
  const outcome = runRule(rule, () => ({ user: userToCel(user) }));
  if (!outcome.ok) return { allowed: false, error: outcome.error };
  if (typeof outcome.value !== 'boolean') {
    return {
      allowed: false,
      error: errors.validation('Audience rule returned a non-bool value', { rule: 'audience' }),
    };
  }
  return { allowed: outcome.value };
}
