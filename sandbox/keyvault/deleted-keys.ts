import type { SandboxContext } from '../context.ts';
import type { TenantState } from '../state/types.ts';
import { vaultErrors } from './errors.ts';
import { keyBundle } from './keys.ts';
import { type DeletedKeyRecord, vaultState } from './state.ts';

/** @throws KeyVaultError(KeyNotFound) "Deleted Key not found". */
export function findDeletedKey(tenant: TenantState, name: string): DeletedKeyRecord {
  const deleted = vaultState(tenant).deletedKeys.find((d) => d.name.toLowerCase() === name.toLowerCase());
  if (!deleted) throw vaultErrors.deletedKeyNotFound(name);
  return deleted;
}

/** A DeletedKeyBundle: the latest version's bundle plus recoveryId and the deletion dates. */
export function deletedKeyBundle(ctx: SandboxContext, deleted: DeletedKeyRecord): Record<string, unknown> {
  const latest = deleted.versions.at(-1);
  return {
    recoveryId: `${ctx.config.origin}/deletedkeys/${deleted.name}`,
    deletedDate: deleted.deletedDate,
    scheduledPurgeDate: deleted.scheduledPurgeDate,
    ...(latest ? keyBundle(ctx, latest) : {}),
  };
}
