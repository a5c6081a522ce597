import { createHash, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Agent, fetch } from 'undici';
import { type ApiResult, callApi } from './api.ts';
import type { TestTrellis } from './trellis.ts';

/** What the sandbox started by Trellis publishes (`DATA_DIR/sandbox/endpoints.json`). */
export interface SandboxEndpoints {
  origin: string;
  caPath: string;
  tenants: { id: string; domain: string; trellisApp?: { clientId: string; clientSecret: string } }[];
}

/** Trellis's registered web redirect URI in the sandbox: the code is read from it, never followed. */
const REDIRECT_URI = 'https://localhost:8443/auth/callback';

/** The endpoints of the sandbox a `startTestTrellis(env, { sandbox: true })` runs. */
export async function sandboxEndpoints(trellis: TestTrellis): Promise<SandboxEndpoints> {
  return JSON.parse(
    await readFile(path.join(trellis.dataDir, 'sandbox', 'endpoints.json'), 'utf8'),
  ) as SandboxEndpoints;
}

/** An HTTP client trusting the sandbox's CA (certificate checks stay on). */
export async function sandboxClient(trellis: TestTrellis) {
  const endpoints = await sandboxEndpoints(trellis);
  const dispatcher = new Agent({ connect: { ca: await readFile(endpoints.caPath, 'utf8') } });
  return {
    endpoints,
    fetch: (url: string, init: Parameters<typeof fetch>[1] = {}) =>
      fetch(url.startsWith('http') ? url : `${endpoints.origin}${url}`, {
        redirect: 'manual',
        ...init,
        dispatcher,
      }),
    close: () => dispatcher.close(),
  };
}

/** The hidden fields and action of the first form of a page, as a browser would submit it. */
export function formOf(html: string): { action: string; fields: Record<string, string> } {
  const unescape = (v: string) =>
    v.replace(/&#(\d+);/g, (_m, code: string) => String.fromCharCode(Number(code))).replace(/&amp;/g, '&');
  const action = /<form[^>]*action="([^"]*)"/.exec(html)?.[1];
  if (!action) throw new Error('no form on the page');
  const fields: Record<string, string> = {};
  for (const m of html.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)) {
    fields[unescape(m[1] ?? '')] = unescape(m[2] ?? '');
  }
  return { action: unescape(action), fields };
}

/**
 * A real user access token for Trellis's API (`api://…/{clientId}/access_as_user`), obtained from the
 * sandbox like a browser and a web app would: authorize with PKCE, the sign-in page's form
 * submitted with the user's account, the code redeemed at the token endpoint by Trellis's app.
 * @param upn a sandbox user, e.g. `cameron.white@contoso.onmicrosoft.com`
 */
export async function getUserToken(trellis: TestTrellis, upn: string): Promise<string> {
  const client = await sandboxClient(trellis);
  try {
    const { endpoints } = client;
    const domain = upn.split('@')[1]?.toLowerCase();
    const tenant = endpoints.tenants.find((t) => t.domain.toLowerCase() === domain);
    const app = endpoints.tenants.find((t) => t.trellisApp)?.trellisApp;
    if (!tenant || !app) throw new Error(`no sandbox tenant for ${upn}, or no Trellis app`);
    const verifier = randomBytes(32).toString('base64url');
    const state = randomBytes(16).toString('base64url');
    const query = new URLSearchParams({
      client_id: app.clientId,
      response_type: 'code',
      redirect_uri: REDIRECT_URI,
      scope: `api://localhost:8443/${app.clientId}/access_as_user openid offline_access`,
      state,
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
      login_hint: upn,
    });
    const page = await client.fetch(`/${tenant.id}/oauth2/v2.0/authorize?${query}`);
    if (page.status !== 200) throw new Error(`sign-in page: HTTP ${page.status}`);
    const form = formOf(await page.text());
    const signedIn = await client.fetch(form.action, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...form.fields, login: upn }).toString(),
    });
    await signedIn.arrayBuffer();
    const location = signedIn.headers.get('location');
    if (signedIn.status !== 302 || !location) throw new Error(`sign-in: HTTP ${signedIn.status}`);
    const back = new URL(location).searchParams;
    if (back.get('state') !== state) throw new Error('sign-in: state mismatch');
    const code = back.get('code');
    if (!code) throw new Error(`sign-in refused: ${back.get('error')} ${back.get('error_description')}`);
    const tokenResponse = await client.fetch(`/${tenant.id}/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        client_id: app.clientId,
        client_secret: app.clientSecret,
        code,
        redirect_uri: REDIRECT_URI,
        code_verifier: verifier,
      }).toString(),
    });
    const body = (await tokenResponse.json()) as { access_token?: string; error_description?: string };
    if (!body.access_token)
      throw new Error(`token endpoint: ${body.error_description ?? tokenResponse.status}`);
    return body.access_token;
  } finally {
    await client.close();
  }
}

/** A signed-in sandbox user calling Trellis's API with their Entra access token. */
export interface TestUser {
  upn: string;
  token: string;
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<ApiResult>;
}

/** Signs `upn` in through the sandbox and returns an API caller for them. */
export async function signInAs(trellis: TestTrellis, upn: string): Promise<TestUser> {
  const token = await getUserToken(trellis, upn);
  return {
    upn,
    token,
    call: (method, p, body, headers) => callApi(trellis, token, method, p, body, headers),
  };
}

/**
 * Adds a sandbox user to a demo team, by the team's name, as one of its owners would: through Graph,
 * with Trellis's application permissions. Returns both ids.
 */
export async function joinDemoTeam(
  trellis: TestTrellis,
  teamName: string,
  upn: string,
): Promise<{ teamId: string; userId: string }> {
  const client = await sandboxClient(trellis);
  try {
    const tenant = client.endpoints.tenants.find((t) => t.domain.toLowerCase() === upn.split('@')[1]);
    if (!tenant) throw new Error(`no sandbox tenant for ${upn}`);
    const list = async <T>(what: string) =>
      ((await (await client.fetch(`/sandbox/api/tenants/${tenant.id}/${what}`)).json()) as { value: T[] })
        .value;
    const team = (await list<{ id: string; displayName: string }>('teams')).find(
      (t) => t.displayName === teamName,
    );
    const user = (await list<{ id: string; userPrincipalName: string }>('users')).find(
      (u) => u.userPrincipalName === upn,
    );
    if (!team || !user) throw new Error(`no team ${teamName} or no user ${upn} in the sandbox`);
    await trellis.running.domain.graph.forTenant(tenant.id).request('POST', `/teams/${team.id}/members`, {
      body: {
        '@odata.type': '#microsoft.graph.aadUserConversationMember',
        roles: [],
        'user@odata.bind': `https://graph.microsoft.com/v1.0/users('${user.id}')`,
      },
    });
    return { teamId: team.id, userId: user.id };
  } finally {
    await client.close();
  }
}
