export { AppError, type AppErrorOptions, errors, isAppError } from './app-error.ts';
export { ErrorCode, exitCodeFor, httpStatusFor } from './error-code.ts';
