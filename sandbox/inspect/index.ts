import type { FastifyInstance } from 'fastify';
import type { SandboxContext } from '../context.ts';

/** Inspection API (`/sandbox/api/…`) and page (`/sandbox`). */
export async function inspectionRoutes(_app: FastifyInstance, _ctx: SandboxContext): Promise<void> {}
