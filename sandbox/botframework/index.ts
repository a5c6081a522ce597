import type { FastifyInstance } from 'fastify';
import type { SandboxContext } from '../context.ts';

/** Bot Framework metadata and keys at `/v1/.well-known/…`, the Connector at `/v3/…`. */
export async function botFrameworkRoutes(_app: FastifyInstance, _ctx: SandboxContext): Promise<void> {}
