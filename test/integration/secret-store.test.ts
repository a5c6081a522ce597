import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { createEnvelopeCipher, createLocalKeyProvider, createSecretStore } from '../../src/crypto/index.ts';
import { openDatabase } from '../../src/db/index.ts';
import { AppError } from '../../src/errors/index.ts';

const dir = await mkdtemp(path.join(tmpdir(), 'trellis-secrets-'));
const db = await openDatabase({ url: undefined, dataDir: dir });
after(async () => {
  await db.close();
  await rm(dir, { recursive: true, force: true });
});
await db.migrate();
const keys = await createLocalKeyProvider(path.join(dir, 'kek.json'));
const secrets = createSecretStore({ db, cipher: createEnvelopeCipher(keys) });
const [t1, t2] = [randomUUID(), randomUUID()];
await db.withPlatform((tx) =>
  tx
    .insertInto('tenants')
    .values([
      { tenant_id: t1, slug: 'acme', display_name: 'Acme', entra_tenant_id: null },
      { tenant_id: t2, slug: 'globex', display_name: 'Globex', entra_tenant_id: null },
    ])
    .execute(),
);

test('secrets are stored encrypted and read back by their tenant only', async () => {
  const id = await secrets.put(t1, 'webhook', 'whsec_super_secret');
  const raw = await db.withTenant(t1, (tx) =>
    tx.selectFrom('secrets').select('envelope').where('secret_id', '=', id).executeTakeFirstOrThrow(),
  );
  assert.ok(!JSON.stringify(raw.envelope).includes('whsec_super_secret'));
  assert.equal(await secrets.get(t1, id), 'whsec_super_secret');
  await assert.rejects(secrets.get(t2, id), (e: unknown) => e instanceof AppError && e.code === 'not_found');
});

test('an envelope copied into another tenant row does not decrypt there', async () => {
  const id = await secrets.put(t1, 'crm', 'refresh-token-abc');
  const row = await db.withTenant(t1, (tx) =>
    tx.selectFrom('secrets').selectAll().where('secret_id', '=', id).executeTakeFirstOrThrow(),
  );
  await db.withTenant(t2, (tx) =>
    tx
      .insertInto('secrets')
      .values({
        tenant_id: t2,
        secret_id: id,
        kind: row.kind,
        key_id: row.key_id,
        envelope: JSON.stringify(row.envelope),
        updated_at: new Date(),
      })
      .execute(),
  );
  await assert.rejects(
    secrets.get(t2, id),
    (e: unknown) => e instanceof AppError && e.code === 'decryption_failed',
  );
});

test('key rotation then rewrapAll moves every data key to the new version', async () => {
  const ids = [await secrets.put(t1, 'webhook', 'one'), await secrets.put(t2, 'webhook', 'two')];
  const newKid = await keys.rotate();
  const count = await secrets.rewrapAll({ batchSize: 2 });
  assert.ok(count >= 2);
  const stale = await db.withPlatform((tx) =>
    tx.selectFrom('secrets').select('key_id').where('key_id', '!=', newKid).execute(),
  );
  assert.equal(stale.length, 0);
  assert.equal(await secrets.get(t1, ids[0] as string), 'one');
  assert.equal(await secrets.get(t2, ids[1] as string), 'two');
  assert.equal(await secrets.rewrapAll(), 0, 'a second pass has nothing left to do');
});
