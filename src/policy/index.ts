export {
  compileApproverRule,
  compileAudienceRule,
  type ApproverRule,
  type AudienceRule,
  type CompiledRule,
  type RuleKind,
} from './compile-rule.ts';
export { evaluateApprovers, type ApproverResult } from './evaluate-approvers.ts';
export { evaluateAudience, type AudienceDecision } from './evaluate-audience.ts';
export { type ApproverContext, type PolicyUser } from './policy-input.ts';
export { APPROVER_VARIABLES, AUDIENCE_VARIABLES, type RuleType } from './policy-env.ts';
export { POLICY_LIMITS } from './policy-limits.ts';
export { type RulePosition } from './rule-position.ts';
export { testRule, type RuleTestResult } from './test-rule.ts';
