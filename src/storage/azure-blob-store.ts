import { BlobServiceClient, type ContainerClient, RestError } from '@azure/storage-blob';
import { errors } from '../errors/index.ts';
import { type BlobInfo, type BlobStore, checkBlobKey, checkContentType } from './blob-store.ts';

/** Blobs in one Azure Storage container (tested against Azurite); the container is created when missing. */
export function createAzureBlobStore(options: { connectionString: string; container: string }): BlobStore {
  const service = BlobServiceClient.fromConnectionString(options.connectionString);
  const container: ContainerClient = service.getContainerClient(options.container);
  let ensured: Promise<unknown> | undefined;
  const ready = () => {
    ensured ??= container.createIfNotExists().catch((cause: unknown) => {
      ensured = undefined;
      throw errors.storage('Cannot reach the blob container', cause);
    });
    return ensured;
  };

  return {
    name: 'azure',
    async put(key, data, contentType) {
      checkBlobKey(key);
      checkContentType(contentType);
      await ready();
      await container
        .getBlockBlobClient(key)
        .uploadData(data, { blobHTTPHeaders: { blobContentType: contentType } });
      return { key, size: data.length, contentType };
    },
    async get(key) {
      checkBlobKey(key);
      await ready();
      try {
        const blob = container.getBlobClient(key);
        const data = await blob.downloadToBuffer();
        const props = await blob.getProperties();
        return { key, size: data.length, contentType: props.contentType ?? 'application/octet-stream', data };
      } catch (error) {
        if (error instanceof RestError && error.statusCode === 404) return undefined;
        throw errors.storage(`Cannot read blob ${key}`, error);
      }
    },
    async delete(key) {
      checkBlobKey(key);
      await ready();
      await container.deleteBlob(key).catch((error: unknown) => {
        if (error instanceof RestError && error.statusCode === 404) return;
        throw errors.storage(`Cannot delete blob ${key}`, error);
      });
    },
    async list(prefix) {
      await ready();
      const out: BlobInfo[] = [];
      for await (const item of container.listBlobsFlat({ prefix })) {
        out.push({
          key: item.name,
          size: item.properties.contentLength ?? 0,
          contentType: item.properties.contentType ?? 'application/octet-stream',
        });
      }
      return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    },
    async ping() {
      await ready();
      await container.getProperties();
    },
  };
}
