/**
 * Static bounds on rules and their inputs. @bufbuild/cel 0.6.1 has no cost metering or evaluation
 * budget (celEnv takes no limit option), so work is bounded here instead: a rule's size, how deeply
 * its comprehensions nest, and how long the lists it can iterate over may be.
 */
export const POLICY_LIMITS = {
  /** Longest expression accepted, in UTF-8 bytes (4 KiB). */
  maxExpressionBytes: 4096,
  /** Deepest nesting of comprehension macros (exists/all/map/filter…): work grows as listSize^depth. */
  maxComprehensionDepth: 2,
  /** Most items in any input list (groups, groupNames, roles, metadata lists). */
  maxListItems: 5000,
  /** Most approvers one rule may produce; more means the rule is wrong, not the org chart. */
  maxApprovers: 100,
} as const;
