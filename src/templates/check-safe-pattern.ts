/** Longest pattern a metadata field may declare. */
export const MAX_PATTERN_LENGTH = 200;

/**
 * Returns why a field's regular expression is unsafe or invalid, or undefined when it is usable.
 * A simple guard against catastrophic backtracking: no quantified group that itself contains a
 * quantifier or an alternation (`(a+)+`, `(a|aa)*`), no back-references, no lookbehind.
 */
export function checkSafePattern(pattern: string): string | undefined {
  if (pattern.length > MAX_PATTERN_LENGTH)
    return `the pattern is longer than ${MAX_PATTERN_LENGTH} characters`;
  if (/\\[1-9]|\\k</.test(pattern)) return 'back-references are not allowed';
  if (/\(\?<[=!]/.test(pattern)) return 'lookbehind is not allowed';
  if (hasNestedQuantifier(pattern)) {
    return 'a repeated group may not contain a quantifier or alternation (risk of catastrophic backtracking)';
  }
  try {
    new RegExp(`^(?:${pattern})$`, 'u');
  } catch (error) {
    return `not a valid regular expression: ${(error as Error).message}`;
  }
  return undefined;
}

/** Compiles a pattern checked by checkSafePattern, anchored to the whole value. */
export function compileSafePattern(pattern: string): RegExp {
  return new RegExp(`^(?:${pattern})$`, 'u');
}

function hasNestedQuantifier(pattern: string): boolean {
  // Stack of groups: whether each holds a quantifier or `|` at any depth.
  const stack: boolean[] = [];
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') inClass = true;
    else if (c === '(') stack.push(false);
    else if (c === ')') {
      const risky = stack.pop() ?? false;
      const next = pattern[i + 1];
      const quantified = next === '*' || next === '+' || next === '{' || next === '?';
      if (risky && quantified && next !== '?') return true;
      if (stack.length > 0 && (risky || quantified)) stack[stack.length - 1] = true;
    } else if (c === '*' || c === '+' || c === '{' || c === '|') {
      if (stack.length > 0) stack[stack.length - 1] = true;
    }
  }
  return false;
}
