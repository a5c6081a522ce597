import type { FastifyInstance } from 'fastify';
import { MESSAGING_ENDPOINT } from './sdk-app.ts';
import type { TeamsBot } from './teams-bot.ts';

/**
 * `POST /api/messages`: where Bot Framework (or the sandbox's Connector) delivers activities. The
 * token is checked before anything is parsed further; invokes answer within Teams' 5 s budget. Not
 * limited per client address (see below).
 */
export async function registerBotRoute(app: FastifyInstance, bot: TeamsBot): Promise<void> {
  app.post(
    MESSAGING_ENDPOINT,
    {
      bodyLimit: 256 * 1024,
      schema: { hide: true } as never,
      // Every tenant's Teams traffic comes from Bot Framework's few addresses: a per-address limit
      // would let one busy tenant silence the bot for all. Each request carries a signed token,
      // checked first; floods meet load shedding and the entry lock instead.
      config: { rateLimit: false },
    },
    async (request, reply) => {
      const answer = await bot.process({ headers: request.headers, body: request.body });
      reply.code(answer.status);
      return answer.body === undefined || answer.body === null ? reply.send() : reply.send(answer.body);
    },
  );
}
