import type { FastifyReply, FastifyRequest } from 'fastify';
import type { SandboxContext } from '../context.ts';
import type { AppRegistration, DirectoryUser, TenantState } from '../state/types.ts';
import { AuthorizePageError, replyErrorPage } from './authorize-request.ts';
import { aadsts, EntraError } from './errors.ts';
import { startSession } from './sessions.ts';
import { escapeHtml, newNonce, sendPage, signInPageHtml } from './sign-in-page.ts';
import { resolveTenantSegment, type TenantSegment } from './tenants.ts';

/** A validated admin-consent request: the app, where to return, and whose admins may answer. */
interface AdminConsentRequest {
  segment: TenantSegment;
  tenants: TenantState[];
  client: AppRegistration;
  redirectUri: string;
  state: string | null;
  /** v2 endpoint: the scope asked for, echoed back. */
  scope: string | null;
  fields: Record<string, string>;
}

const text = (params: Readonly<Record<string, unknown>>, name: string): string | null => {
  const value = params[name];
  return typeof value === 'string' && value.length > 0 ? value : null;
};

/**
 * Validates `/{tenant}[/v2.0]/adminconsent` parameters in Entra's order: tenant, client, redirect
 * URI; failures are shown on Entra's error page (the redirect URI is not trusted yet).
 * @throws AuthorizePageError
 */
function validate(
  ctx: SandboxContext,
  tenantSegment: string,
  params: Readonly<Record<string, unknown>>,
): AdminConsentRequest {
  let segment: TenantSegment;
  try {
    segment = resolveTenantSegment(ctx, tenantSegment);
  } catch (error) {
    if (error instanceof EntraError) throw new AuthorizePageError(error);
    throw error;
  }
  const clientId = text(params, 'client_id');
  if (!clientId) throw new AuthorizePageError(aadsts.missingParameter('client_id'));
  const registered = ctx.store.state.tenants.flatMap((t) =>
    t.directory.apps.filter((a) => a.clientId.toLowerCase() === clientId.toLowerCase()),
  );
  const client = registered[0];
  if (!client) {
    throw new AuthorizePageError(
      aadsts.appNotFound(clientId, segment.kind === 'tenant' ? segment.tenant.domain : segment.alias),
    );
  }
  const redirectUri = text(params, 'redirect_uri');
  if (!redirectUri) {
    throw new AuthorizePageError(
      new EntraError(400, 'invalid_request', 900971, 'No reply address provided.'),
    );
  }
  if (!registered.some((a) => a.redirectUris.includes(redirectUri))) {
    throw new AuthorizePageError(
      new EntraError(
        400,
        'invalid_request',
        50011,
        `The redirect URI '${redirectUri}' specified in the request does not match the redirect URIs configured for the application '${client.clientId}'.`,
      ),
    );
  }
  const fields: Record<string, string> = {};
  for (const name of ['client_id', 'redirect_uri', 'state', 'scope'] as const) {
    const value = text(params, name);
    if (value !== null) fields[name] = value;
  }
  return {
    segment,
    tenants: segment.kind === 'tenant' ? [segment.tenant] : ctx.store.state.tenants,
    client,
    redirectUri,
    state: text(params, 'state'),
    scope: text(params, 'scope'),
    fields,
  };
}

function redirectBack(
  reply: FastifyReply,
  req: AdminConsentRequest,
  values: Record<string, string>,
): FastifyReply {
  const url = new URL(req.redirectUri);
  for (const [name, value] of Object.entries(values)) url.searchParams.set(name, value);
  if (req.state !== null) url.searchParams.set('state', req.state);
  return reply.header('cache-control', 'no-store, no-cache').redirect(url.toString(), 302);
}

/** Accounts offered: every enabled user of the tenants the request names (an admin is chosen among them). */
function accountPicker(
  reply: FastifyReply,
  path: string,
  req: AdminConsentRequest,
  error: string | null = null,
) {
  const choices = req.tenants.flatMap((tenant) =>
    tenant.directory.users
      .filter((u) => u.accountEnabled && u.userType === 'Member')
      .map((user) => ({ user, tenantDomain: req.tenants.length > 1 ? tenant.domain : null })),
  );
  return sendPage(
    reply,
    error ? 400 : 200,
    'Sign in to your account',
    signInPageHtml({
      tenantName: req.segment.kind === 'tenant' ? req.segment.tenant.displayName : 'your organization',
      appName: `${req.client.displayName} (admin consent)`,
      choices,
      fields: req.fields,
      action: path,
      loginHint: null,
      error,
    }),
    { nonce: newNonce(), formActions: [new URL(req.redirectUri).origin] },
  );
}

/** "Permissions requested – Accept for your organization": what the app will be granted. */
function consentPage(
  reply: FastifyReply,
  path: string,
  req: AdminConsentRequest,
  tenant: TenantState,
  user: DirectoryUser,
) {
  const wanted = req.client.requiredResourceAccess;
  const permissions = [
    ...(wanted?.appRoles ?? []).map((r) => `${r} (application)`),
    ...Object.values(wanted?.delegatedPermissions ?? {}).flatMap((scopes) =>
      scopes.map((s) => `${s} (delegated)`),
    ),
  ];
  const hidden = Object.entries({ ...req.fields, login: user.userPrincipalName })
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
    .join('');
  return sendPage(
    reply,
    200,
    'Permissions requested',
    `<div class="brand">Microsoft 365 sandbox · ${escapeHtml(tenant.displayName)}</div>` +
      `<h1>Permissions requested</h1><p class="sub">${escapeHtml(req.client.displayName)} · Accept for your organization</p>` +
      `<p>Signed in as ${escapeHtml(user.userPrincipalName)}. This app would like to:</p>` +
      `<ul>${permissions.map((p) => `<li>${escapeHtml(p)}</li>`).join('')}</ul>` +
      `<form method="post" action="${escapeHtml(path)}">${hidden}` +
      '<button type="submit" name="consent" value="accept">Accept</button> ' +
      '<button type="submit" name="consent" value="cancel">Cancel</button></form>',
    { nonce: newNonce(), formActions: [new URL(req.redirectUri).origin] },
  );
}

/** Grants the app what it requires in `tenant` (creating its service principal there if missing). */
function grantConsent(ctx: SandboxContext, tenant: TenantState, client: AppRegistration): void {
  let app = tenant.directory.apps.find((a) => a.clientId.toLowerCase() === client.clientId.toLowerCase());
  if (!app) {
    // A multi-tenant app gets its service principal in the consenting tenant.
    app = { ...structuredClone(client), appRoleAssignments: [] };
    tenant.directory.apps.push(app);
  }
  const wanted = app.requiredResourceAccess ?? client.requiredResourceAccess;
  app.adminConsented = true;
  if (wanted) {
    app.appRoles = [...new Set([...app.appRoles, ...wanted.appRoles])];
    app.delegatedPermissions = structuredClone(wanted.delegatedPermissions);
  }
  ctx.store.changed();
}

/**
 * `GET /{tenant}/adminconsent` (and `/v2.0/adminconsent`): the account picker; `POST`: the chosen
 * account (`login`), then its answer on the permissions page (`consent=accept|cancel`). A global
 * administrator who accepts grants the app tenant-wide consent and is sent back with
 * `admin_consent=True&tenant=…&state=…`; a cancel or a non-admin gets `error=access_denied`.
 */
export async function handleAdminConsent(
  ctx: SandboxContext,
  request: FastifyRequest<{ Params: { tenant: string } }>,
  reply: FastifyReply,
  params: Readonly<Record<string, unknown>>,
): Promise<FastifyReply> {
  const path = request.url.split('?')[0] ?? '';
  let req: AdminConsentRequest;
  try {
    req = validate(ctx, request.params.tenant, params);
  } catch (error) {
    if (error instanceof AuthorizePageError) return replyErrorPage(request, reply, error);
    throw error;
  }
  const login = text(params, 'login')?.toLowerCase();
  if (request.method === 'GET' || !login) return accountPicker(reply, path, req);
  const tenant = req.tenants.find((t) =>
    t.directory.users.some((u) => u.userPrincipalName.toLowerCase() === login),
  );
  const user = tenant?.directory.users.find((u) => u.userPrincipalName.toLowerCase() === login);
  if (!tenant || !user) {
    return accountPicker(
      reply,
      path,
      req,
      `AADSTS50034: The user account ${login} does not exist in the directory.`,
    );
  }
  if (!user.accountEnabled) {
    return accountPicker(reply, path, req, 'AADSTS50057: The user account is disabled.');
  }
  const consent = text(params, 'consent');
  if (!consent) {
    await startSession(ctx, reply, {
      tenantId: tenant.id,
      userId: user.id,
      authTime: Math.floor(Date.now() / 1000),
    });
    return consentPage(reply, path, req, tenant, user);
  }
  if (consent !== 'accept') {
    return redirectBack(reply, req, {
      error: 'access_denied',
      error_subcode: 'cancel',
      error_description: 'AADSTS65004: User declined to consent to access the app.',
    });
  }
  if (!(tenant.directory.globalAdministratorIds ?? []).includes(user.id)) {
    return redirectBack(reply, req, {
      error: 'access_denied',
      error_description: `AADSTS90094: The grant requires admin permission. ${user.userPrincipalName} is not an administrator of ${tenant.displayName} and cannot consent for the organization.`,
    });
  }
  grantConsent(ctx, tenant, req.client);
  return redirectBack(reply, req, {
    admin_consent: 'True',
    tenant: tenant.id,
    ...(req.scope !== null ? { scope: req.scope } : {}),
  });
}
