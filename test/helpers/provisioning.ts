import assert from 'node:assert/strict';
import { CONTOSO_TENANT_ID, TRELLIS_CLIENT_ID } from '../../sandbox/state/seed-contoso.ts';
import type { TeamTree } from '../../sandbox/graph/inspect.ts';
import type { RunView } from '../../src/provisioning/index.ts';
import { createTestTenant, type TestTenant } from './api.ts';
import { startTestSandbox, type TestSandbox } from './sandbox.ts';
import { startTestTrellis, type TestTrellis } from './trellis.ts';

export const CONTOSO = 'contoso.onmicrosoft.com';
export const upn = (nick: string) => `${nick}@${CONTOSO}`;
const TERMINAL = new Set(['completed', 'completed_with_drift', 'failed', 'cancelled']);

/** The environment that points Trellis (or a worker process) at a test sandbox's Contoso tenant. */
export function sandboxEnv(sb: TestSandbox): Record<string, string> {
  const contoso = sb.sandbox.ctx.store.state.tenants.find((t) => t.id === CONTOSO_TENANT_ID);
  const secret = contoso?.directory.apps.find((a) => a.clientId === TRELLIS_CLIENT_ID)?.secrets[0];
  assert.ok(secret, 'the sandbox seeds Trellis in Contoso');
  return {
    M365_TENANT_ID: CONTOSO_TENANT_ID,
    M365_CLIENT_ID: TRELLIS_CLIENT_ID,
    M365_CLIENT_SECRET: secret,
    M365_AUTHORITY_HOST: sb.origin,
    GRAPH_BASE_URL: sb.origin,
    BOT_OPENID_METADATA_URL: `${sb.origin}/v1/.well-known/openidconfiguration`,
    BOT_SERVICE_URL: `${sb.origin}/`,
    M365_CA_FILE: sb.sandbox.caPath,
  };
}

export interface ProvisioningRig {
  sb: TestSandbox;
  trellis: TestTrellis;
  tenant: TestTenant;
  env: Record<string, string>;
  /** Sets the sandbox's fault settings (`{profile:'strict'}`, `{throttling:{factor:0.5}}` …). */
  faults(settings: Record<string, unknown>): Promise<void>;
  /** Creates (as the API token, for the requester) and approves a request; returns its id. */
  requestTeam(template: string, name: string, extra?: Record<string, unknown>): Promise<string>;
  waitForRun(requestId: string, timeoutMs?: number): Promise<RunView>;
  tree(teamId: string): Promise<TeamTree>;
  close(): Promise<void>;
}

export const METADATA: Record<string, Record<string, unknown>> = {
  project: {
    costCenter: 'CC-1234',
    projectCode: 'ABC-2026',
    endDate: '2027-06-30',
    dataClassification: 'internal',
  },
  'sales-deal-room': {
    customerName: 'Fabrikam',
    opportunityId: 'OPP-1',
    region: 'emea',
    dealSize: 120000,
    closeDate: '2027-03-31',
    dataClassification: 'confidential',
  },
};

/**
 * A sandbox (with its fault profile) and Trellis pointed at it as a real tenant would be, with the
 * Contoso tenant onboarded and given the starter catalog.
 */
export async function startProvisioningRig(
  options: { faults?: string; env?: Record<string, string>; sandbox?: TestSandbox } = {},
): Promise<ProvisioningRig> {
  const sb = options.sandbox ?? (await startTestSandbox({ faults: options.faults ?? 'none' }));
  const env = {
    ...sandboxEnv(sb),
    PROVISIONING_LEASE_SECONDS: '3',
    PROVISIONING_RECOVERY_SECONDS: '1',
    PROVISIONING_CONCURRENCY: '8',
    ...options.env,
  };
  const trellis = await startTestTrellis(env);
  const tenant = await createTestTenant(trellis, { entraTenantId: CONTOSO_TENANT_ID });
  await trellis.running.domain.templates.seedStarterCatalog(tenant.tenantId, {
    type: 'system',
    id: 'test',
    name: 'test',
  });
  const rig: ProvisioningRig = {
    sb,
    trellis,
    tenant,
    env,
    async faults(settings) {
      const res = await sb.fetch('/sandbox/api/faults', {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(settings),
      });
      assert.equal(res.status, 200, await res.text());
    },
    async requestTeam(template, name, extra = {}) {
      const created = await tenant.call('POST', '/api/v1/requests', {
        template,
        name,
        requester: upn('adele.vance'),
        metadata: METADATA[template] ?? {},
        ...extra,
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      let view = created.body;
      while (view.status === 'pending_approval') {
        const approved = await tenant.call('POST', `/api/v1/requests/${view.requestId}/approve`, {});
        assert.equal(approved.status, 200, JSON.stringify(approved.body));
        view = approved.body;
      }
      return view.requestId as string;
    },
    async waitForRun(requestId, timeoutMs = 120_000) {
      const until = Date.now() + timeoutMs;
      let last: RunView | null = null;
      while (Date.now() < until) {
        last = await trellis.running.domain.provisioning.runOf(tenant.tenantId, requestId);
        if (last && TERMINAL.has(last.status)) return last;
        await new Promise((r) => setTimeout(r, 200));
      }
      assert.fail(`run of ${requestId} did not finish: ${JSON.stringify(last)}`);
    },
    async tree(teamId) {
      const res = await sb.fetch(`/sandbox/api/tenants/${CONTOSO_TENANT_ID}/teams/${teamId}`);
      const text = await res.text();
      assert.equal(res.status, 200, text);
      return JSON.parse(text) as TeamTree;
    },
    async close() {
      await trellis.close();
      if (!options.sandbox) await sb.close();
    },
  };
  return rig;
}
