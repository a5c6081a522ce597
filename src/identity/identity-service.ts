import { readFile } from 'node:fs/promises';
import type { Role } from '../api/caller.ts';
import type { AuditActor, AuditSource } from '../audit/index.ts';
import type { Cache } from '../cache/index.ts';
import type { Config } from '../config.ts';
import type { Db } from '../db/index.ts';
import { errors } from '../errors/index.ts';
import type { Directory, GraphClient } from '../graph/index.ts';
import type { Logger } from '../telemetry/index.ts';
import { type ConsentStates, createConsentStates } from './consent-state.ts';
import { rolesFromAppRoles } from './entra-app-roles.ts';
import { createEntraTokenValidator, type EntraTokenValidator } from './entra-token-validator.ts';
import { createRoleAssignmentStore, type RoleAssignmentStore } from './role-assignments.ts';
import { findByEntraTenant, type OnboardedTenant, onboardTenant } from './tenant-onboarding.ts';
import { createUserRecorder } from './user-records.ts';

/** A user proven by an Entra access token, in the Trellis tenant their Entra tenant onboarded. */
export interface SignedInUser {
  tenantId: string;
  entraTenantId: string;
  /** Entra object id (oid), lowercase. */
  userId: string;
  userPrincipalName: string | null;
  displayName: string | null;
  /** Always includes `requester`. */
  roles: Role[];
  /** From the directory, when Trellis read it (bot users): the language Teams shows them. */
  preferredLanguage?: string | null;
}

export interface IdentityService {
  /**
   * Validates an Entra access token for Trellis's API and resolves the user's tenant and roles.
   * @throws AppError unauthorized (bad token, Entra sign-in not configured), forbidden (tenant not
   *   onboarded or suspended), service_unavailable (keys unreachable).
   */
  authenticateUser(authorizationHeader: string | undefined): Promise<SignedInUser>;
  /**
   * A user Bot Framework vouched for (the `from` of an activity whose Connector token was checked):
   * their Trellis tenant and roles. Activities carry no app roles, so roles come from Trellis
   * assignments and mapped groups. The UPN is read from the directory when Graph can tell.
   * @throws AppError forbidden (tenant not onboarded or suspended), unauthorized (no user id).
   */
  resolveMember(
    entraTenantId: string,
    userId: string,
    profile: { displayName?: string | null },
  ): Promise<SignedInUser>;
  /**
   * Roles of a user: requester, the token's app roles, roles of mapped groups, Trellis assignments.
   * Group and assignment roles are cached for a minute (dropped at once when an assignment changes).
   */
  rolesOf(
    tenantId: string,
    entraTenantId: string,
    userId: string,
    appRoles: readonly string[],
  ): Promise<Role[]>;
  /** Role assignments and group mappings of a tenant. */
  readonly assignments: RoleAssignmentStore;
  /** Where an admin grants Trellis consent for their organization, and the state to remember. */
  beginConsent(): Promise<{ url: string; state: string }>;
  /**
   * Completes the admin-consent round trip: checks state (single use, this browser's), then onboards.
   * @throws AppError validation_failed (state), forbidden (consent refused).
   */
  completeConsent(input: {
    state: string | undefined;
    browserState: string | undefined;
    entraTenantId: string | undefined;
    adminConsent: string | undefined;
    error: string | undefined;
    errorDescription: string | undefined;
    source?: AuditSource;
  }): Promise<OnboardedTenant>;
  /** Idempotent onboarding of an Entra tenant (the embedded demo, the CLI, the consent callback). */
  onboard(input: {
    entraTenantId: string;
    slug?: string;
    displayName?: string;
    actor: AuditActor;
    source?: AuditSource;
  }): Promise<OnboardedTenant>;
  close(): Promise<void>;
}

const TENANT_TTL_MS = 60_000;
/** A tenant onboarded a moment ago must be found soon. */
const UNKNOWN_TENANT_TTL_MS = 5_000;
const ROLES_TTL_MS = 60_000;
const GENERATION_TTL_MS = 24 * 3600_000;

export const ONBOARDING_CALLBACK_PATH = '/api/v1/onboarding/callback';

interface CachedTenant {
  tenantId: string | null;
  status?: 'active' | 'suspended';
}

/** Users from Entra: token validation, tenant mapping, user records, roles, onboarding. */
export function createIdentityService(deps: {
  config: Config;
  db: Db;
  cache: Cache;
  directory: Directory;
  graph: GraphClient;
  log: Logger;
}): IdentityService {
  const { config, db, cache, log } = deps;
  const m365 = config.m365;
  let validator: Promise<EntraTokenValidator> | undefined;
  const users = createUserRecorder({ db });
  const consent: ConsentStates = createConsentStates(cache);

  const generationKey = (tenantId: string) => `identity:roles-generation:${tenantId}`;
  const rolesKey = async (tenantId: string, userId: string) =>
    `identity:roles:${tenantId}:${(await cache.get<number>(generationKey(tenantId))) ?? 0}:${userId}`;

  const assignments = createRoleAssignmentStore({
    db,
    async onChange(tenantId, principalId) {
      if (principalId) await cache.delete(await rolesKey(tenantId, principalId));
      else await cache.increment(generationKey(tenantId), GENERATION_TTL_MS);
    },
  });

  const getValidator = (): Promise<EntraTokenValidator> => {
    const clientId = m365.clientId;
    if (!clientId)
      throw errors.unauthorized('Entra sign-in is not configured on this Trellis (M365_CLIENT_ID)');
    validator ??= (async () =>
      createEntraTokenValidator({
        authority: m365.authorityHost,
        clientId,
        appIdUri: `api://${new URL(config.publicUrl).host}/${clientId}`,
        ...(m365.caFile ? { ca: await readFile(m365.caFile, 'utf8') } : {}),
      }))();
    return validator;
  };

  const tenantOf = async (entraTenantId: string): Promise<CachedTenant> => {
    const key = `identity:tenant-of:${entraTenantId}`;
    const cached = await cache.get<CachedTenant>(key);
    if (cached) return cached;
    const found = await findByEntraTenant(db, entraTenantId);
    const value: CachedTenant = found
      ? { tenantId: found.tenantId, status: found.status }
      : { tenantId: null };
    await cache.set(key, value, found ? TENANT_TTL_MS : UNKNOWN_TENANT_TTL_MS);
    return value;
  };

  /** The Trellis tenant of an Entra tenant. @throws AppError forbidden when not onboarded or suspended */
  const activeTenantOf = async (entraTenantId: string): Promise<{ tenantId: string }> => {
    const tenant = await tenantOf(entraTenantId);
    if (!tenant.tenantId) {
      throw errors.forbidden(
        `Your organization (Entra tenant ${entraTenantId}) has not onboarded Trellis: the tenant is not onboarded. ` +
          `An administrator can grant consent at ${config.publicUrl}/api/v1/onboarding/consent`,
      );
    }
    if (tenant.status === 'suspended') throw errors.forbidden('This Trellis tenant is suspended');
    return { tenantId: tenant.tenantId };
  };

  const trellisRoles = async (tenantId: string, entraTenantId: string, userId: string): Promise<Role[]> => {
    const key = await rolesKey(tenantId, userId);
    const cached = await cache.get<Role[]>(key);
    if (cached) return cached;
    const out = new Set<Role>(await assignments.assignedRoles(tenantId, userId));
    const mappings = await assignments.groupMappings(tenantId);
    if (mappings.length > 0) {
      try {
        const groups = await deps.directory.forTenant(entraTenantId).getUserGroups(userId);
        const ids = new Set(groups.map((g) => g.id.toLowerCase()));
        for (const m of mappings) if (ids.has(m.groupId)) out.add(m.role);
      } catch (error) {
        // Fail closed for group roles only: the user keeps the roles that do not need Graph.
        log.warn({ err: error, tenantId }, 'group memberships unavailable; group-mapped roles not applied');
        return [...out];
      }
    }
    const roles = [...out];
    await cache.set(key, roles, ROLES_TTL_MS);
    return roles;
  };

  const service: IdentityService = {
    assignments,

    async authenticateUser(authorizationHeader) {
      const identity = await (await getValidator()).validate(authorizationHeader);
      const entraTenantId = identity.tenantId.toLowerCase();
      const tenant = await activeTenantOf(entraTenantId);
      const userId = identity.objectId.toLowerCase();
      if (!userId) throw errors.unauthorized('The Entra access token names no user (oid)');
      if (identity.claims.idtyp === 'app') {
        throw errors.unauthorized('App-only Entra tokens are not accepted; integrations use API tokens');
      }
      const upn = identity.preferredUsername ?? null;
      const displayName = identity.name ?? null;
      await users.seen(tenant.tenantId, { userId, upn, displayName });
      return {
        tenantId: tenant.tenantId,
        entraTenantId,
        userId,
        userPrincipalName: upn,
        displayName,
        roles: await service.rolesOf(tenant.tenantId, entraTenantId, userId, identity.roles),
      };
    },

    async resolveMember(entraTenantIdRaw, userIdRaw, profile) {
      const entraTenantId = entraTenantIdRaw.toLowerCase();
      const userId = userIdRaw.toLowerCase();
      if (!userId) throw errors.unauthorized('The activity names no Entra user (aadObjectId)');
      const tenant = await activeTenantOf(entraTenantId);
      const key = `identity:member:${entraTenantId}:${userId}`;
      let known = await cache.get<{
        upn: string | null;
        displayName: string | null;
        language: string | null;
      }>(key);
      if (!known) {
        const found = await deps.directory
          .forTenant(entraTenantId)
          .getUser(userId)
          .catch((error: unknown) => {
            log.warn({ err: error, tenantId: tenant.tenantId }, 'directory look-up of a bot user failed');
            return null;
          });
        known = {
          upn: found?.userPrincipalName ?? null,
          displayName: found?.displayName ?? profile.displayName ?? null,
          language: found?.preferredLanguage ?? null,
        };
        await cache.set(key, known, ROLES_TTL_MS);
      }
      await users.seen(tenant.tenantId, { userId, upn: known.upn, displayName: known.displayName });
      return {
        tenantId: tenant.tenantId,
        entraTenantId,
        userId,
        userPrincipalName: known.upn,
        displayName: known.displayName,
        preferredLanguage: known.language,
        roles: await service.rolesOf(tenant.tenantId, entraTenantId, userId, []),
      };
    },

    async rolesOf(tenantId, entraTenantId, userId, appRoles) {
      const out = new Set<Role>(['requester', ...rolesFromAppRoles(appRoles)]);
      for (const role of await trellisRoles(tenantId, entraTenantId, userId.toLowerCase())) out.add(role);
      return [...out];
    },

    async beginConsent() {
      if (!m365.clientId)
        throw errors.unavailable('Entra is not configured on this Trellis (M365_CLIENT_ID)');
      const state = await consent.issue();
      const url = new URL(`${m365.authorityHost}/organizations/adminconsent`);
      url.searchParams.set('client_id', m365.clientId);
      url.searchParams.set('redirect_uri', `${config.publicUrl}${ONBOARDING_CALLBACK_PATH}`);
      url.searchParams.set('state', state);
      return { url: url.toString(), state };
    },

    async completeConsent(input) {
      await consent.consume(input.state, input.browserState);
      if (input.error) {
        throw errors.forbidden(
          `Consent was not granted (${input.error}${input.errorDescription ? `: ${input.errorDescription.slice(0, 500)}` : ''})`,
        );
      }
      if (input.adminConsent?.toLowerCase() !== 'true' || !input.entraTenantId) {
        throw errors.validation('Entra did not report an admin consent', {
          admin_consent: input.adminConsent ?? null,
        });
      }
      const onboarded = await onboardTenant(deps, {
        entraTenantId: input.entraTenantId,
        actor: { type: 'system', id: 'onboarding', name: 'Entra admin consent' },
        source: input.source,
      });
      await cache.delete(`identity:tenant-of:${onboarded.entraTenantId}`);
      return onboarded;
    },

    async onboard(input) {
      const onboarded = await onboardTenant(deps, input);
      await cache.delete(`identity:tenant-of:${onboarded.entraTenantId}`);
      return onboarded;
    },

    async close() {
      if (validator) await (await validator.catch(() => undefined))?.close();
    },
  };
  return service;
}
