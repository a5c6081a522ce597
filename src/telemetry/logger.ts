import { type DestinationStream, type Logger, pino } from 'pino';
import type { LogLevel } from '../config.ts';
import { activeTraceIds } from './tracing.ts';

export type { Logger };

/**
 * Paths pino censors on every line. Authorization headers, cookies, tokens and secrets must never
 * reach a log sink, whatever object they hide in.
 */
export const REDACT_PATHS: readonly string[] = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'req.headers["proxy-authorization"]',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  '*.authorization',
  '*.password',
  '*.secret',
  '*.clientSecret',
  '*.client_secret',
  '*.token',
  '*.accessToken',
  '*.access_token',
  '*.refreshToken',
  '*.refresh_token',
  '*.idToken',
  '*.id_token',
  '*.apiKey',
  '*.connectionString',
  '*.privateKey',
  '*.key',
  '*.dek',
];

/**
 * Structured JSON logs with secrets redacted, and the active span's `trace_id`/`span_id` on every line
 * written inside a trace; tests pass a destination to read what was written.
 */
export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { service: 'trellis' },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: [...REDACT_PATHS], censor: '[redacted]' },
    formatters: { level: (label: string) => ({ level: label }) },
    mixin: () => activeTraceIds() ?? {},
  };
  return destination ? pino(options, destination) : pino(options);
}

/** A URL with its password (and token-like query values) replaced, safe to log. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = 'redacted';
    for (const key of [...u.searchParams.keys()]) {
      if (/secret|token|key|password|sig/i.test(key)) u.searchParams.set(key, 'redacted');
    }
    return u.toString();
  } catch {
    return '[unparseable url]';
  }
}
