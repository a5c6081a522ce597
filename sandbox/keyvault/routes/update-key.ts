import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { attributesInput, findKey, keyBundle, keyOpsInput, tagsInput } from '../keys.ts';
import { bodyOf, sendVault, type VaultContext, vaultTenant } from '../vault-route.ts';

/** `PATCH /keys/{name}/{version}`: enable or disable a version, change its operations, dates or tags. */
export function updateKeyRoute(app: FastifyInstance, vault: VaultContext): void {
  const handler = async (
    request: FastifyRequest<{ Params: { name: string; version?: string } }>,
    reply: FastifyReply,
  ) => {
    const record = findKey(vaultTenant(vault, request), request.params.name, request.params.version);
    const body = bodyOf(request);
    const attributes = attributesInput(body.attributes);
    const keyOps = keyOpsInput(body.key_ops);
    const tags = tagsInput(body.tags);
    if (attributes.enabled !== undefined) record.attributes.enabled = attributes.enabled;
    if (attributes.nbf !== undefined) record.attributes.nbf = attributes.nbf;
    if (attributes.exp !== undefined) record.attributes.exp = attributes.exp;
    if (keyOps) record.keyOps = keyOps;
    if (tags) record.tags = tags;
    record.attributes.updated = Math.floor(Date.now() / 1000);
    vault.ctx.store.changed();
    return sendVault(request, reply, keyBundle(vault.ctx, record));
  };
  app.patch('/keys/:name/', handler);
  app.patch('/keys/:name/:version', handler);
}
