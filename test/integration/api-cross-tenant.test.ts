import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type ApiResult, createTestTenant, type TestTenant } from '../helpers/api.ts';
import {
  OPERATION_FIXTURES,
  type SeededObjects,
  seedTenantObjects,
} from '../helpers/cross-tenant-fixtures.ts';
import { startTestTrellis, type TestTrellis } from '../helpers/trellis.ts';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- arbitrary OpenAPI JSON
interface Operation {
  path: string;
  method: string;
  id: string;
  access: string;
  hasBody: boolean;
  pathParams: string[];
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

function operationsOf(doc: Json): Operation[] {
  const out: Operation[] = [];
  for (const [path, item] of Object.entries<Json>(doc.paths)) {
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      out.push({
        path,
        method: method.toUpperCase(),
        id: op.operationId,
        access: op['x-trellis-access'],
        hasBody: op.requestBody !== undefined,
        pathParams: [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1] ?? ''),
      });
    }
  }
  return out;
}

/** Strings of B that the answer contains although A did not send them. */
function leaks(result: ApiResult, sent: string, b: SeededObjects): string[] {
  const seen = `${JSON.stringify(result.body)} ${[...result.headers.entries()].map(([k, v]) => `${k}: ${v}`).join('\n')}`;
  return b.secrets.filter((s) => s && !sent.includes(s) && seen.includes(s));
}

describe('cross-tenant matrix: every operation, called by tenant A on tenant B, is refused and leaks nothing', () => {
  let trellis: TestTrellis;
  let a: TestTenant;
  let b: TestTenant;
  let objects: SeededObjects;
  let operations: Operation[];

  before(async () => {
    trellis = await startTestTrellis();
    a = await createTestTenant(trellis);
    b = await createTestTenant(trellis);
    objects = await seedTenantObjects(trellis, b);
    const doc = (await (await trellis.fetch('/api/v1/openapi.json')).json()) as Json;
    operations = operationsOf(doc);
  });
  after(() => trellis.close());

  test('every operation of the document has a fixture (new routes cannot escape the matrix)', () => {
    const missing: string[] = [];
    for (const op of operations) {
      const fixture = OPERATION_FIXTURES[op.id];
      if (!fixture) missing.push(`${op.id} (${op.method} ${op.path}): no OPERATION_FIXTURES entry`);
      for (const name of op.pathParams) {
        if (objects.params[name] === undefined)
          missing.push(`${op.id}: no seeded object for path parameter ${name}`);
      }
      if (op.hasBody && fixture && !fixture.body)
        missing.push(`${op.id}: takes a body but its fixture has none`);
      if (op.access === 'public' && fixture && fixture.expect !== 'public') {
        missing.push(`${op.id}: public in the document but not in the fixtures`);
      }
    }
    assert.deepEqual(missing, []);
  });

  test('B sees its own objects (the fixtures name real things)', async () => {
    for (const op of operations.filter((o) => o.method === 'GET' && o.pathParams.length > 0)) {
      if (!op.pathParams.every((p) => objects.params[p] !== undefined)) continue;
      const fixture = OPERATION_FIXTURES[op.id];
      // Operations on the caller's own directory name nothing of B's.
      if (fixture?.expect === 'own-tenant') continue;
      const path = op.path.replace(/\{([^}]+)\}/g, (_m, name: string) =>
        encodeURIComponent(objects.params[name] ?? ''),
      );
      const query = fixture?.query ? `?${new URLSearchParams(fixture.query(objects))}` : '';
      const own = await b.call('GET', `/api/v1${path}${query}`);
      assert.ok(
        (fixture?.ownStatuses ?? [200]).includes(own.status),
        `${op.id} for B itself: ${own.status} ${JSON.stringify(own.body)}`,
      );
    }
  });

  test('A gets 403/404 on B’s objects, only its own data in listings, and never a trace of B', async () => {
    const failures: string[] = [];
    let checked = 0;
    for (const op of operations) {
      const fixture = OPERATION_FIXTURES[op.id];
      if (!fixture || !op.pathParams.every((p) => objects.params[p] !== undefined)) continue;
      if (op.hasBody && !fixture.body) continue;
      const path = op.path.replace(/\{([^}]+)\}/g, (_m, name: string) =>
        encodeURIComponent(objects.params[name] ?? ''),
      );
      const query = fixture.query ? `?${new URLSearchParams(fixture.query(objects))}` : '';
      const body = fixture.body?.(objects);
      const result = await a.call(op.method, `/api/v1${path}${query}`, body);
      checked++;
      const expect = fixture.expect ?? (op.pathParams.length > 0 ? 'denied' : 'own-tenant');
      const where = `${op.id} (${op.method} ${op.path})`;
      let allowed: (s: number) => boolean;
      if (expect === 'denied') allowed = (s) => s === 403 || s === 404;
      else if (expect === 'public') allowed = (s) => (fixture.statuses ?? [200]).includes(s);
      else if (fixture.statuses) allowed = (s) => (fixture.statuses ?? []).includes(s);
      else if (op.method === 'GET') allowed = (s) => s === 200;
      else allowed = (s) => s < 500;
      if (!allowed(result.status))
        failures.push(`${where}: HTTP ${result.status} ${JSON.stringify(result.body).slice(0, 300)}`);
      const leaked = leaks(result, `${path}${query}${JSON.stringify(body ?? null)}`, objects);
      if (leaked.length > 0) failures.push(`${where}: answer contains B's ${leaked.join(', ')}`);
    }
    assert.ok(checked >= 14, `operations checked: ${checked}`);
    assert.deepEqual(failures, []);
  });

  test('B’s objects survived A’s attempts', async () => {
    const token = await b.call('GET', `/api/v1/tokens/${objects.params.tokenId}`);
    assert.equal(token.body.status, 'active');
    const assignments = await b.call('GET', '/api/v1/roles/assignments');
    assert.ok(assignments.body.items.some((x: Json) => x.assignmentId === objects.params.assignmentId));
    const mappings = await b.call('GET', '/api/v1/roles/group-mappings');
    assert.ok(mappings.body.items.some((x: Json) => x.mappingId === objects.params.mappingId));
  });
});
