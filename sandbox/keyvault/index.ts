import type { FastifyInstance } from 'fastify';
import type { SandboxContext } from '../context.ts';
import { authenticateVault } from './auth.ts';
import { useVaultErrors } from './errors.ts';
import { createKeyRoute } from './routes/create-key.ts';
import { decryptRoute } from './routes/decrypt.ts';
import { deleteKeyRoute } from './routes/delete-key.ts';
import { encryptRoute } from './routes/encrypt.ts';
import { getDeletedKeyRoute } from './routes/get-deleted-key.ts';
import { getKeyRoute } from './routes/get-key.ts';
import { getRotationPolicyRoute } from './routes/get-rotation-policy.ts';
import { listKeyVersionsRoute } from './routes/list-key-versions.ts';
import { listKeysRoute } from './routes/list-keys.ts';
import { purgeDeletedKeyRoute } from './routes/purge-deleted-key.ts';
import { recoverDeletedKeyRoute } from './routes/recover-deleted-key.ts';
import { rotateKeyRoute } from './routes/rotate-key.ts';
import { unwrapKeyRoute } from './routes/unwrap-key.ts';
import { updateKeyRoute } from './routes/update-key.ts';
import { updateRotationPolicyRoute } from './routes/update-rotation-policy.ts';
import { wrapKeyRoute } from './routes/wrap-key.ts';
import type { VaultContext } from './vault-route.ts';

export { KeyVaultError } from './errors.ts';
export { emptyVaultState, type VaultState, vaultState } from './state.ts';

/**
 * Azure Key Vault keys at `/keys/…` and `/deletedkeys/…` (`api-version` required): create, get,
 * list, versions, update, rotate, rotation policy, wrap/unwrap and encrypt/decrypt (RSA-OAEP-256,
 * RSA-OAEP), soft delete, recover, purge. Bearer tokens for `https://vault.azure.net` from the
 * sandbox's Entra; a request without one gets Key Vault's 401 challenge. Keys live in the token's
 * tenant's vault.
 */
export async function keyVaultRoutes(app: FastifyInstance, ctx: SandboxContext): Promise<void> {
  useVaultErrors(app);
  const vault: VaultContext = { ctx, caller: authenticateVault(app, ctx) };
  createKeyRoute(app, vault);
  listKeysRoute(app, vault);
  listKeyVersionsRoute(app, vault);
  getRotationPolicyRoute(app, vault);
  updateRotationPolicyRoute(app, vault);
  getKeyRoute(app, vault);
  updateKeyRoute(app, vault);
  rotateKeyRoute(app, vault);
  wrapKeyRoute(app, vault);
  unwrapKeyRoute(app, vault);
  encryptRoute(app, vault);
  decryptRoute(app, vault);
  deleteKeyRoute(app, vault);
  getDeletedKeyRoute(app, vault);
  purgeDeletedKeyRoute(app, vault);
  recoverDeletedKeyRoute(app, vault);
}
