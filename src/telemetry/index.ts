export { createLogger, type Logger, REDACT_PATHS, redactUrl } from './logger.ts';
