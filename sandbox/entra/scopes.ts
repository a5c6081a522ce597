import type { AppRegistration, TenantState } from '../state/types.ts';
import { RESOURCES } from './access-tokens.ts';
import { aadsts } from './errors.ts';

/** The OpenID Connect scopes: they shape the response (id_token, refresh_token), not the access token. */
export const OIDC_SCOPES = ['openid', 'profile', 'email', 'offline_access'] as const;
export type OidcScope = (typeof OIDC_SCOPES)[number];

/** A resource (API) a token can be requested for. */
export interface ResolvedResource {
  kind: 'graph' | 'keyVault' | 'botFramework' | 'app';
  /** The identifier scopes are prefixed with in responses (`https://graph.microsoft.com`, an App ID URI). */
  identifier: string;
  /** The `aud` of v2 tokens for it: first-party resource URIs, or the API's client id. */
  audience: string;
  /** The API's registration (kind `app`). */
  app?: AppRegistration;
}

/** A `scope` parameter split the way Entra reads it. */
export interface ParsedScopes {
  oidc: OidcScope[];
  /** Null when only OpenID scopes were asked for. */
  resource: ResolvedResource | null;
  /** Scope names without their resource prefix (`User.Read`, `access_as_user`, `.default`). */
  names: string[];
  /** The scope tokens as given, OpenID ones excluded. */
  raw: string[];
}

/** What a delegated request is granted. */
export interface DelegatedGrant {
  resource: ResolvedResource;
  /** `scp` of the access token. */
  scopes: string[];
  /** The `scope` of the token response: resource-qualified scopes, then the OpenID ones granted. */
  responseScope: string;
}

function firstPartyResource(prefix: string): ResolvedResource | undefined {
  const key = prefix.toLowerCase();
  for (const [kind, resource] of Object.entries(RESOURCES) as [
    'graph' | 'keyVault' | 'botFramework',
    (typeof RESOURCES)[keyof typeof RESOURCES],
  ][]) {
    if (key === resource.uri.toLowerCase() || key === resource.appId.toLowerCase()) {
      return { kind, identifier: resource.uri, audience: resource.uri };
    }
  }
  return undefined;
}

/** A resource by identifier: a first-party API, or an app of the tenant by client id or App ID URI. */
export function findResource(tenant: TenantState, identifier: string): ResolvedResource | undefined {
  const prefix = identifier.replace(/\/+$/, '');
  const firstParty = firstPartyResource(prefix);
  if (firstParty) return firstParty;
  const key = prefix.toLowerCase();
  for (const app of tenant.directory.apps) {
    if (app.clientId.toLowerCase() === key)
      return { kind: 'app', identifier: app.clientId, audience: app.clientId, app };
    const uri = app.identifierUris.find((u) => u.toLowerCase() === key);
    if (uri) return { kind: 'app', identifier: uri, audience: app.clientId, app };
  }
  return undefined;
}

/**
 * Parses a `scope` parameter: OpenID scopes apart, every other scope belonging to one resource
 * (a bare name such as `User.Read` is a Microsoft Graph scope).
 * @throws EntraError AADSTS500011 (unknown resource), AADSTS700022 (several resources).
 */
export function parseScopes(tenant: TenantState, scope: string): ParsedScopes {
  const tokens = scope.split(/\s+/).filter(Boolean);
  const oidc: OidcScope[] = [];
  const names: string[] = [];
  const raw: string[] = [];
  let resource: ResolvedResource | null = null;
  for (const token of tokens) {
    const lower = token.toLowerCase();
    const oidcScope = OIDC_SCOPES.find((s) => s === lower);
    if (oidcScope) {
      if (!oidc.includes(oidcScope)) oidc.push(oidcScope);
      continue;
    }
    const slash = token.lastIndexOf('/');
    let found: ResolvedResource | undefined;
    let name: string;
    if (slash < 0 && !token.includes(':')) {
      found = firstPartyResource(RESOURCES.graph.uri);
      name = token;
    } else {
      const prefix = slash < 0 ? token : token.slice(0, slash);
      name = slash < 0 ? '' : token.slice(slash + 1);
      found = findResource(tenant, prefix);
      if (!found) throw aadsts.resourceNotFound(prefix, tenant.displayName);
    }
    if (!found || !name) throw aadsts.invalidScope(token);
    if (resource && resource.identifier !== found.identifier) throw aadsts.multipleResources();
    resource ??= found;
    names.push(name);
    raw.push(token);
  }
  return { oidc, resource, names, raw };
}

/** Whether `client` may use `resource` without a tenant-wide consent: its own API, or pre-authorized. */
function consentImplied(client: AppRegistration, resource: ResolvedResource): boolean {
  return (
    resource.kind === 'app' &&
    !!resource.app &&
    (resource.app.clientId === client.clientId ||
      resource.app.preAuthorizedClientIds.includes(client.clientId))
  );
}

function consentedScopes(client: AppRegistration, resource: ResolvedResource): string[] | undefined {
  const permissions = client.delegatedPermissions;
  if (!permissions) return undefined;
  const entry = Object.entries(permissions).find(
    ([key]) =>
      key.toLowerCase() === resource.identifier.toLowerCase() ||
      key.toLowerCase() === resource.audience.toLowerCase(),
  );
  return entry?.[1] ?? [];
}

/** The scopes a resource hands out for `.default` when nothing narrower is recorded. */
function defaultScopes(resource: ResolvedResource): string[] {
  switch (resource.kind) {
    case 'graph':
      return ['User.Read'];
    case 'keyVault':
      return ['user_impersonation'];
    case 'app':
      return resource.app?.exposedScopes ?? [];
    default:
      return [];
  }
}

/**
 * Decides a delegated request (OBO, authorization code, refresh): the resource's exposed scopes,
 * the client's consent in the tenant (its own API and pre-authorized clients need none).
 * @throws EntraError AADSTS65001 (no consent), AADSTS70011 (a scope the API does not expose).
 */
export function delegatedGrant(client: AppRegistration, parsed: ParsedScopes): DelegatedGrant {
  // Only OpenID scopes: Entra signs the user in and issues a Graph token for their profile.
  const resource = parsed.resource ?? (firstPartyResource(RESOURCES.graph.uri) as ResolvedResource);
  const requested = parsed.resource ? parsed.names : ['User.Read'];
  const isDefault = requested.some((n) => n === '.default');
  if (isDefault && requested.length > 1) throw aadsts.invalidScope(parsed.raw.join(' '));

  if (resource.kind === 'app') {
    const exposed = resource.app?.exposedScopes ?? [];
    for (const name of requested) {
      if (name !== '.default' && !exposed.some((s) => s.toLowerCase() === name.toLowerCase())) {
        throw aadsts.invalidScope(`${resource.identifier}/${name}`);
      }
    }
  } else if (resource.kind === 'botFramework') {
    throw aadsts.invalidScope(parsed.raw.join(' '));
  }

  let scopes: string[];
  if (consentImplied(client, resource)) {
    scopes = isDefault ? defaultScopes(resource) : requested;
  } else {
    if (!client.adminConsented) throw aadsts.notConsented(client.clientId, client.displayName);
    const consented = consentedScopes(client, resource);
    if (isDefault) {
      scopes = consented ?? defaultScopes(resource);
    } else {
      if (consented) {
        const missing = requested.filter((n) => !consented.some((c) => c.toLowerCase() === n.toLowerCase()));
        if (missing.length > 0) throw aadsts.notConsented(client.clientId, client.displayName);
      }
      scopes = requested;
    }
  }
  // Canonical casing: the exposing side's spelling where it has one.
  const canonical =
    resource.kind === 'app' ? (resource.app?.exposedScopes ?? []) : (consentedScopes(client, resource) ?? []);
  scopes = [...new Set(scopes.map((s) => canonical.find((c) => c.toLowerCase() === s.toLowerCase()) ?? s))];
  return {
    resource,
    scopes,
    responseScope: [...scopes.map((s) => `${resource.identifier}/${s}`), ...parsed.oidc].join(' '),
  };
}

/** What a client-credentials request is granted. */
export interface ApplicationGrant {
  resource: ResolvedResource;
  /** `roles` of the access token: the app permissions an admin granted (Microsoft Graph only). */
  roles: string[];
}

/**
 * Decides a client-credentials request: exactly one `{resource}/.default`, an admin-consented app.
 * @throws EntraError AADSTS1002012 (not `.default`), AADSTS500011, AADSTS700022, AADSTS65001.
 */
export function applicationGrant(
  client: AppRegistration,
  tenant: TenantState,
  scope: string,
): ApplicationGrant {
  const tokens = scope.split(/\s+/).filter(Boolean);
  const notDefault = tokens.find((t) => !t.endsWith('/.default'));
  if (notDefault !== undefined) throw aadsts.clientCredentialsScope(notDefault);
  const parsed = parseScopes(tenant, scope);
  const resource = parsed.resource;
  if (!resource) throw aadsts.clientCredentialsScope(scope);
  if (!client.adminConsented) throw aadsts.notConsented(client.clientId, client.displayName);
  return { resource, roles: resource.kind === 'graph' ? [...client.appRoles] : [] };
}
