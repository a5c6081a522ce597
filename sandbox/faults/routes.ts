import type { FastifyInstance } from 'fastify';
import type { SandboxContext } from '../context.ts';
import { FaultSettingsError } from './settings.ts';

/**
 * `GET /sandbox/api/faults` (profile, settings, counters of 429/5xx/lag served) and
 * `PUT /sandbox/api/faults` with `{profile}` and/or explicit settings (400 on bad input).
 */
export function faultRoutes(app: FastifyInstance, ctx: SandboxContext): void {
  app.get('/sandbox/api/faults', async () => ctx.faults.snapshot());

  app.put('/sandbox/api/faults', async (request, reply) => {
    try {
      const snapshot = ctx.faults.configure(request.body);
      ctx.log.info({ profile: snapshot.profile, customized: snapshot.customized }, 'fault settings changed');
      return snapshot;
    } catch (error) {
      if (!(error instanceof FaultSettingsError)) throw error;
      return reply.code(400).send({ error: { code: 'BadRequest', message: error.message } });
    }
  });
}
