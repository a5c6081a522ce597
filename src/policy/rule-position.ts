/** Where in a rule's text a problem is: 0-based offset, 1-based line and column. */
export interface RulePosition {
  readonly offset: number;
  readonly line: number;
  readonly column: number;
}

/** Turns an offset into the expression into a line/column position admins can find in the editor. */
export function positionAt(expression: string, offset: number): RulePosition {
  const clamped = Math.max(0, Math.min(offset, expression.length));
  const before = expression.slice(0, clamped);
  const line = before.split('\n').length;
  const column = clamped - (before.lastIndexOf('\n') + 1) + 1;
  return { offset: clamped, line, column };
}

/** Position of an expression node, from the parser's id → offset table; undefined when unknown. */
export function positionOfExpr(
  expression: string,
  positions: Readonly<Record<string, number>> | undefined,
  exprId: bigint | undefined,
): RulePosition | undefined {
  if (positions === undefined || exprId === undefined) return undefined;
  const offset = positions[exprId.toString()];
  return offset === undefined ? undefined : positionAt(expression, offset);
}
