import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CONTOSO_TENANT_ID, seededId } from '../../sandbox/state/seed-contoso.ts';
import { createTestTenant, type TestTenant } from '../helpers/api.ts';
import { startTestTrellis, type TestTrellis } from '../helpers/trellis.ts';

/*
 * The people picker over the real stack: Trellis with the embedded sandbox (Contoso), an API token
 * of a tenant connected to Contoso's Entra tenant, and one that is not connected.
 */

let trellis: TestTrellis;
let connected: TestTenant;
let unconnected: TestTenant;

const DIRECTORY_USER_KEYS = [
  'accountEnabled',
  'companyName',
  'country',
  'department',
  'displayName',
  'givenName',
  'id',
  'jobTitle',
  'mail',
  'officeLocation',
  'preferredLanguage',
  'surname',
  'usageLocation',
  'userPrincipalName',
  'userType',
];

before(async () => {
  trellis = await startTestTrellis({}, { sandbox: true });
  connected = await createTestTenant(trellis, { entraTenantId: CONTOSO_TENANT_ID, scopes: ['catalog:read'] });
  unconnected = await createTestTenant(trellis, { scopes: ['catalog:read'] });
});

after(async () => {
  await trellis?.close();
});

describe('people picker API', () => {
  test('GET /directory/users?q= finds people by the start of their name, mail or UPN', async () => {
    const res = await connected.call('GET', '/api/v1/directory/users?q=meg');
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.nextCursor, null);
    assert.deepEqual(
      res.body.items.map((u: { displayName: string }) => u.displayName),
      ['Megan Bowen'],
    );
    assert.deepEqual(Object.keys(res.body.items[0]).sort(), DIRECTORY_USER_KEYS);
    const limited = await connected.call('GET', '/api/v1/directory/users?q=a&limit=2');
    assert.equal(limited.status, 200);
    assert.equal(limited.body.items.length, 2);
  });

  test('GET /directory/users/{userId} reads one person by id or UPN; unknown is 404', async () => {
    const id = seededId('contoso:user:lee.gu');
    const byId = await connected.call('GET', `/api/v1/directory/users/${id}`);
    assert.equal(byId.status, 200);
    assert.equal(byId.body.userPrincipalName, 'lee.gu@contoso.onmicrosoft.com');
    assert.equal(byId.body.jobTitle, 'VP Engineering');
    const byUpn = await connected.call('GET', '/api/v1/directory/users/lee.gu%40contoso.onmicrosoft.com');
    assert.equal(byUpn.status, 200);
    assert.equal(byUpn.body.id, id);
    const missing = await connected.call('GET', '/api/v1/directory/users/nobody%40contoso.onmicrosoft.com');
    assert.equal(missing.status, 404);
    assert.equal(missing.body.code, 'not_found');
  });

  test('bad input is a 400, and a tenant without an Entra tenant gets a clear 409', async () => {
    assert.equal((await connected.call('GET', '/api/v1/directory/users')).status, 400);
    assert.equal((await connected.call('GET', '/api/v1/directory/users?q=a&limit=500')).status, 400);
    const res = await unconnected.call('GET', '/api/v1/directory/users?q=meg');
    assert.equal(res.status, 409);
    assert.equal(res.body.code, 'conflict');
    assert.match(res.body.detail, /Entra/);
    assert.equal(
      (await unconnected.call('GET', `/api/v1/directory/users/${seededId('contoso:user:lee.gu')}`)).status,
      409,
    );
  });

  test('without a credential the directory is not readable', async () => {
    const res = await trellis.fetch('/api/v1/directory/users?q=meg');
    assert.equal(res.status, 401);
  });
});
