import type { FastifyReply, FastifyRequest } from 'fastify';
import { base64UrlInput, checkAlgorithm, rsaDecrypt, rsaEncrypt } from './crypto.ts';
import { checkUsable, findKey, keyId } from './keys.ts';
import { bodyOf, sendVault, type VaultContext, vaultTenant } from './vault-route.ts';

/** The four RSA operations of the data plane and which way each goes. */
const OPERATIONS = {
  wrapKey: 'encrypt',
  encrypt: 'encrypt',
  unwrapKey: 'decrypt',
  decrypt: 'decrypt',
} as const;

/**
 * `POST /keys/{name}/{version}/{wrapkey|unwrapkey|encrypt|decrypt}`: `{alg, value}` in, `{kid, value}`
 * out, values base64url. The version must allow the operation, be enabled and within its dates.
 */
export async function keyOperation(
  vault: VaultContext,
  request: FastifyRequest<{ Params: { name: string; version?: string } }>,
  reply: FastifyReply,
  operation: keyof typeof OPERATIONS,
): Promise<FastifyReply> {
  const record = findKey(vaultTenant(vault, request), request.params.name, request.params.version);
  const body = bodyOf(request);
  const alg = checkAlgorithm(body.alg);
  const value = base64UrlInput(body.value);
  checkUsable(record, operation);
  const result =
    OPERATIONS[operation] === 'encrypt' ? rsaEncrypt(record, alg, value) : rsaDecrypt(record, alg, value);
  return sendVault(request, reply, { kid: keyId(vault.ctx, record), value: result.toString('base64url') });
}
