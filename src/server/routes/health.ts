import type { FastifyInstance } from 'fastify';
import type { ReadinessCheck } from '../readiness.ts';

const checkSchema = {
  type: 'object',
  properties: {
    status: { type: 'string', enum: ['ok', 'fail'] },
    ms: { type: 'number' },
    error: { type: 'string' },
  },
  required: ['status', 'ms'],
} as const;

/**
 * `/healthz`: the process is alive (never touches dependencies, so a slow database does not get
 * the pod killed). `/readyz`: dependencies answer and the instance is not draining; load balancers
 * (Front Door counts only 200) take it out of rotation on 503.
 */
export async function healthRoutes(app: FastifyInstance, deps: { readiness: ReadinessCheck }): Promise<void> {
  app.get(
    '/healthz',
    {
      schema: {
        response: { 200: { type: 'object', properties: { status: { const: 'ok' } }, required: ['status'] } },
      },
      // Never shed: a busy process is alive, and an orchestrator must not restart it for being busy.
      config: { rateLimit: false, pressureHandler: () => undefined },
    },
    async () => ({ status: 'ok' as const }),
  );

  app.route({
    method: ['GET', 'HEAD'],
    url: '/readyz',
    schema: {
      response: {
        '2xx': {
          type: 'object',
          properties: {
            status: { type: 'string' },
            checks: { type: 'object', additionalProperties: checkSchema },
          },
          required: ['status', 'checks'],
        },
      },
    },
    config: { rateLimit: false },
    handler: async (_request, reply) => {
      const result = await deps.readiness.run();
      reply.header('cache-control', 'no-store');
      if (result.status !== 'ready') reply.header('retry-after', '5');
      return reply.code(result.status === 'ready' ? 200 : 503).send(result);
    },
  });
}
