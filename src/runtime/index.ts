export { Lifecycle } from './lifecycle.ts';
export { createBlobStore, createCache, createKeyProvider, openServices, type Services } from './services.ts';
