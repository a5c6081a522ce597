import { randomUUID } from 'node:crypto';
import type { ApiScope } from '../../src/api/caller.ts';
import { API_SCOPES } from '../../src/api/caller.ts';
import type { TestTrellis } from './trellis.ts';

export interface TestTenant {
  tenantId: string;
  slug: string;
  /** A `trl_` token of this tenant. */
  token: string;
  /** Calls the API with the token; JSON bodies are serialised. */
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<ApiResult>;
}

export interface ApiResult {
  status: number;
  headers: Headers;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- tests read arbitrary JSON
}

/** Creates a tenant directly (platform admin) and an API token with the given scopes (all by default). */
export async function createTestTenant(
  trellis: TestTrellis,
  options: { slug?: string; entraTenantId?: string; scopes?: readonly ApiScope[] } = {},
): Promise<TestTenant> {
  // A tenant onboarded already (the embedded demo tenant) is reused: entra_tenant_id is unique.
  const existing = options.entraTenantId
    ? await trellis.running.db.withPlatform((tx) =>
        tx
          .selectFrom('tenants')
          .select(['tenant_id', 'slug'])
          .where('entra_tenant_id', '=', (options.entraTenantId ?? '').toLowerCase())
          .executeTakeFirst(),
      )
    : undefined;
  const tenantId = existing?.tenant_id ?? randomUUID();
  const slug = existing?.slug ?? options.slug ?? `t-${tenantId.slice(0, 8)}`;
  if (!existing) {
    await trellis.running.db.withPlatform((tx) =>
      tx
        .insertInto('tenants')
        .values({
          tenant_id: tenantId,
          slug,
          display_name: `Test ${slug}`,
          entra_tenant_id: options.entraTenantId ?? null,
        })
        .execute(),
    );
  }
  const created = await trellis.running.domain.tokens.create(tenantId, {
    name: 'test',
    scopes: options.scopes ?? API_SCOPES,
    actor: { type: 'system', id: 'test' },
  });
  return {
    tenantId,
    slug,
    token: created.token,
    call: (method, path, body, headers) => callApi(trellis, created.token, method, path, body, headers),
  };
}

/** One API call with a bearer credential; the body is parsed as JSON when there is one. */
export async function callApi(
  trellis: TestTrellis,
  bearer: string | undefined,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<ApiResult> {
  const response = await trellis.fetch(path, {
    method,
    headers: {
      ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  let parsed: unknown = text;
  if ((response.headers.get('content-type') ?? '').includes('json') && text) parsed = JSON.parse(text);
  return { status: response.status, headers: response.headers as unknown as Headers, body: parsed };
}
