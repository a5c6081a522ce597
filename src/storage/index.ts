export { createAzureBlobStore } from './azure-blob-store.ts';
export { type BlobInfo, type BlobStore, checkBlobKey, type StoredBlob } from './blob-store.ts';
export { createLocalBlobStore } from './local-blob-store.ts';
