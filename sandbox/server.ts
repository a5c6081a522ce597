import Fastify, { type FastifyInstance, type FastifyServerFactory } from 'fastify';
import { botFrameworkRoutes } from './botframework/index.ts';
import type { SandboxConfig } from './config.ts';
import type { SandboxContext } from './context.ts';
import { entraRoutes } from './entra/index.ts';
import { createSigner } from './entra/signing.ts';
import { createFaultEngine } from './faults/index.ts';
import { graphRoutes } from './graph/index.ts';
import { inspectionRoutes } from './inspect/index.ts';
import { keyVaultRoutes } from './keyvault/index.ts';
import type { SandboxStore } from './state/store.ts';

export interface SandboxApp {
  app: FastifyInstance;
  ctx: SandboxContext;
}

/** Builds the sandbox (never listens; main.ts and tests decide where). */
export async function buildSandbox(options: {
  config: SandboxConfig;
  store: SandboxStore;
  serverFactory?: FastifyServerFactory;
  logLevel?: string;
}): Promise<SandboxApp> {
  const app = Fastify({
    logger: { level: options.logLevel ?? 'warn', base: { service: 'm365-sandbox' } },
    bodyLimit: 16 * 1024 * 1024,
    ...(options.serverFactory ? { serverFactory: options.serverFactory } : {}),
  }) as unknown as FastifyInstance;
  // Entra's token endpoint takes forms; Graph and the Connector take JSON.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });
  const ctx: SandboxContext = {
    config: { ...options.config },
    store: options.store,
    signers: {
      entra: await createSigner(options.store.state.keys.entra),
      botframework: await createSigner(options.store.state.keys.botframework),
    },
    faults: createFaultEngine(options.config.faultProfile),
    log: app.log,
  };
  await app.register(async (scope) => entraRoutes(scope, ctx));
  await app.register(async (scope) => graphRoutes(scope, ctx));
  await app.register(async (scope) => botFrameworkRoutes(scope, ctx));
  await app.register(async (scope) => keyVaultRoutes(scope, ctx));
  await app.register(async (scope) => inspectionRoutes(scope, ctx));
  return { app, ctx };
}
