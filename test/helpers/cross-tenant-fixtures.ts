import { randomUUID } from 'node:crypto';
import type { TestTenant } from './api.ts';
import type { TestTrellis } from './trellis.ts';

/**
 * Fixtures of the cross-tenant matrix (test/integration/api-cross-tenant.test.ts): tenant B's
 * objects, and how to call each operation of the OpenAPI document with tenant A's credentials.
 *
 * Adding a route? Add (1) a seeder for its capability below that creates B's objects and names
 * them by path-parameter name, and (2) an OPERATION_FIXTURES entry for its operationId. The matrix
 * fails for any operation of the document without one, so no route escapes it.
 */

/** Tenant B's objects as the matrix uses them. */
export interface SeededObjects {
  /** Values for path parameters, by parameter name (`tokenId`, `templateId`, `requestId` …). */
  params: Record<string, string>;
  /** Strings that must never appear in an answer to A: B's ids, names, slugs. */
  secrets: string[];
}

/** Creates some of B's objects (through B's API or its domain services) and names them. */
export type CapabilitySeeder = (trellis: TestTrellis, b: TestTenant) => Promise<Partial<SeededObjects>>;

/** How A calls one operation on B's objects, and what A may get back. */
export interface OperationFixture {
  /** A minimal valid body (may point at B's objects, e.g. B's template id). */
  body?: (b: SeededObjects) => unknown;
  /** Query string values. */
  query?: (b: SeededObjects) => Record<string, string>;
  /**
   * `denied`: 403 or 404 only (the default when the path names an object); `own-tenant`: the call
   * acts on A's own tenant (a listing must be 200; anything below 500 otherwise), never on B's;
   * `public`: open to anyone (the statuses listed in `statuses`).
   */
  expect?: 'denied' | 'own-tenant' | 'public';
  /** Accepted statuses for `public` (and to narrow `own-tenant`). */
  statuses?: number[];
  /** What B itself may get on its own object (default 200), e.g. 404 for a team not provisioned yet. */
  ownStatuses?: number[];
  /** Why the default does not fit, when it does not. */
  note?: string;
}

/** The API platform: an API token, a role assignment, a group mapping (and their audit events). */
const seedPlatformObjects: CapabilitySeeder = async (_trellis, b) => {
  const tokenName = `b-token-${randomUUID()}`;
  const token = await b.call('POST', '/api/v1/tokens', { name: tokenName, scopes: ['catalog:read'] });
  const principalId = randomUUID();
  const assignment = await b.call('POST', '/api/v1/roles/assignments', { principalId, role: 'approver' });
  const groupId = randomUUID();
  const mapping = await b.call('POST', '/api/v1/roles/group-mappings', { groupId, role: 'catalog_manager' });
  for (const [what, r] of [
    ['token', token],
    ['assignment', assignment],
    ['mapping', mapping],
  ] as const) {
    if (r.status !== 201) throw new Error(`seeding B's ${what}: HTTP ${r.status} ${JSON.stringify(r.body)}`);
  }
  return {
    params: {
      tokenId: token.body.tokenId,
      assignmentId: assignment.body.assignmentId,
      mappingId: mapping.body.mappingId,
    },
    secrets: [
      token.body.tokenId,
      token.body.token,
      token.body.hint,
      tokenName,
      principalId,
      assignment.body.assignmentId,
      groupId,
      mapping.body.mappingId,
    ],
  };
};

// A 1×1 PNG: the asset route checks magic bytes.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);

/** Templates: a template (version 1, with an approval stage), an asset, a tenant metadata field. */
const seedTemplateObjects: CapabilitySeeder = async (trellis, b) => {
  const tag = randomUUID().slice(0, 8);
  const slug = `b-secret-${tag}`;
  const name = `B secret template ${tag}`;
  const created = await b.call('POST', '/api/v1/templates', {
    document: {
      schemaVersion: 1,
      slug,
      name,
      minimumOwners: 1,
      approval: {
        stages: [
          {
            name: 'B stage',
            approvers: [{ type: 'user', user: `b-approver-${tag}@example.com` }],
            allowEdit: true,
          },
        ],
        reminderAfterHours: 24,
        expireAfterDays: 14,
      },
    },
  });
  if (created.status !== 201)
    throw new Error(`seeding B's template: ${created.status} ${JSON.stringify(created.body)}`);
  const templateId: string = created.body.templateId;
  const asset = await trellis.fetch(`/api/v1/templates/${templateId}/assets/icon.png`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${b.token}`, 'content-type': 'image/png' },
    body: PNG,
  });
  if (asset.status >= 300) throw new Error(`seeding B's asset: ${asset.status} ${await asset.text()}`);
  const key = `bsecret${tag}`;
  const field = await b.call('POST', '/api/v1/metadata-fields', {
    key,
    label: `B field ${tag}`,
    type: 'text',
  });
  if (field.status !== 201)
    throw new Error(`seeding B's field: ${field.status} ${JSON.stringify(field.body)}`);
  return {
    params: { templateId, slug, version: '1', assetName: 'icon.png', key },
    secrets: [templateId, slug, name, key, `B field ${tag}`, `b-approver-${tag}@example.com`],
  };
};

/** Requests: one pending request on B's template. */
const seedRequestObjects: CapabilitySeeder = async (_trellis, b) => {
  const tag = randomUUID().slice(0, 8);
  const templates = await b.call('GET', '/api/v1/templates');
  const template = templates.body.items.find((t: { slug: string }) => t.slug.startsWith('b-secret-'));
  const name = `B request ${tag}`;
  const created = await b.call('POST', '/api/v1/requests', {
    template: template.templateId,
    name,
    requester: `b-requester-${tag}@example.com`,
  });
  if (created.status !== 201)
    throw new Error(`seeding B's request: ${created.status} ${JSON.stringify(created.body)}`);
  return {
    params: { requestId: created.body.requestId },
    secrets: [created.body.requestId, name, `b-requester-${tag}@example.com`],
  };
};

/** The directory is the caller's own Entra tenant: a user id names nobody of B's. */
const seedDirectoryObjects: CapabilitySeeder = async () => ({ params: { userId: randomUUID() } });

/** Webhooks: a subscription (its secret is a secret) and a delivery (a ping). */
const seedWebhookObjects: CapabilitySeeder = async (_trellis, b) => {
  const url = `https://hooks.example.com/b-secret-${randomUUID().slice(0, 8)}`;
  const description = 'B secret hook';
  const hook = await b.call('POST', '/api/v1/webhooks', { url, events: ['*'], description });
  if (hook.status !== 201)
    throw new Error(`seeding B's webhook: ${hook.status} ${JSON.stringify(hook.body)}`);
  const ping = await b.call('POST', `/api/v1/webhooks/${hook.body.webhookId}/ping`);
  if (ping.status !== 202)
    throw new Error(`seeding B's delivery: ${ping.status} ${JSON.stringify(ping.body)}`);
  return {
    params: { webhookId: hook.body.webhookId, deliveryId: ping.body.deliveryId },
    secrets: [hook.body.webhookId, hook.body.secret, url, description, ping.body.deliveryId],
  };
};

/**
 * Provisioning: B has no Microsoft 365 connection, so its requests get no run by themselves; give each
 * a failed run (what a run that met an error looks like), with a log line naming a secret.
 */
const seedProvisioningObjects: CapabilitySeeder = async (trellis, b) => {
  const secret = `b-secret-log-${randomUUID().slice(0, 8)}`;
  await trellis.running.db.withTenant(b.tenantId, async (tx) => {
    const requests = await tx
      .selectFrom('requests')
      .select(['request_id', 'template_id', 'template_version'])
      .execute();
    for (const r of requests) {
      const runId = randomUUID();
      await tx
        .insertInto('provisioning_runs')
        .values({
          tenant_id: b.tenantId,
          run_id: runId,
          request_id: r.request_id,
          template_id: r.template_id,
          template_version: r.template_version,
          status: 'failed',
          spec: null,
          team_id: null,
          current_step: null,
          lease_owner: null,
          lease_expires_at: null,
          wake_at: null,
          error: JSON.stringify({
            code: 'step_failed',
            message: secret,
            step: 'create-group',
            graphStatus: null,
            graphCode: null,
            graphRequestId: null,
          }),
          conformance: null,
          cleanup: null,
          started_at: new Date(),
          finished_at: new Date(),
          updated_at: new Date(),
        })
        .execute();
      await tx
        .insertInto('provisioning_log')
        .values({
          tenant_id: b.tenantId,
          run_id: runId,
          level: 'error',
          step: 'create-group',
          message: secret,
          data: null,
        })
        .execute();
    }
  });
  return { secrets: [secret] };
};

/** One seeder per capability; the lead and other capabilities add theirs here. */
export const CAPABILITY_SEEDERS: Record<string, CapabilitySeeder> = {
  platform: seedPlatformObjects,
  templates: seedTemplateObjects,
  requests: seedRequestObjects,
  directory: seedDirectoryObjects,
  webhooks: seedWebhookObjects,
  provisioning: seedProvisioningObjects,
};

/** Runs every capability's seeder for tenant B and merges what they name. */
export async function seedTenantObjects(trellis: TestTrellis, b: TestTenant): Promise<SeededObjects> {
  const out: SeededObjects = { params: {}, secrets: [b.tenantId, b.slug, b.token] };
  for (const [capability, seed] of Object.entries(CAPABILITY_SEEDERS)) {
    const seeded = await seed(trellis, b);
    for (const [name, value] of Object.entries(seeded.params ?? {})) {
      if (out.params[name] !== undefined) throw new Error(`${capability} names path parameter ${name} again`);
      out.params[name] = value;
    }
    out.secrets.push(...(seeded.secrets ?? []));
  }
  return out;
}

/** Every operation of the document, by operationId. */
export const OPERATION_FIXTURES: Record<string, OperationFixture> = {
  // Platform
  getOpenApiDocument: { expect: 'public', statuses: [200] },
  // Network: what the deployment serves and calls, never tenant data
  getNetworkCertificate: { expect: 'public', statuses: [200] },
  listNetworkDomains: { expect: 'public', statuses: [200] },
  startOnboarding: { expect: 'public', statuses: [302, 503], note: 'a redirect to Entra; no tenant data' },
  completeOnboarding: {
    expect: 'public',
    statuses: [400],
    query: (b) => ({ admin_consent: 'True', tenant: b.params.tokenId ?? randomUUID(), state: 'forged' }),
    note: 'without the state issued to this browser, nothing happens',
  },
  getMe: {},
  listMyTeams: {
    expect: 'own-tenant',
    statuses: [400],
    ownStatuses: [400],
    note: "the signed-in user's own teams from Graph; the matrix calls with API tokens, which act for no user",
  },
  // Identity
  listRoleAssignments: {},
  createRoleAssignment: { body: () => ({ principalId: randomUUID(), role: 'requester' }) },
  deleteRoleAssignment: {},
  listGroupRoleMappings: {},
  createGroupRoleMapping: { body: () => ({ groupId: randomUUID(), role: 'requester' }) },
  deleteGroupRoleMapping: {},
  // Tokens
  createToken: { body: () => ({ name: 'matrix', scopes: ['catalog:read'] }) },
  listTokens: {},
  getToken: {},
  revokeToken: {},
  // Audit
  listAuditEvents: {},
  exportAuditEvents: { query: () => ({ format: 'json' }) },
  // <webhooks: operation fixtures>
  listWebhooks: {},
  createWebhook: { body: () => ({ url: 'https://hooks.example.com/a-own', events: ['*'] }) },
  getWebhook: {},
  updateWebhook: { body: () => ({ description: 'Hijack' }) },
  deleteWebhook: {},
  rotateWebhookSecret: {},
  pingWebhook: {},
  listWebhookDeliveries: {},
  getWebhookDelivery: {},
  redeliverWebhookDelivery: {},
  // Templates
  validateTemplate: { body: () => ({ document: { schemaVersion: 1, slug: 'a-check', name: 'A check' } }) },
  createTemplate: {
    body: (b) => ({ document: { schemaVersion: 1, slug: b.params.slug, name: 'A own template' } }),
    note: "B's slug is free in A's tenant: slugs are per tenant",
  },
  listTemplates: {},
  getTemplate: {},
  updateTemplate: { body: (b) => ({ document: { schemaVersion: 1, slug: b.params.slug, name: 'Hijack' } }) },
  setTemplateStatus: { body: () => ({ status: 'disabled' }) },
  listTemplateVersions: {},
  getTemplateVersion: {},
  diffTemplateVersions: { query: () => ({ from: '1' }) },
  rollbackTemplate: { body: () => ({ version: 1 }) },
  putTemplateAsset: {
    body: () => ({ not: 'an image' }),
    expect: 'own-tenant',
    statuses: [400, 404, 415],
    note: 'a JSON body is refused before any lookup; raw uploads to another tenant are covered in templates-api',
  },
  getTemplateAsset: {},
  listCatalog: {},
  getCatalogEntry: {},
  listMetadataFields: {},
  getMetadataField: {},
  createMetadataField: { body: () => ({ key: 'aOwnField', label: 'A own field', type: 'text' }) },
  updateMetadataField: { body: () => ({ label: 'Hijack', type: 'text' }) },
  previewNames: { body: (b) => ({ template: b.params.templateId, name: 'x' }), expect: 'denied' },
  testRule: { body: () => ({ kind: 'audience', expression: 'true', user: 'someone@example.com' }) },
  // <templates: operation fixtures>
  // Requests and approvals
  createRequest: {
    body: (b) => ({ template: b.params.templateId, name: 'x', requester: 'a@example.com' }),
    expect: 'denied',
  },
  validateRequest: {
    body: (b) => ({ template: b.params.templateId, name: 'x', requester: 'a@example.com' }),
    expect: 'denied',
  },
  listRequests: {},
  getRequest: {},
  listRequestActivity: {},
  updateRequest: { body: () => ({ name: 'Hijack' }) },
  submitRequest: {},
  cancelRequest: { body: () => ({ reason: 'Hijack' }) },
  commentRequest: { body: () => ({ text: 'Hijack' }) },
  listPendingApprovals: {},
  approveRequest: { body: () => ({ comment: 'Hijack' }) },
  rejectRequest: { body: () => ({ comment: 'Hijack' }) },
  // <requests: operation fixtures>
  // Directory (A's own Entra tenant; these tenants have none)
  searchDirectoryUsers: { query: () => ({ q: 'b' }), expect: 'own-tenant', statuses: [409] },
  getDirectoryUser: { expect: 'own-tenant', statuses: [404, 409] },
  // <graph: operation fixtures>
  // Provisioning (B's request and template: not found for A)
  getProvisioningRun: {},
  getProvisioningLog: {},
  streamRequestEvents: {},
  getRequestTeam: { ownStatuses: [200, 404], note: 'B’s request has no team until its run completes' },
  retryProvisioning: {},
  cancelProvisioning: { body: () => ({ removeTeam: true }) },
  planTemplate: { body: () => ({ name: 'Hijack' }) },
  captureTemplate: {
    body: () => ({ teamId: randomUUID(), slug: 'a-captured', name: 'A captured' }),
    expect: 'own-tenant',
    statuses: [404, 409],
    note: "captures from the caller's own Microsoft 365 tenant (these tenants have none)",
  },
  // <provisioning: operation fixtures>
  // Teams app package (the deployment's, the same for every tenant: nothing of B's in it)
  getTeamsAppPackage: {
    expect: 'own-tenant',
    statuses: [200, 409],
    note: 'one package per deployment; 409 without Microsoft 365 (this matrix runs without the sandbox)',
  },
  getTeamsAppManifest: {
    expect: 'own-tenant',
    statuses: [200, 409],
    note: 'one manifest per deployment; 409 without Microsoft 365 (this matrix runs without the sandbox)',
  },
  // <teams-app: operation fixtures>
  // Governance (aggregates of the caller's own tenant; B's request names must not show)
  getGovernanceSummary: { query: () => ({ field: 'department', months: '3' }) },
};
