import { generateKeyPair, randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import type { SandboxContext } from '../context.ts';
import type { TenantState } from '../state/types.ts';
import { vaultErrors } from './errors.ts';
import { type KeyAttributes, type KeyVersionRecord, vaultState } from './state.ts';

const generateRsa = promisify(generateKeyPair);

/** Key Vault's default operations for a new RSA key. */
export const DEFAULT_KEY_OPS = ['encrypt', 'decrypt', 'sign', 'verify', 'wrapKey', 'unwrapKey'];
const KNOWN_KEY_OPS = new Set([...DEFAULT_KEY_OPS, 'import', 'release']);
const RSA_KEY_SIZES = [2048, 3072, 4096];
const KEY_NAME = /^[0-9a-zA-Z-]{1,127}$/;

/** @throws KeyVaultError(BadParameter) for a name Key Vault would refuse. */
export function checkKeyName(name: string): string {
  if (!KEY_NAME.test(name))
    throw vaultErrors.badParameter(`The request URI contains an invalid name: ${name}`);
  return name;
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

/** `https://…/keys/{name}/{version}`: the key identifier (kid) on the sandbox origin. */
export function keyId(ctx: SandboxContext, record: { name: string; version?: string }): string {
  return `${ctx.config.origin}/keys/${record.name}${record.version ? `/${record.version}` : ''}`;
}

function publicAttributes(attributes: KeyAttributes): Record<string, unknown> {
  return { ...attributes };
}

/** The KeyBundle of a version: public JWK (kid, kty, key_ops, n, e), attributes, tags. */
export function keyBundle(ctx: SandboxContext, record: KeyVersionRecord): Record<string, unknown> {
  return {
    key: {
      kid: keyId(ctx, record),
      kty: record.kty,
      key_ops: record.keyOps,
      n: record.jwk.n,
      e: record.jwk.e,
    },
    attributes: publicAttributes(record.attributes),
    ...(Object.keys(record.tags).length > 0 ? { tags: record.tags } : {}),
  };
}

/** A KeyItem of a list: identifier (versioned or not), attributes, tags. */
export function keyItem(
  ctx: SandboxContext,
  record: KeyVersionRecord,
  versioned: boolean,
): Record<string, unknown> {
  return {
    kid: keyId(ctx, versioned ? record : { name: record.name }),
    attributes: publicAttributes(record.attributes),
    ...(Object.keys(record.tags).length > 0 ? { tags: record.tags } : {}),
  };
}

/** Every version of a key, oldest first. */
export function keyVersions(tenant: TenantState, name: string): KeyVersionRecord[] {
  const key = name.toLowerCase();
  return vaultState(tenant).keys.filter((k) => k.name.toLowerCase() === key);
}

/**
 * A version of a key (the newest when `version` is empty).
 * @throws KeyVaultError(KeyNotFound)
 */
export function findKey(tenant: TenantState, name: string, version?: string): KeyVersionRecord {
  const versions = keyVersions(tenant, name);
  if (!version) {
    const latest = versions.at(-1);
    if (!latest) throw vaultErrors.keyNotFound(name);
    return latest;
  }
  const found = versions.find((v) => v.version === version.toLowerCase());
  if (!found) throw vaultErrors.keyVersionNotFound(name, version);
  return found;
}

/** Create/rotate parameters (the JSON of `POST /keys/{name}/create`). */
export interface KeyCreateInput {
  kty?: unknown;
  key_size?: unknown;
  public_exponent?: unknown;
  key_ops?: unknown;
  attributes?: unknown;
  tags?: unknown;
}

function epoch(value: unknown, field: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw vaultErrors.badParameter(`Property '${field}' must be an integer (seconds since the epoch).`);
  }
  return value;
}

/** Reads `attributes` ({enabled, nbf, exp}) of a create or update body. */
export function attributesInput(value: unknown): { enabled?: boolean; nbf?: number; exp?: number } {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value))
    throw vaultErrors.badParameter("Property 'attributes' must be an object.");
  const a = value as Record<string, unknown>;
  if (a.enabled !== undefined && typeof a.enabled !== 'boolean') {
    throw vaultErrors.badParameter("Property 'attributes.enabled' must be a boolean.");
  }
  const nbf = epoch(a.nbf, 'attributes.nbf');
  const exp = epoch(a.exp, 'attributes.exp');
  return {
    ...(typeof a.enabled === 'boolean' ? { enabled: a.enabled } : {}),
    ...(nbf !== undefined ? { nbf } : {}),
    ...(exp !== undefined ? { exp } : {}),
  };
}

/** Reads `key_ops`. @throws KeyVaultError(BadParameter) for an unknown operation. */
export function keyOpsInput(value: unknown): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
    throw vaultErrors.badParameter("Property 'key_ops' must be an array of strings.");
  }
  for (const op of value)
    if (!KNOWN_KEY_OPS.has(op)) throw vaultErrors.badParameter(`Invalid key operation: ${op}`);
  return [...new Set(value as string[])];
}

/** Reads `tags` (string values only, at most 15, as Key Vault allows). */
export function tagsInput(value: unknown): Record<string, string> | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value))
    throw vaultErrors.badParameter("Property 'tags' must be an object.");
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length > 15) throw vaultErrors.badParameter('A key can have at most 15 tags.');
  for (const [, v] of entries)
    if (typeof v !== 'string') throw vaultErrors.badParameter('Tag values must be strings.');
  return Object.fromEntries(entries) as Record<string, string>;
}

/**
 * Generates a new version of an RSA key (a new key when the name is new) and makes it the latest.
 * @throws KeyVaultError(BadParameter) for a key type or size Key Vault would refuse.
 */
export async function createKeyVersion(
  ctx: SandboxContext,
  tenant: TenantState,
  name: string,
  input: KeyCreateInput,
): Promise<KeyVersionRecord> {
  const kty = input.kty;
  if (kty === undefined) throw vaultErrors.badParameter("Property 'kty' is required.");
  if (kty !== 'RSA' && kty !== 'RSA-HSM') {
    throw vaultErrors.badParameter(
      `The key type '${String(kty)}' is not supported by the sandbox vault (RSA and RSA-HSM are).`,
    );
  }
  const keySize = input.key_size ?? 2048;
  if (typeof keySize !== 'number' || !RSA_KEY_SIZES.includes(keySize)) {
    throw vaultErrors.badParameter(
      `Invalid key size ${String(keySize)}: RSA keys are 2048, 3072 or 4096 bits.`,
    );
  }
  const publicExponent = input.public_exponent ?? 65537;
  if (publicExponent !== 65537 && publicExponent !== 3) {
    throw vaultErrors.badParameter("Property 'public_exponent' must be 65537 or 3.");
  }
  const keyOps = keyOpsInput(input.key_ops) ?? [...DEFAULT_KEY_OPS];
  const attributes = attributesInput(input.attributes);
  const tags = tagsInput(input.tags) ?? {};
  const vault = vaultState(tenant);
  if (vault.deletedKeys.some((d) => d.name.toLowerCase() === name.toLowerCase())) {
    throw vaultErrors.conflict(
      `Key ${name} is currently in a deleted but recoverable state, and its name cannot be reused; in this state, the key can only be recovered or purged.`,
    );
  }
  const { privateKey } = await generateRsa('rsa', { modulusLength: keySize, publicExponent });
  const jwk = privateKey.export({ format: 'jwk' }) as Record<string, string>;
  const now = nowSeconds();
  // A new version keeps the key's first spelling of its name.
  const existing = keyVersions(tenant, name)[0];
  const record: KeyVersionRecord = {
    name: existing?.name ?? name,
    version: randomUUID().replace(/-/g, ''),
    kty,
    keySize,
    keyOps,
    jwk,
    attributes: {
      enabled: attributes.enabled ?? true,
      ...(attributes.nbf !== undefined ? { nbf: attributes.nbf } : {}),
      ...(attributes.exp !== undefined ? { exp: attributes.exp } : {}),
      created: now,
      updated: now,
      recoveryLevel: 'Recoverable+Purgeable',
      recoverableDays: 90,
      exportable: false,
    },
    tags,
  };
  vault.keys.push(record);
  ctx.store.changed();
  return record;
}

/**
 * Checks that a version may perform `operation` now: listed in key_ops, enabled, within nbf/exp.
 * @throws KeyVaultError(Forbidden)
 */
export function checkUsable(record: KeyVersionRecord, operation: string): void {
  if (!record.keyOps.includes(operation)) {
    throw vaultErrors.forbidden(
      `Operation ${operation} is not permitted on this key.`,
      'KeyOperationForbidden',
    );
  }
  if (!record.attributes.enabled) {
    throw vaultErrors.forbidden(`Operation ${operation} is not allowed on a disabled key.`, 'KeyDisabled');
  }
  const now = nowSeconds();
  if (record.attributes.nbf !== undefined && now < record.attributes.nbf) {
    throw vaultErrors.forbidden(
      `Operation ${operation} is not allowed before the key's activation date.`,
      'KeyNotYetValid',
    );
  }
  if (record.attributes.exp !== undefined && now > record.attributes.exp) {
    throw vaultErrors.forbidden(`Operation ${operation} is not allowed on an expired key.`, 'KeyExpired');
  }
}
