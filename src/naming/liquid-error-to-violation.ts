import type { NamingField, NamingViolation } from './naming-types.ts';

/** Tags that would read other templates from disk; refused at parse time. */
export const FORBIDDEN_TAGS = ['include', 'render', 'layout'] as const;

interface LiquidLikeError {
  message?: unknown;
  originalError?: { message?: unknown; variableName?: unknown };
}

/** Turns an error thrown by liquidjs while parsing or rendering `field` into a violation that names what failed. */
export function liquidErrorToViolation(field: NamingField, error: unknown): NamingViolation {
  const e = (typeof error === 'object' && error !== null ? error : {}) as LiquidLikeError;
  const full = typeof e.message === 'string' ? e.message : String(error);
  const inner = typeof e.originalError?.message === 'string' ? e.originalError.message : full;
  // liquidjs appends ", line:1, col:4": keep it, people need the position in long welcome messages.
  const where = /line:(\d+), col:(\d+)/.exec(full);
  const at = where ? ` (line ${where[1]}, column ${where[2]})` : '';

  const variable =
    typeof e.originalError?.variableName === 'string'
      ? e.originalError.variableName
      : /undefined variable: ([^,\s]+)/.exec(inner)?.[1];
  if (variable !== undefined) {
    return violation(field, 'unknown_variable', `Unknown variable "${variable}" in ${field}${at}.`, variable);
  }
  const filter = /undefined filter: ([^,\s]+)/.exec(inner)?.[1];
  if (filter !== undefined) {
    return violation(field, 'unknown_filter', `Unknown filter "${filter}" in ${field}${at}.`, filter);
  }
  const tag = /tag "([^"]+)" not found/.exec(inner)?.[1];
  if (tag !== undefined) {
    return (FORBIDDEN_TAGS as readonly string[]).includes(tag)
      ? violation(
          field,
          'forbidden_tag',
          `The "${tag}" tag is not allowed in naming rules (${field}${at}).`,
          tag,
        )
      : violation(field, 'unknown_tag', `Unknown tag "${tag}" in ${field}${at}.`, tag);
  }
  if (/limit exceeded/.test(inner)) {
    return violation(field, 'limit_exceeded', `The ${field} rule is too long or too costly to render${at}.`);
  }
  const name = typeof error === 'object' && error !== null ? (error as { name?: unknown }).name : undefined;
  if (name === 'TokenizationError' || name === 'ParseError') {
    return violation(field, 'syntax_error', `Syntax error in ${field}: ${stripPosition(inner)}${at}.`);
  }
  return violation(
    field,
    'render_error',
    `The ${field} rule failed to render: ${stripPosition(inner)}${at}.`,
  );
}

function violation(
  field: NamingField,
  code: NamingViolation['code'],
  message: string,
  name?: string,
): NamingViolation {
  return name === undefined ? { field, code, message } : { field, code, message, name };
}

function stripPosition(message: string): string {
  return message.replace(/,? ?line:\d+, col:\d+.*$/s, '');
}
