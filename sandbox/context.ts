import type { FastifyBaseLogger } from 'fastify';
import type { SandboxConfig } from './config.ts';
import type { Signer } from './entra/signing.ts';
import type { FaultEngine } from './faults/index.ts';
import type { SandboxStore } from './state/store.ts';

/** What every simulated service gets: configuration, the world, signing keys and the fault engine. */
export interface SandboxContext {
  config: SandboxConfig;
  store: SandboxStore;
  signers: { entra: Signer; botframework: Signer };
  faults: FaultEngine;
  log: FastifyBaseLogger;
}
