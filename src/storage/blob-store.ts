import { errors } from '../errors/index.ts';

export interface BlobInfo {
  key: string;
  size: number;
  contentType: string;
}

export interface StoredBlob extends BlobInfo {
  data: Buffer;
}

/** Blobs (template icons, screenshots, files to copy into teams): local folder or Azure Blob Storage. */
export interface BlobStore {
  readonly name: 'local' | 'azure';
  put(key: string, data: Buffer, contentType: string): Promise<BlobInfo>;
  /** Undefined when the blob does not exist. */
  get(key: string): Promise<StoredBlob | undefined>;
  /** Deleting a missing blob is not an error. */
  delete(key: string): Promise<void>;
  /** Blobs whose key starts with `prefix`, sorted by key. */
  list(prefix: string): Promise<BlobInfo[]>;
  ping(): Promise<void>;
}

const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/**
 * Keys are `/`-separated segments of safe characters (no `..`, no empty segment), so a key can
 * never escape its folder or container.
 * @throws AppError(validation_failed)
 */
export function checkBlobKey(key: string): string {
  const segments = key.split('/');
  if (key.length > 512 || segments.some((s) => !SEGMENT.test(s) || s === '..' || s.endsWith('.'))) {
    throw errors.validation(`Invalid blob key "${key.slice(0, 80)}"`, { key: key.slice(0, 80) });
  }
  return key;
}

const CONTENT_TYPE = /^[a-z]+\/[a-z0-9.+-]+(;\s*charset=[a-z0-9-]+)?$/i;

export function checkContentType(contentType: string): string {
  if (!CONTENT_TYPE.test(contentType))
    throw errors.validation(`Invalid content type "${contentType.slice(0, 80)}"`);
  return contentType;
}
