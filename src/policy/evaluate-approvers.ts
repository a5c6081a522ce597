import { isCelList } from '@bufbuild/cel';
import { type AppError, errors } from '../errors/index.ts';
import { type ApproverRule } from './compile-rule.ts';
import { type ApproverContext, requestToCel } from './policy-input.ts';
import { POLICY_LIMITS } from './policy-limits.ts';
import { runRule } from './run-rule.ts';

/** Approvers a rule named (deduplicated, first spelling kept), or why it named none. */
export type ApproverResult =
  | { readonly ok: true; readonly approvers: readonly string[] }
  | { readonly ok: false; readonly error: AppError };

/**
 * Evaluates a dynamic-approver rule for a request. Never throws. Fails closed: an error, a
 * non-string, an empty string or an empty list is an error, never "no approval needed".
 */
export function evaluateApprovers(rule: ApproverRule, context: ApproverContext): ApproverResult {
  const outcome = runRule(rule, () => ({ request: requestToCel(context) }));
  if (!outcome.ok) return outcome;
  const value = outcome.value;
  const items: unknown[] = typeof value === 'string' ? [value] : isCelList(value) ? [...value] : [];
  if (typeof value !== 'string' && !isCelList(value)) {
    return fail('Approver rule must return a string or a list of strings');
  }
  const seen = new Set<string>();
  const approvers: string[] = [];
  for (const item of items) {
    if (typeof item !== 'string') return fail('Approver rule returned a list holding a non-string');
    const approver = item.trim();
    if (approver === '') return fail('Approver rule returned an empty approver');
    // Entra object ids and mail addresses are case-insensitive: one person, one approval.
    const key = approver.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    approvers.push(approver);
  }
  if (approvers.length === 0) return fail('Approver rule returned no approvers');
  if (approvers.length > POLICY_LIMITS.maxApprovers) {
    return fail(
      `Approver rule returned ${approvers.length} approvers; at most ${POLICY_LIMITS.maxApprovers}`,
    );
  }
  return { ok: true, approvers };
}

function fail(message: string): ApproverResult {
  return { ok: false, error: errors.validation(message, { rule: 'approver' }) };
}
