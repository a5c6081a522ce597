import { isCelError, type CelInput, type CelValue } from '@bufbuild/cel';
import { type AppError, errors, isAppError } from '../errors/index.ts';
import { type CompiledRule } from './compile-rule.ts';
import { positionOfExpr } from './rule-position.ts';

/** A rule's raw value, or why it produced none; never a thrown error. */
export type RunOutcome =
  { readonly ok: true; readonly value: CelValue } | { readonly ok: false; readonly error: AppError };

/** Runs a compiled rule's program, turning CEL errors and anything thrown into a positioned AppError. */
export function runRule(rule: CompiledRule, bindings: () => Record<string, CelInput>): RunOutcome {
  if (rule.program === undefined) return { ok: false, error: errors.internal('rule has no program') };
  try {
    const value = rule.program(bindings());
    if (!isCelError(value)) return { ok: true, value };
    const position = positionOfExpr(rule.expression, rule.positions, value.exprId);
    const where = position === undefined ? '' : ` at ${position.line}:${position.column}`;
    return {
      ok: false,
      error: errors.validation(
        `${rule.kind === 'audience' ? 'Audience' : 'Approver'} rule failed${where}: ${value.message}`,
        position === undefined ? { rule: rule.kind } : { rule: rule.kind, position },
      ),
    };
  } catch (error) {
    // Bad input (from the bindings builder) is already an AppError; anything else (a stack overflow,
    // a library bug) must still not escape into the catalog or the approval flow.
    if (isAppError(error)) return { ok: false, error };
    return { ok: false, error: errors.internal(`${rule.kind} rule could not be evaluated`, error) };
  }
}
