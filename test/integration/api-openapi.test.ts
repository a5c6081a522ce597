import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Validator } from '@seriousme/openapi-schema-validator';
import { DOCS_CSP } from '../../src/api/openapi.ts';
import { startTestTrellis, type TestTrellis } from '../helpers/trellis.ts';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- arbitrary OpenAPI JSON
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;

/** Every operation of the document, with its path and method. */
function operationsOf(doc: Json): { path: string; method: string; op: Json }[] {
  const out: { path: string; method: string; op: Json }[] = [];
  for (const [path, item] of Object.entries<Json>(doc.paths ?? {})) {
    for (const method of METHODS) if (item[method]) out.push({ path, method, op: item[method] });
  }
  return out;
}

const hasSchema = (response: Json | undefined) =>
  !!response && Object.values<Json>(response.content ?? {}).some((media) => media?.schema !== undefined);

/**
 * What every operation must have, whoever wrote it: the document is generated from route schemas,
 * so a route without them shows here. Returns the problems found (empty when all is well).
 */
function auditOperation(path: string, method: string, op: Json): string[] {
  const where = `${method.toUpperCase()} ${path}`;
  const problems: string[] = [];
  if (typeof op.operationId !== 'string' || !op.operationId) problems.push(`${where}: no operationId`);
  if (!Array.isArray(op.tags) || op.tags.length === 0) problems.push(`${where}: no tag`);
  if (typeof op.summary !== 'string' || !op.summary) problems.push(`${where}: no summary`);
  const access = op['x-trellis-access'];
  if (typeof access !== 'string' || access === 'undeclared') problems.push(`${where}: no declared access`);
  if (access !== 'public') {
    const schemes = (op.security ?? []).flatMap((s: Json) => Object.keys(s));
    if (!schemes.includes('apiToken') || !schemes.includes('entra')) {
      problems.push(`${where}: no security requirement although not public`);
    }
  }
  // Input: every path parameter declared with a schema; creating writes carry a body schema.
  const declared = new Map<string, Json>(
    (op.parameters ?? []).filter((p: Json) => p.in === 'path').map((p: Json) => [p.name, p]),
  );
  for (const [, name] of path.matchAll(/\{([^}]+)\}/g)) {
    const p = name ? declared.get(name) : undefined;
    if (!p?.schema?.type && !p?.schema?.format)
      problems.push(`${where}: path parameter ${name} has no schema`);
  }
  for (const p of op.parameters ?? []) {
    if (!p.schema) problems.push(`${where}: parameter ${p.name} has no schema`);
  }
  const hasPathParams = declared.size > 0;
  if (['post', 'put', 'patch'].includes(method) && !hasPathParams) {
    const body = op.requestBody?.content;
    if (!body || !Object.values<Json>(body).some((m) => m?.schema)) {
      problems.push(`${where}: a creating ${method.toUpperCase()} without a request body schema`);
    }
  }
  // Output: a documented success (with a schema unless it has no body) and documented errors.
  const responses: Json = op.responses ?? {};
  const statuses = Object.keys(responses).map(Number);
  const successes = statuses.filter((s) => s >= 200 && s < 400);
  if (successes.length === 0) problems.push(`${where}: no success response`);
  for (const s of successes) {
    if (s !== 204 && s !== 304 && !(s >= 300 && s < 400) && !hasSchema(responses[s])) {
      problems.push(`${where}: success ${s} without a schema`);
    }
  }
  const failures = statuses.filter((s) => s >= 400);
  if (failures.length === 0) problems.push(`${where}: no error responses`);
  for (const s of failures)
    if (!hasSchema(responses[s])) problems.push(`${where}: error ${s} without a schema`);
  if (access !== 'public') {
    for (const s of [401, 403, 429]) if (!responses[s]) problems.push(`${where}: ${s} not documented`);
  }
  return problems;
}

describe('OpenAPI document and reference', () => {
  let trellis: TestTrellis;
  let doc: Json;

  before(async () => {
    trellis = await startTestTrellis();
    const response = await trellis.fetch('/api/v1/openapi.json');
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
    doc = (await response.json()) as Json;
  });
  after(() => trellis.close());

  test('validates as OpenAPI 3.1, with servers, security schemes and tags', async () => {
    const validator = new Validator();
    const result = await validator.validate(structuredClone(doc));
    assert.deepEqual(result.errors ?? [], [], 'no schema errors');
    assert.equal(result.valid, true);
    assert.equal(validator.version, '3.1');
    assert.match(doc.openapi, /^3\.1\./);
    assert.match(doc.servers?.[0]?.url ?? '', /\/api\/v1$/);
    assert.equal(doc.components.securitySchemes.apiToken.scheme, 'bearer');
    assert.equal(doc.components.securitySchemes.entra.bearerFormat, 'JWT');
    const used = new Set(operationsOf(doc).flatMap((o) => o.op.tags ?? []));
    assert.deepEqual(new Set(doc.tags.map((t: Json) => t.name)), used, 'every used tag is listed, no other');
  });

  test('every operation has an operationId, a tag, request and response schemas, and security unless public', () => {
    const operations = operationsOf(doc);
    assert.ok(operations.length >= 15, `the platform's own operations at least (${operations.length})`);
    const problems = operations.flatMap(({ path, method, op }) => auditOperation(path, method, op));
    assert.deepEqual(problems, []);
    const ids = operations.map((o) => o.op.operationId);
    assert.equal(new Set(ids).size, ids.length, 'operationIds are unique');
    assert.ok(
      !Object.keys(doc.paths).some((p) => p.startsWith('/api/')),
      'paths are relative to the server URL',
    );
    assert.ok(!JSON.stringify(doc.paths).includes('/healthz'), 'routes outside /api/v1 are not documented');
  });

  test('errors are documented as problem documents', () => {
    const op = doc.paths['/tokens/{tokenId}'].get;
    assert.ok(op.responses['404'].content['application/problem+json'].schema);
    assert.equal(op.responses['404'].content['application/json'], undefined);
    assert.equal(doc.paths['/openapi.json'].get['x-trellis-access'], 'public');
    assert.deepEqual(doc.paths['/openapi.json'].get.security, []);
  });

  test('the audit helper itself catches a route without schemas', () => {
    const bare = {
      operationId: 'x',
      tags: ['X'],
      summary: 's',
      'x-trellis-access': 'audit:read',
      responses: {},
    };
    const problems = auditOperation('/things/{thingId}', 'post', bare);
    assert.ok(problems.some((p) => p.includes('no security')));
    assert.ok(problems.some((p) => p.includes('path parameter thingId')));
    assert.ok(problems.some((p) => p.includes('no success response')));
    assert.ok(problems.some((p) => p.includes('no error responses')));
    assert.ok(auditOperation('/things', 'post', bare).some((p) => p.includes('without a request body')));
  });

  test('/api/docs serves the reference from local assets under its own strict CSP', async () => {
    const page = await trellis.fetch('/api/docs/');
    assert.equal(page.status, 200);
    const html = await page.text();
    assert.equal(page.headers.get('content-security-policy'), DOCS_CSP);
    assert.doesNotMatch(html, /https?:\/\//, 'no external resources');
    assert.doesNotMatch(html, /<script>(?!\s*<)/, 'no inline script');
    const scripts = [...html.matchAll(/<script src="([^"]+)"/g)].map((m) => m[1] ?? '');
    assert.ok(scripts.length >= 3);
    for (const src of scripts) {
      const asset = await trellis.fetch(new URL(src, `${trellis.url}/api/docs/`).pathname);
      assert.equal(asset.status, 200, src);
      assert.match(asset.headers.get('content-type') ?? '', /javascript/);
      await asset.arrayBuffer();
    }
    const json = await trellis.fetch('/api/docs/json');
    assert.equal(json.status, 200);
    assert.equal(((await json.json()) as Json).openapi, doc.openapi);
    // The global policy is untouched elsewhere.
    const home = await trellis.fetch('/api/v1/openapi.json');
    assert.match(home.headers.get('content-security-policy') ?? '', /default-src 'none'/);
    await home.arrayBuffer();
  });
});
