import type { FastifyInstance } from 'fastify';
import type { SandboxContext } from '../context.ts';

/** Azure Key Vault keys at `/keys/…`. */
export async function keyVaultRoutes(_app: FastifyInstance, _ctx: SandboxContext): Promise<void> {}
