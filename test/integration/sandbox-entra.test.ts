import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ConfidentialClientApplication, CryptoProvider } from '@azure/msal-node';
import {
  createRemoteJWKSet,
  customFetch,
  decodeJwt,
  type FetchImplementation,
  type JWTPayload,
  jwtVerify,
} from 'jose';
import { fetch as undiciFetch } from 'undici';
import {
  CONTOSO_DOMAIN,
  CONTOSO_TENANT_ID,
  FABRIKAM_TENANT_ID,
  TEAMS_CLIENT_IDS,
  TRELLIS_CLIENT_ID,
  TRELLIS_GRAPH_APP_ROLES,
  TRELLIS_GRAPH_DELEGATED_SCOPES,
  TRELLIS_REDIRECT_URI,
} from '../../sandbox/state/seed-contoso.ts';
import type { TenantState } from '../../sandbox/state/types.ts';
import { createMsalNetworkClient, type MsalNetworkClient } from '../../src/identity/msal-network-client.ts';
import { startTestSandbox, type TestSandbox } from '../helpers/sandbox.ts';

const TRELLIS_API = `api://localhost:8443/${TRELLIS_CLIENT_ID}`;
const TEAMS_REDIRECT = 'https://teams.microsoft.com/go';

interface EntraErrorBody {
  error: string;
  error_description: string;
  error_codes: number[];
  timestamp: string;
  trace_id: string;
  correlation_id: string;
  suberror?: string;
}
interface OpenIdConfiguration {
  issuer: string;
  token_endpoint: string;
  authorization_endpoint: string;
  jwks_uri: string;
  end_session_endpoint: string;
  id_token_signing_alg_values_supported: string[];
  response_types_supported: string[];
  token_endpoint_auth_methods_supported: string[];
}
interface TokenBody {
  token_type: string;
  scope?: string;
  expires_in: number;
  ext_expires_in: number;
  access_token: string;
  refresh_token?: string;
  id_token?: string;
  client_info?: string;
}

function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

function tenantOf(sandbox: TestSandbox, id: string): TenantState {
  const tenant = sandbox.sandbox.ctx.store.tenant(id);
  assert.ok(tenant, `tenant ${id} is seeded`);
  return tenant;
}

function trellisSecret(sandbox: TestSandbox): string {
  const secret = tenantOf(sandbox, CONTOSO_TENANT_ID).directory.apps.find(
    (a) => a.clientId === TRELLIS_CLIENT_ID,
  )?.secrets[0];
  assert.ok(secret, 'Trellis has a client secret');
  return secret;
}

/** A JWKS resolver for a tenant, fetched over HTTPS with the sandbox CA trusted (nothing switched off). */
function jwksOf(sandbox: TestSandbox, tenantId: string) {
  const trustedFetch: FetchImplementation = (url, init) =>
    undiciFetch(url, {
      method: init.method,
      headers: Object.fromEntries(init.headers),
      signal: init.signal,
      dispatcher: sandbox.dispatcher,
    }) as unknown as Promise<Response>;
  return createRemoteJWKSet(new URL(`${sandbox.origin}/${tenantId}/discovery/v2.0/keys`), {
    [customFetch]: trustedFetch,
  });
}

async function verify(
  sandbox: TestSandbox,
  token: string,
  options: { tenantId?: string; audience: string; issuerOrigin?: string },
): Promise<JWTPayload & Record<string, unknown>> {
  const tenantId = options.tenantId ?? CONTOSO_TENANT_ID;
  const { payload } = await jwtVerify(token, jwksOf(sandbox, tenantId), {
    issuer: `${options.issuerOrigin ?? sandbox.origin}/${tenantId}/v2.0`,
    audience: options.audience,
    algorithms: ['RS256'],
  });
  return payload as JWTPayload & Record<string, unknown>;
}

async function postForm(
  sandbox: TestSandbox,
  url: string,
  form: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: unknown; headers: Headers }> {
  const response = await sandbox.fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form).toString(),
    redirect: 'manual',
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // HTML or empty bodies stay text.
  }
  return { status: response.status, body, headers: response.headers as unknown as Headers };
}

function assertEntraError(
  result: { status: number; body: unknown },
  status: number,
  error: string,
  code: number,
): EntraErrorBody {
  const body = result.body as EntraErrorBody;
  assert.equal(result.status, status, JSON.stringify(body));
  assert.equal(body.error, error);
  assert.deepEqual(body.error_codes, [code]);
  assert.match(body.error_description, new RegExp(`^AADSTS${code}: `));
  assert.match(
    body.error_description,
    /\r\nTrace ID: [0-9a-f-]{36}\r\nCorrelation ID: [0-9a-f-]{36}\r\nTimestamp: /,
  );
  assert.match(body.timestamp, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/);
  assert.match(body.trace_id, /^[0-9a-f-]{36}$/);
  assert.match(body.correlation_id, /^[0-9a-f-]{36}$/);
  return body;
}

function hiddenFields(html: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
    const decode = (s: string) => s.replace(/&#(\d+);/g, (_, c: string) => String.fromCharCode(Number(c)));
    fields[decode(m[1] ?? '')] = decode(m[2] ?? '');
  }
  return fields;
}

interface SignInOptions {
  tenant?: string;
  clientId?: string;
  redirectUri?: string;
  scope: string;
  login: string;
  state?: string;
  nonce?: string;
  challenge?: string;
  extra?: Record<string, string>;
}

/** The browser's part: GET the sign-in page, post the form with one account, read the 302. */
async function signIn(
  sandbox: TestSandbox,
  options: SignInOptions,
): Promise<{ location: URL; cookie: string | null; page: string }> {
  const tenant = options.tenant ?? CONTOSO_TENANT_ID;
  const query = new URLSearchParams({
    client_id: options.clientId ?? TRELLIS_CLIENT_ID,
    response_type: 'code',
    redirect_uri: options.redirectUri ?? TRELLIS_REDIRECT_URI,
    scope: options.scope,
    state: options.state ?? 'state-1',
    ...(options.nonce ? { nonce: options.nonce } : {}),
    ...(options.challenge ? { code_challenge: options.challenge, code_challenge_method: 'S256' } : {}),
    ...options.extra,
  });
  const pageResponse = await sandbox.fetch(`/${tenant}/oauth2/v2.0/authorize?${query}`);
  const page = await pageResponse.text();
  assert.equal(pageResponse.status, 200, page);
  const action = /<form method="post" action="([^"]+)">/.exec(page)?.[1];
  assert.ok(action, 'the sign-in page has a form');
  const posted = await postForm(sandbox, action, { ...hiddenFields(page), login: options.login });
  assert.equal(posted.status, 302, String(posted.body));
  const location = posted.headers.get('location');
  assert.ok(location, 'the form post redirects to the app');
  return { location: new URL(location), cookie: posted.headers.get('set-cookie'), page };
}

describe('sandbox Entra ID', () => {
  let sandbox: TestSandbox;
  let contoso: TenantState;
  let network: MsalNetworkClient;
  let host: string;

  const msalApp = (options: { clientSecret?: string; tenantId?: string } = {}) =>
    new ConfidentialClientApplication({
      auth: {
        clientId: TRELLIS_CLIENT_ID,
        clientSecret: options.clientSecret ?? trellisSecret(sandbox),
        authority: `${sandbox.origin}/${options.tenantId ?? CONTOSO_TENANT_ID}`,
        knownAuthorities: [host],
      },
      system: { networkClient: network },
    });

  before(async () => {
    sandbox = await startTestSandbox();
    contoso = tenantOf(sandbox, CONTOSO_TENANT_ID);
    network = createMsalNetworkClient({ ca: sandbox.caCert });
    host = new URL(sandbox.origin).host;
  });
  after(async () => {
    await network.close();
    await sandbox.close();
  });

  test('the OpenID configuration names the tenant issuer and endpoints on the sandbox origin', async () => {
    const metadata = async (tenant: string) =>
      (await (
        await sandbox.fetch(`/${tenant}/v2.0/.well-known/openid-configuration`)
      ).json()) as OpenIdConfiguration;
    const byId = await metadata(CONTOSO_TENANT_ID);
    const base = `${sandbox.origin}/${CONTOSO_TENANT_ID}`;
    assert.deepEqual(
      {
        issuer: byId.issuer,
        token: byId.token_endpoint,
        authorize: byId.authorization_endpoint,
        jwks: byId.jwks_uri,
        logout: byId.end_session_endpoint,
      },
      {
        issuer: `${base}/v2.0`,
        token: `${base}/oauth2/v2.0/token`,
        authorize: `${base}/oauth2/v2.0/authorize`,
        jwks: `${base}/discovery/v2.0/keys`,
        logout: `${base}/oauth2/v2.0/logout`,
      },
    );
    assert.deepEqual(byId.id_token_signing_alg_values_supported, ['RS256']);
    assert.ok(byId.response_types_supported.includes('code'));
    assert.ok(byId.token_endpoint_auth_methods_supported.includes('client_secret_post'));

    // By domain, Entra answers with the tenant id in every endpoint.
    const byDomain = await metadata(CONTOSO_DOMAIN);
    assert.equal(byDomain.issuer, byId.issuer);
    assert.equal(byDomain.token_endpoint, byId.token_endpoint);

    // Multi-tenant authorities keep the alias and publish the issuer template.
    for (const alias of ['common', 'organizations']) {
      const doc = (await (
        await sandbox.fetch(`/${alias}/v2.0/.well-known/openid-configuration`)
      ).json()) as OpenIdConfiguration;
      assert.equal(doc.issuer, `${sandbox.origin}/{tenantid}/v2.0`);
      assert.equal(doc.token_endpoint, `${sandbox.origin}/${alias}/oauth2/v2.0/token`);
    }
  });

  test('the JWKS publishes the public signing key only', async () => {
    const response = await sandbox.fetch(`/${CONTOSO_TENANT_ID}/discovery/v2.0/keys`);
    assert.equal(response.status, 200);
    const { keys } = (await response.json()) as { keys: Record<string, unknown>[] };
    assert.equal(keys.length, 1);
    const key = keys[0] ?? {};
    assert.equal(key.kty, 'RSA');
    assert.equal(key.use, 'sig');
    assert.equal(key.kid, sandbox.sandbox.ctx.signers.entra.kid);
    for (const field of ['n', 'e', 'x5t']) assert.equal(typeof key[field], 'string', field);
    for (const secret of ['d', 'p', 'q', 'dp', 'dq', 'qi'])
      assert.equal(key[secret], undefined, `private ${secret}`);
  });

  test('MSAL client credentials: a Graph app token with the granted roles, verified against the JWKS', async () => {
    const result = await msalApp().acquireTokenByClientCredential({
      scopes: ['https://graph.microsoft.com/.default'],
    });
    assert.ok(result?.accessToken);
    const claims = await verify(sandbox, result.accessToken, { audience: 'https://graph.microsoft.com' });
    assert.equal(claims.tid, CONTOSO_TENANT_ID);
    assert.equal(claims.iss, `${sandbox.origin}/${CONTOSO_TENANT_ID}/v2.0`);
    assert.equal(claims.azp, TRELLIS_CLIENT_ID);
    assert.equal(claims.idtyp, 'app');
    assert.deepEqual([...(claims.roles as string[])].sort(), [...TRELLIS_GRAPH_APP_ROLES].sort());
    assert.equal(claims.scp, undefined);

    // Certificate checks are on: MSAL over a network client without the sandbox CA cannot connect.
    const untrusted = createMsalNetworkClient();
    try {
      const app = new ConfidentialClientApplication({
        auth: {
          clientId: TRELLIS_CLIENT_ID,
          clientSecret: trellisSecret(sandbox),
          authority: `${sandbox.origin}/${CONTOSO_TENANT_ID}`,
          knownAuthorities: [host],
        },
        system: { networkClient: untrusted },
      });
      await assert.rejects(
        untrusted.sendGetRequestAsync(
          `${sandbox.origin}/${CONTOSO_TENANT_ID}/v2.0/.well-known/openid-configuration`,
        ),
        (error: { errorCode?: string; errorMessage?: string }) =>
          error.errorCode === 'network_error' && /certificate/i.test(error.errorMessage ?? ''),
      );
      // MSAL cannot read the authority's metadata, so it cannot resolve the token endpoint.
      await assert.rejects(
        app.acquireTokenByClientCredential({ scopes: ['https://graph.microsoft.com/.default'] }),
        (error: { errorCode?: string }) => error.errorCode === 'endpoints_resolution_error',
      );
    } finally {
      await untrusted.close();
    }

    // Key Vault is a resource too, and carries no Graph roles.
    const vault = await msalApp().acquireTokenByClientCredential({
      scopes: ['https://vault.azure.net/.default'],
    });
    assert.ok(vault?.accessToken);
    const vaultClaims = await verify(sandbox, vault.accessToken, { audience: 'https://vault.azure.net' });
    assert.deepEqual(vaultClaims.roles, []);
  });

  test('MSAL on-behalf-of: a Teams SSO token becomes a delegated Graph token for the same user', async () => {
    const user = contoso.directory.users.find((u) => u.userPrincipalName.startsWith('adele.vance@'));
    assert.ok(user);
    // Teams (a public client Trellis pre-authorizes) signs the user in for Trellis's API.
    const { verifier, challenge } = pkce();
    const { location } = await signIn(sandbox, {
      clientId: TEAMS_CLIENT_IDS.web,
      redirectUri: TEAMS_REDIRECT,
      scope: `${TRELLIS_API}/access_as_user`,
      login: user.userPrincipalName,
      challenge,
    });
    const code = location.searchParams.get('code') ?? '';
    const sso = await postForm(sandbox, `/${CONTOSO_TENANT_ID}/oauth2/v2.0/token`, {
      grant_type: 'authorization_code',
      client_id: TEAMS_CLIENT_IDS.web,
      code,
      redirect_uri: TEAMS_REDIRECT,
      code_verifier: verifier,
    });
    assert.equal(sso.status, 200, JSON.stringify(sso.body));
    const ssoToken = (sso.body as TokenBody).access_token;
    const ssoClaims = await verify(sandbox, ssoToken, { audience: TRELLIS_CLIENT_ID });
    assert.equal(ssoClaims.scp, 'access_as_user');
    assert.equal(ssoClaims.azp, TEAMS_CLIENT_IDS.web);

    const result = await msalApp().acquireTokenOnBehalfOf({
      oboAssertion: ssoToken,
      scopes: ['https://graph.microsoft.com/.default'],
    });
    assert.ok(result?.accessToken);
    const claims = await verify(sandbox, result.accessToken, { audience: 'https://graph.microsoft.com' });
    assert.equal(claims.oid, user.id);
    assert.equal(claims.preferred_username, user.userPrincipalName);
    assert.equal(claims.azp, TRELLIS_CLIENT_ID);
    assert.deepEqual((claims.scp as string).split(' ').sort(), [...TRELLIS_GRAPH_DELEGATED_SCOPES].sort());
    assert.equal(claims.roles, undefined);

    // An assertion addressed to another API is refused.
    const foreign = await postForm(sandbox, `/${CONTOSO_TENANT_ID}/oauth2/v2.0/token`, {
      grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
      requested_token_use: 'on_behalf_of',
      client_id: TRELLIS_CLIENT_ID,
      client_secret: trellisSecret(sandbox),
      assertion: result.accessToken,
      scope: 'https://graph.microsoft.com/.default',
    });
    assert.match(assertEntraError(foreign, 400, 'invalid_grant', 50013).error_description, /audience/);
  });

  test('authorization code + PKCE over HTTP: the sign-in page, a single-use code, id token, refresh', async () => {
    const enabled = contoso.directory.users.filter((u) => u.accountEnabled);
    const disabled = contoso.directory.users.find((u) => !u.accountEnabled);
    assert.ok(disabled, 'the seed has a disabled account');
    const user = contoso.directory.users.find((u) => u.userPrincipalName.startsWith('diego.siciliani@'));
    assert.ok(user);
    const { verifier, challenge } = pkce();
    const scope = `${TRELLIS_API}/access_as_user openid profile offline_access`;
    const { location, page, cookie } = await signIn(sandbox, {
      scope,
      login: user.userPrincipalName,
      state: 'xyz-42',
      nonce: 'nonce-42',
      challenge,
    });

    // The page lists every enabled user (name, UPN, department) as a button, and not the disabled one.
    assert.equal([...page.matchAll(/<button type="submit" name="login"/g)].length, enabled.length);
    assert.ok(page.includes(user.displayName) && page.includes(user.userPrincipalName));
    assert.ok(page.includes('Sales'));
    assert.equal(page.includes(disabled.userPrincipalName), false);
    assert.match(cookie ?? '', /Secure; HttpOnly/);

    assert.equal(`${location.origin}${location.pathname}`, TRELLIS_REDIRECT_URI);
    assert.equal(location.searchParams.get('state'), 'xyz-42');
    const code = location.searchParams.get('code');
    assert.ok(code);

    const redeem = (form: Record<string, string>) =>
      postForm(sandbox, `/${CONTOSO_TENANT_ID}/oauth2/v2.0/token`, {
        grant_type: 'authorization_code',
        client_id: TRELLIS_CLIENT_ID,
        client_secret: trellisSecret(sandbox),
        redirect_uri: TRELLIS_REDIRECT_URI,
        scope,
        ...form,
      });

    const wrongVerifier = await redeem({ code, code_verifier: pkce().verifier });
    assertEntraError(wrongVerifier, 400, 'invalid_grant', 501481);
    const wrongRedirect = await redeem({
      code,
      code_verifier: verifier,
      redirect_uri: 'https://localhost:8443/other',
    });
    assertEntraError(wrongRedirect, 400, 'invalid_grant', 50011);

    const redeemed = await redeem({ code, code_verifier: verifier });
    assert.equal(redeemed.status, 200, JSON.stringify(redeemed.body));
    const tokens = redeemed.body as TokenBody;
    assert.equal(tokens.token_type, 'Bearer');
    assert.equal(typeof tokens.expires_in, 'number');
    assert.ok(tokens.expires_in > 3000);
    assert.ok(tokens.scope?.split(' ').includes(`${TRELLIS_API}/access_as_user`));
    assert.ok(tokens.refresh_token);
    assert.ok(tokens.id_token);

    const access = await verify(sandbox, tokens.access_token, { audience: TRELLIS_CLIENT_ID });
    assert.equal(access.oid, user.id);
    assert.equal(access.scp, 'access_as_user');
    const id = await verify(sandbox, tokens.id_token, { audience: TRELLIS_CLIENT_ID });
    assert.equal(id.nonce, 'nonce-42');
    assert.equal(id.oid, user.id);
    assert.equal(id.preferred_username, user.userPrincipalName);

    // The code is single-use.
    assertEntraError(await redeem({ code, code_verifier: verifier }), 400, 'invalid_grant', 54005);

    // A code older than ten minutes is refused.
    const second = pkce();
    const again = await signIn(sandbox, {
      scope,
      login: user.userPrincipalName,
      challenge: second.challenge,
    });
    const lateCode = again.location.searchParams.get('code') ?? '';
    for (const record of contoso.entra?.codes ?? []) {
      if (record.redeemedAt === null) record.expiresAt = Date.now() - 1000;
    }
    assertEntraError(
      await redeem({ code: lateCode, code_verifier: second.verifier }),
      400,
      'invalid_grant',
      70008,
    );

    // Refresh: new tokens, a rotated refresh token, the old one spent.
    const refresh = (refreshToken: string) =>
      postForm(sandbox, `/${CONTOSO_TENANT_ID}/oauth2/v2.0/token`, {
        grant_type: 'refresh_token',
        client_id: TRELLIS_CLIENT_ID,
        client_secret: trellisSecret(sandbox),
        refresh_token: refreshToken,
      });
    const refreshed = await refresh(tokens.refresh_token);
    assert.equal(refreshed.status, 200, JSON.stringify(refreshed.body));
    const next = refreshed.body as TokenBody;
    assert.ok(next.refresh_token && next.refresh_token !== tokens.refresh_token);
    assert.notEqual(next.access_token, tokens.access_token);
    assert.equal((await verify(sandbox, next.access_token, { audience: TRELLIS_CLIENT_ID })).oid, user.id);
    assertEntraError(await refresh(tokens.refresh_token), 400, 'invalid_grant', 70008);

    // A refresh token is multi-resource: the same grant yields a consented Graph token.
    const graph = await postForm(sandbox, `/${CONTOSO_TENANT_ID}/oauth2/v2.0/token`, {
      grant_type: 'refresh_token',
      client_id: TRELLIS_CLIENT_ID,
      client_secret: trellisSecret(sandbox),
      refresh_token: next.refresh_token,
      scope: 'https://graph.microsoft.com/User.Read offline_access',
    });
    assert.equal(graph.status, 200, JSON.stringify(graph.body));
    const graphClaims = decodeJwt((graph.body as TokenBody).access_token);
    assert.equal(graphClaims.aud, 'https://graph.microsoft.com');
    assert.equal(graphClaims.scp, 'User.Read');
  });

  test('prompt=none signs the session user in silently, or answers login_required', async () => {
    const user = contoso.directory.users.find((u) => u.userPrincipalName.startsWith('miriam.graham@'));
    assert.ok(user);
    const query = (prompt: string) =>
      new URLSearchParams({
        client_id: TRELLIS_CLIENT_ID,
        response_type: 'code',
        redirect_uri: TRELLIS_REDIRECT_URI,
        scope: 'openid profile',
        state: 's',
        prompt,
      });
    const anonymous = await sandbox.fetch(`/${CONTOSO_TENANT_ID}/oauth2/v2.0/authorize?${query('none')}`, {
      redirect: 'manual',
    });
    assert.equal(anonymous.status, 302);
    const denied = new URL(anonymous.headers.get('location') ?? '');
    assert.equal(denied.searchParams.get('error'), 'login_required');
    assert.match(denied.searchParams.get('error_description') ?? '', /^AADSTS50058/);

    const { cookie } = await signIn(sandbox, { scope: 'openid profile', login: user.userPrincipalName });
    const session = (cookie ?? '').split(';')[0] ?? '';
    const silent = await sandbox.fetch(`/${CONTOSO_TENANT_ID}/oauth2/v2.0/authorize?${query('none')}`, {
      redirect: 'manual',
      headers: { cookie: session },
    });
    assert.equal(silent.status, 302);
    const back = new URL(silent.headers.get('location') ?? '');
    const code = back.searchParams.get('code');
    assert.ok(code, back.toString());
    const redeemed = await postForm(sandbox, `/${CONTOSO_TENANT_ID}/oauth2/v2.0/token`, {
      grant_type: 'authorization_code',
      client_id: TRELLIS_CLIENT_ID,
      client_secret: trellisSecret(sandbox),
      redirect_uri: TRELLIS_REDIRECT_URI,
      code,
    });
    assert.equal(redeemed.status, 200, JSON.stringify(redeemed.body));
    assert.equal(decodeJwt((redeemed.body as TokenBody).id_token ?? '').oid, user.id);
  });

  test('MSAL authorization code flow (getAuthCodeUrl, the page, acquireTokenByCode)', async () => {
    const user = contoso.directory.users.find((u) => u.userPrincipalName.startsWith('lee.gu@'));
    assert.ok(user);
    const crypto = new CryptoProvider();
    const { verifier, challenge } = await crypto.generatePkceCodes();
    const app = msalApp();
    const scopes = [`${TRELLIS_API}/access_as_user`];
    const url = new URL(
      await app.getAuthCodeUrl({
        scopes,
        redirectUri: TRELLIS_REDIRECT_URI,
        codeChallenge: challenge,
        codeChallengeMethod: 'S256',
        state: 'msal-state',
        nonce: 'msal-nonce',
      }),
    );
    assert.equal(url.origin, sandbox.origin);
    const page = await (await sandbox.fetch(url.toString())).text();
    const action = /<form method="post" action="([^"]+)">/.exec(page)?.[1] ?? '';
    const posted = await postForm(sandbox, action, { ...hiddenFields(page), login: user.userPrincipalName });
    const back = new URL(posted.headers.get('location') ?? '');
    const result = await app.acquireTokenByCode(
      {
        code: back.searchParams.get('code') ?? '',
        scopes,
        redirectUri: TRELLIS_REDIRECT_URI,
        codeVerifier: verifier,
        state: 'msal-state',
        nonce: 'msal-nonce',
      },
      { code: back.searchParams.get('code') ?? '', state: back.searchParams.get('state') ?? '' },
    );
    assert.equal(result.account?.username, user.userPrincipalName);
    assert.equal(result.account?.localAccountId, user.id);
    assert.equal(result.account?.tenantId, CONTOSO_TENANT_ID);
    assert.equal(result.idTokenClaims && (result.idTokenClaims as { nonce?: string }).nonce, 'msal-nonce');
    assert.equal(decodeJwt(result.accessToken).scp, 'access_as_user');
  });

  test('a wrong client secret is invalid_client AADSTS7000215 (401); an unknown app AADSTS700016', async () => {
    await assert.rejects(
      msalApp({ clientSecret: 'not-the-secret' }).acquireTokenByClientCredential({
        scopes: ['https://graph.microsoft.com/.default'],
      }),
      (error: { errorCode?: string; errorMessage?: string }) =>
        error.errorCode === 'invalid_client' && /AADSTS7000215/.test(error.errorMessage ?? ''),
    );
    const raw = await postForm(
      sandbox,
      `/${CONTOSO_TENANT_ID}/oauth2/v2.0/token`,
      {
        grant_type: 'client_credentials',
        client_id: TRELLIS_CLIENT_ID,
        client_secret: 'not-the-secret',
        scope: 'https://graph.microsoft.com/.default',
      },
      { 'client-request-id': '11111111-2222-4333-8444-555555555555' },
    );
    const body = assertEntraError(raw, 401, 'invalid_client', 7000215);
    assert.equal(body.correlation_id, '11111111-2222-4333-8444-555555555555');

    const unknown = await postForm(sandbox, `/${CONTOSO_TENANT_ID}/oauth2/v2.0/token`, {
      grant_type: 'client_credentials',
      client_id: '00000000-1111-4222-8333-444444444444',
      client_secret: 'x',
      scope: 'https://graph.microsoft.com/.default',
    });
    assertEntraError(unknown, 400, 'unauthorized_client', 700016);
  });

  test('Fabrikam has not consented to Trellis: AADSTS65001 for app tokens, OBO and sign-in', async () => {
    await assert.rejects(
      msalApp({ tenantId: FABRIKAM_TENANT_ID }).acquireTokenByClientCredential({
        scopes: ['https://graph.microsoft.com/.default'],
      }),
      (error: { errorCode?: string; errorMessage?: string }) =>
        error.errorCode === 'invalid_grant' && /AADSTS65001/.test(error.errorMessage ?? ''),
    );

    // Teams can still get Trellis's SSO token there (pre-authorized), but Trellis's OBO needs consent.
    const fabrikam = tenantOf(sandbox, FABRIKAM_TENANT_ID);
    const user = fabrikam.directory.users[0];
    assert.ok(user);
    const { verifier, challenge } = pkce();
    const sso = await signIn(sandbox, {
      tenant: FABRIKAM_TENANT_ID,
      clientId: TEAMS_CLIENT_IDS.desktop,
      redirectUri: TEAMS_REDIRECT,
      scope: `${TRELLIS_API}/access_as_user`,
      login: user.userPrincipalName,
      challenge,
    });
    const ssoTokens = await postForm(sandbox, `/${FABRIKAM_TENANT_ID}/oauth2/v2.0/token`, {
      grant_type: 'authorization_code',
      client_id: TEAMS_CLIENT_IDS.desktop,
      code: sso.location.searchParams.get('code') ?? '',
      redirect_uri: TEAMS_REDIRECT,
      code_verifier: verifier,
    });
    assert.equal(ssoTokens.status, 200, JSON.stringify(ssoTokens.body));
    const obo = await postForm(sandbox, `/${FABRIKAM_TENANT_ID}/oauth2/v2.0/token`, {
      grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
      requested_token_use: 'on_behalf_of',
      client_id: TRELLIS_CLIENT_ID,
      client_secret: trellisSecret(sandbox),
      assertion: (ssoTokens.body as TokenBody).access_token,
      scope: 'https://graph.microsoft.com/.default',
    });
    assert.equal(assertEntraError(obo, 400, 'invalid_grant', 65001).suberror, 'consent_required');

    const signInAttempt = await signIn(sandbox, {
      tenant: FABRIKAM_TENANT_ID,
      scope: 'openid profile https://graph.microsoft.com/User.Read',
      login: user.userPrincipalName,
    });
    assert.equal(signInAttempt.location.searchParams.get('error'), 'consent_required');
    assert.match(signInAttempt.location.searchParams.get('error_description') ?? '', /^AADSTS65001/);
    assert.equal(signInAttempt.location.searchParams.get('code'), null);
  });

  test('unknown tenants, scopes and grant types get Entra’s errors', async () => {
    const token = (tenant: string, form: Record<string, string>) =>
      postForm(sandbox, `/${tenant}/oauth2/v2.0/token`, {
        client_id: TRELLIS_CLIENT_ID,
        client_secret: trellisSecret(sandbox),
        ...form,
      });
    const cc = { grant_type: 'client_credentials', scope: 'https://graph.microsoft.com/.default' };
    assertEntraError(await token('8d2c3f70-0000-4000-8000-000000000000', cc), 400, 'invalid_request', 90002);
    assertEntraError(await token('nowhere.onmicrosoft.com', cc), 400, 'invalid_request', 90002);
    assertEntraError(await token('not_a_tenant', cc), 400, 'invalid_request', 900023);
    const metadata = await sandbox.fetch('/nowhere.onmicrosoft.com/v2.0/.well-known/openid-configuration');
    assertEntraError({ status: metadata.status, body: await metadata.json() }, 400, 'invalid_tenant', 90002);
    assertEntraError(await token('common', cc), 400, 'invalid_request', 9001023);

    assertEntraError(
      await token(CONTOSO_TENANT_ID, { grant_type: 'client_credentials', scope: 'User.Read' }),
      400,
      'invalid_scope',
      1002012,
    );
    assertEntraError(
      await token(CONTOSO_TENANT_ID, {
        grant_type: 'client_credentials',
        scope: 'https://nowhere.example/.default',
      }),
      400,
      'invalid_resource',
      500011,
    );
    assertEntraError(
      await token(CONTOSO_TENANT_ID, { grant_type: 'password' }),
      400,
      'unsupported_grant_type',
      70003,
    );
    assertEntraError(await token(CONTOSO_TENANT_ID, { scope: 'x' }), 400, 'invalid_request', 900144);

    // A scope the API does not expose.
    const app = await msalApp().acquireTokenByClientCredential({ scopes: [`${TRELLIS_API}/.default`] });
    assert.ok(app?.accessToken);
    assert.equal(decodeJwt(app.accessToken).aud, TRELLIS_CLIENT_ID);
    const sso = await signIn(sandbox, {
      clientId: TEAMS_CLIENT_IDS.web,
      redirectUri: TEAMS_REDIRECT,
      scope: `${TRELLIS_API}/access_as_user`,
      login: contoso.directory.users[0]?.userPrincipalName ?? '',
    });
    const ssoToken = await postForm(sandbox, `/${CONTOSO_TENANT_ID}/oauth2/v2.0/token`, {
      grant_type: 'authorization_code',
      client_id: TEAMS_CLIENT_IDS.web,
      code: sso.location.searchParams.get('code') ?? '',
      redirect_uri: TEAMS_REDIRECT,
    });
    const unexposed = await token(CONTOSO_TENANT_ID, {
      grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
      requested_token_use: 'on_behalf_of',
      assertion: (ssoToken.body as TokenBody).access_token,
      scope: `${TRELLIS_API}/Everything.ReadWrite`,
    });
    assertEntraError(unexposed, 400, 'invalid_scope', 70011);

    // A redirect URI that is not registered is shown on Entra's page, never redirected to.
    const evil = await sandbox.fetch(
      `/${CONTOSO_TENANT_ID}/oauth2/v2.0/authorize?${new URLSearchParams({
        client_id: TRELLIS_CLIENT_ID,
        response_type: 'code',
        redirect_uri: 'https://evil.example/callback',
        scope: 'openid',
      })}`,
      { redirect: 'manual' },
    );
    assert.equal(evil.status, 400);
    assert.match(await evil.text(), /AADSTS50011/);
  });
});

describe('sandbox Entra ID state survives a restart', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'trellis-entra-restart-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('tokens issued before a restart still verify; the client secret (also across a reset) and refresh tokens are kept', async () => {
    const first = await startTestSandbox({ dir, persist: true });
    const firstOrigin = first.origin;
    const secret = trellisSecret(first);
    let token: string;
    let refreshToken: string;
    try {
      const issued = await postForm(first, `/${CONTOSO_TENANT_ID}/oauth2/v2.0/token`, {
        grant_type: 'client_credentials',
        client_id: TRELLIS_CLIENT_ID,
        client_secret: secret,
        scope: 'https://graph.microsoft.com/.default',
      });
      assert.equal(issued.status, 200, JSON.stringify(issued.body));
      token = (issued.body as TokenBody).access_token;
      const user = tenantOf(first, CONTOSO_TENANT_ID).directory.users[0];
      assert.ok(user);
      const { verifier, challenge } = pkce();
      const { location } = await signIn(first, {
        scope: 'openid offline_access https://graph.microsoft.com/User.Read',
        login: user.userPrincipalName,
        challenge,
      });
      const redeemed = await postForm(first, `/${CONTOSO_TENANT_ID}/oauth2/v2.0/token`, {
        grant_type: 'authorization_code',
        client_id: TRELLIS_CLIENT_ID,
        client_secret: secret,
        redirect_uri: TRELLIS_REDIRECT_URI,
        code: location.searchParams.get('code') ?? '',
        code_verifier: verifier,
      });
      refreshToken = (redeemed.body as TokenBody).refresh_token ?? '';
      assert.ok(refreshToken);
    } finally {
      await first.close();
    }

    const second = await startTestSandbox({ dir, persist: true });
    try {
      assert.equal(trellisSecret(second), secret, 'the Trellis client secret is unchanged');
      // The signing key is the same: the old token verifies against the new JWKS (its issuer names the old port).
      const claims = await verify(second, token, {
        audience: 'https://graph.microsoft.com',
        issuerOrigin: firstOrigin,
      });
      assert.equal(claims.tid, CONTOSO_TENANT_ID);
      const refreshed = await postForm(second, `/${CONTOSO_TENANT_ID}/oauth2/v2.0/token`, {
        grant_type: 'refresh_token',
        client_id: TRELLIS_CLIENT_ID,
        client_secret: secret,
        refresh_token: refreshToken,
      });
      assert.equal(refreshed.status, 200, JSON.stringify(refreshed.body));

      // A reset returns the world to the seed but keeps the secret Trellis was configured with.
      await second.sandbox.ctx.store.reset();
      assert.equal(trellisSecret(second), secret);
    } finally {
      await second.close();
    }
  });
});
