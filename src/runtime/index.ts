export { Lifecycle } from './lifecycle.ts';
export { createBlobStore, createCache, createKeyProvider, openServices, type Services } from './services.ts';
export { type EmbeddedSandbox, startEmbeddedSandbox } from './embedded-sandbox.ts';
