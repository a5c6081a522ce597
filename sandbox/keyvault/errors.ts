import { randomUUID } from 'node:crypto';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** A Key Vault failure, rendered as Key Vault renders it: `{error:{code, message, innererror?}}`. */
export class KeyVaultError extends Error {
  readonly status: number;
  readonly code: string;
  readonly innerCode: string | undefined;
  readonly headers: Record<string, string>;
  constructor(
    status: number,
    code: string,
    message: string,
    options: { innerCode?: string; headers?: Record<string, string> } = {},
  ) {
    super(message);
    this.status = status;
    this.code = code;
    this.innerCode = options.innerCode;
    this.headers = options.headers ?? {};
  }
}

export const vaultErrors = {
  badParameter: (message: string) => new KeyVaultError(400, 'BadParameter', message),
  keyNotFound: (name: string) =>
    new KeyVaultError(
      404,
      'KeyNotFound',
      `A key with (name/id) ${name} was not found in this key vault. If you recently deleted this key you may be able to recover it using the correct recovery command. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182`,
    ),
  keyVersionNotFound: (name: string, version: string) =>
    new KeyVaultError(
      404,
      'KeyNotFound',
      `A key with (name/id) ${name}/${version} was not found in this key vault. If you recently deleted this key you may be able to recover it using the correct recovery command. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182`,
    ),
  deletedKeyNotFound: (name: string) =>
    new KeyVaultError(404, 'KeyNotFound', `Deleted Key not found: ${name}`),
  forbidden: (message: string, innerCode: string) =>
    new KeyVaultError(403, 'Forbidden', message, { innerCode }),
  conflict: (message: string) => new KeyVaultError(409, 'Conflict', message),
};

/** Key Vault's response headers on every answer. */
export function vaultHeaders(request: FastifyRequest, reply: FastifyReply): void {
  const clientRequestId = request.headers['x-ms-client-request-id'];
  reply.header('x-ms-request-id', typeof clientRequestId === 'string' ? clientRequestId : randomUUID());
  reply.header('x-ms-keyvault-service-version', '1.9.2.0');
  reply.header('x-ms-keyvault-region', 'sandbox');
  reply.header('cache-control', 'no-cache');
}

/** Sends a KeyVaultError. */
export function sendVaultError(
  request: FastifyRequest,
  reply: FastifyReply,
  error: KeyVaultError,
): FastifyReply {
  vaultHeaders(request, reply);
  return reply
    .code(error.status)
    .headers(error.headers)
    .type('application/json; charset=utf-8')
    .send({
      error: {
        code: error.code,
        message: error.message,
        ...(error.innerCode ? { innererror: { code: error.innerCode } } : {}),
      },
    });
}

/** Renders every failure of the Key Vault routes in Key Vault's error shape. */
export function useVaultErrors(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof KeyVaultError) return sendVaultError(request, reply, error);
    // Unparseable JSON and the like: Key Vault calls these bad parameters.
    if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
      return sendVaultError(request, reply, vaultErrors.badParameter(error.message));
    }
    request.log.error({ err: error }, 'key vault route failed');
    return sendVaultError(
      request,
      reply,
      new KeyVaultError(500, 'InternalServerError', 'An internal error occurred.'),
    );
  });
}
