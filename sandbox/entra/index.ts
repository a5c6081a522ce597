import type { FastifyInstance } from 'fastify';
import type { SandboxContext } from '../context.ts';

/** Entra ID: OpenID configuration, JWKS, token and authorize endpoints at `/{tenant}/…`. */
export async function entraRoutes(_app: FastifyInstance, _ctx: SandboxContext): Promise<void> {}
