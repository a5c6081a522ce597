import type { FastifyInstance } from 'fastify';
import type { SandboxContext } from '../context.ts';

/** Microsoft Graph v1.0 subset at `/v1.0/…`. */
export async function graphRoutes(_app: FastifyInstance, _ctx: SandboxContext): Promise<void> {}
