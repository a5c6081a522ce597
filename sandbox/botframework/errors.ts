import type { FastifyError, FastifyInstance } from 'fastify';
import { AccessTokenError } from '../entra/access-tokens.ts';

/** A Connector failure, rendered as Bot Framework's `ErrorResponse` (`{error:{code,message}}`). */
export class ConnectorError extends Error {
  readonly status: number;
  readonly code: string;
  readonly subCode: string | undefined;
  readonly headers: Record<string, string>;
  constructor(
    status: number,
    code: string,
    message: string,
    options: { subCode?: string; headers?: Record<string, string> } = {},
  ) {
    super(message);
    this.status = status;
    this.code = code;
    this.subCode = options.subCode;
    this.headers = options.headers ?? {};
  }
}

export const connectorErrors = {
  badArgument: (message: string) => new ConnectorError(400, 'BadArgument', message),
  conversationNotFound: () => new ConnectorError(404, 'ConversationNotFound', 'Conversation not found.'),
  activityNotFound: (id: string) =>
    new ConnectorError(404, 'ActivityNotFound', `Activity ${id} was not found in the conversation.`),
  memberNotFound: () =>
    new ConnectorError(404, 'MemberNotFoundInConversation', 'The member was not found in the conversation.'),
  teamNotFound: () => new ConnectorError(404, 'TeamNotFound', 'Team not found.'),
  notInRoster: () =>
    new ConnectorError(403, 'BotNotInConversationRoster', 'The bot is not part of the conversation roster.'),
  disabledByAdmin: () => new ConnectorError(403, 'BotDisabledByAdmin', 'The tenant admin disabled this bot.'),
  // Teams documents a 403 with subCode MessageWritesBlocked when the user blocked or uninstalled the bot.
  uninstalled: () =>
    new ConnectorError(
      403,
      'BotNotInConversationRoster',
      'The user uninstalled the bot; message writes are blocked.',
      {
        subCode: 'MessageWritesBlocked',
      },
    ),
  blocked: () =>
    new ConnectorError(403, 'ConversationBlockedByUser', 'User blocked the conversation with the bot.', {
      subCode: 'MessageWritesBlocked',
    }),
};

/**
 * Refuses state-changing `/sandbox/api` calls that are not JSON: a JSON body cannot be sent cross-site
 * without a CORS preflight (which the sandbox never grants), so no web page can drive the sandbox.
 */
export function requireJsonWrites(app: FastifyInstance): void {
  app.addHook('onRequest', async (request) => {
    if (request.method === 'GET' || request.method === 'HEAD' || !request.url.startsWith('/sandbox/api/'))
      return;
    const type = request.headers['content-type'] ?? '';
    if (!/^application\/json\b/i.test(type)) {
      throw new ConnectorError(
        415,
        'UnsupportedMediaType',
        'Send a JSON body (Content-Type: application/json).',
      );
    }
  });
}

/** Renders ConnectorError, token failures and schema errors in the ErrorResponse shape for a plugin scope. */
export function useErrorResponses(app: FastifyInstance, fallbackCode = 'ServiceError'): void {
  app.setErrorHandler((error: FastifyError | ConnectorError | AccessTokenError, request, reply) => {
    if (error instanceof ConnectorError) {
      return reply
        .status(error.status)
        .headers(error.headers)
        .send({
          error: { code: error.code, message: error.message },
          ...(error.subCode ? { subCode: error.subCode } : {}),
        });
    }
    if (error instanceof AccessTokenError) {
      return reply.status(error.status).send({
        error: {
          code: error.status === 401 ? 'Unauthorized' : 'Forbidden',
          message: `Authorization has been denied for this request. ${error.message}`,
        },
      });
    }
    const status = (error as FastifyError).statusCode ?? 500;
    if ((error as FastifyError).validation || (status >= 400 && status < 500)) {
      return reply.status(status).send({ error: { code: 'BadArgument', message: error.message } });
    }
    request.log.error({ err: error }, 'sandbox bot framework error');
    return reply.status(500).send({ error: { code: fallbackCode, message: 'Internal error.' } });
  });
}
