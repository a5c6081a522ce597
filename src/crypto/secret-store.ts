import { randomUUID } from 'node:crypto';
import type { Db } from '../db/index.ts';
import { errors } from '../errors/index.ts';
import type { Envelope, EnvelopeCipher } from './envelope.ts';

/** Stores every secret at rest (client secrets, CRM tokens, webhook secrets) envelope-encrypted. */
export interface SecretStore {
  put(tenantId: string, kind: string, plaintext: string): Promise<string>;
  /** @throws AppError(not_found | decryption_failed) */
  get(tenantId: string, secretId: string): Promise<string>;
  replace(tenantId: string, secretId: string, plaintext: string): Promise<void>;
  delete(tenantId: string, secretId: string): Promise<void>;
  /** Re-wraps every data key not wrapped with the current KEK version; returns how many. */
  rewrapAll(options?: { batchSize?: number }): Promise<number>;
}

export function createSecretStore(deps: { db: Db; cipher: EnvelopeCipher }): SecretStore {
  const { db, cipher } = deps;
  const ctx = (tenantId: string, kind: string, secretId: string) => ({
    tenantId,
    recordType: `secret:${kind}`,
    recordId: secretId,
  });

  return {
    async put(tenantId, kind, plaintext) {
      const secretId = randomUUID();
      const envelope = await cipher.encrypt(ctx(tenantId, kind, secretId), plaintext);
      await db.withTenant(tenantId, (tx) =>
        tx
          .insertInto('secrets')
          .values({
            tenant_id: tenantId,
            secret_id: secretId,
            kind,
            key_id: envelope.kid,
            envelope: JSON.stringify(envelope),
            updated_at: new Date(),
          })
          .execute(),
      );
      return secretId;
    },
    async get(tenantId, secretId) {
      const row = await db.withTenant(tenantId, (tx) =>
        tx
          .selectFrom('secrets')
          .select(['kind', 'envelope'])
          .where('secret_id', '=', secretId)
          .executeTakeFirst(),
      );
      if (!row) throw errors.notFound('Secret');
      const plain = await cipher.decrypt(ctx(tenantId, row.kind, secretId), row.envelope as Envelope);
      return plain.toString('utf8');
    },
    async replace(tenantId, secretId, plaintext) {
      await db.withTenant(tenantId, async (tx) => {
        const row = await tx
          .selectFrom('secrets')
          .select('kind')
          .where('secret_id', '=', secretId)
          .executeTakeFirst();
        if (!row) throw errors.notFound('Secret');
        const envelope = await cipher.encrypt(ctx(tenantId, row.kind, secretId), plaintext);
        await tx
          .updateTable('secrets')
          .set({ envelope: JSON.stringify(envelope), key_id: envelope.kid, updated_at: new Date() })
          .where('secret_id', '=', secretId)
          .execute();
      });
    },
    async delete(tenantId, secretId) {
      await db.withTenant(tenantId, (tx) =>
        tx.deleteFrom('secrets').where('secret_id', '=', secretId).execute(),
      );
    },
    async rewrapAll(options = {}) {
      const batchSize = options.batchSize ?? 200;
      const current = await cipher.keys.currentKeyId();
      let total = 0;
      for (;;) {
        const done = await db.withPlatform(async (tx) => {
          const rows = await tx
            .selectFrom('secrets')
            .select(['tenant_id', 'secret_id', 'envelope'])
            .where('key_id', '!=', current)
            .limit(batchSize)
            .forUpdate()
            .skipLocked()
            .execute();
          for (const row of rows) {
            const envelope = await cipher.rewrap(row.envelope as Envelope);
            await tx
              .updateTable('secrets')
              .set({ envelope: JSON.stringify(envelope), key_id: envelope.kid, updated_at: new Date() })
              .where('tenant_id', '=', row.tenant_id)
              .where('secret_id', '=', row.secret_id)
              .execute();
          }
          return rows.length;
        });
        total += done;
        if (done < batchSize) return total;
      }
    },
  };
}
