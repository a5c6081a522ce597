import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { listAudit } from '../../src/audit/index.ts';
import { CONTOSO_TENANT_ID, FABRIKAM_TENANT_ID, seededId } from '../../sandbox/state/seed-contoso.ts';
import { callApi } from '../helpers/api.ts';
import { startTestTrellis, type TestTrellis } from '../helpers/trellis.ts';
import { formOf, getUserToken, sandboxClient, signInAs, type TestUser } from '../helpers/user-token.ts';

const contoso = (nick: string) => `${nick}@contoso.onmicrosoft.com`;
const fabrikam = (nick: string) => `${nick}@fabrikam.onmicrosoft.com`;

describe('Entra users on the API: tenants, roles, onboarding by admin consent', () => {
  let trellis: TestTrellis;
  let admin: TestUser;
  let tenantId: string;

  before(async () => {
    // The sandbox registers Trellis's redirect URIs on the embedded default origin.
    trellis = await startTestTrellis({ PUBLIC_URL: 'https://localhost:8443' }, { sandbox: true });
    admin = await signInAs(trellis, contoso('cameron.white'));
    const row = await trellis.running.db.withPlatform((tx) =>
      tx
        .selectFrom('tenants')
        .selectAll()
        .where('entra_tenant_id', '=', CONTOSO_TENANT_ID)
        .executeTakeFirstOrThrow(),
    );
    tenantId = row.tenant_id;
  });
  after(() => trellis.close());

  test('the embedded demo onboards Contoso once, as slug contoso', async () => {
    const rows = await trellis.running.db.withPlatform((tx) =>
      tx
        .selectFrom('tenants')
        .select(['slug', 'display_name'])
        .where('entra_tenant_id', '=', CONTOSO_TENANT_ID)
        .execute(),
    );
    assert.deepEqual(rows, [{ slug: 'contoso', display_name: 'Contoso' }]);
    const again = await trellis.running.domain.identity.onboard({
      entraTenantId: CONTOSO_TENANT_ID,
      actor: { type: 'system', id: 'test' },
    });
    assert.equal(again.created, false);
    assert.equal(again.tenantId, tenantId);
  });

  test('a user token authenticates; Entra app roles become Trellis roles; the user is recorded', async () => {
    const me = await admin.call('GET', '/api/v1/me');
    assert.equal(me.status, 200, JSON.stringify(me.body));
    assert.equal(me.body.tenant.slug, 'contoso');
    assert.equal(me.body.principal.kind, 'user');
    assert.equal(me.body.principal.id, seededId('contoso:user:cameron.white'));
    assert.equal(me.body.principal.userPrincipalName, contoso('cameron.white'));
    assert.deepEqual(new Set(me.body.roles), new Set(['requester', 'tenant_admin']));
    assert.ok(me.body.scopes.includes('roles:manage'));

    const manager = await signInAs(trellis, contoso('lynne.robbins'));
    const managerMe = await manager.call('GET', '/api/v1/me');
    assert.deepEqual(new Set(managerMe.body.roles), new Set(['requester', 'catalog_manager']));
    assert.ok(managerMe.body.scopes.includes('templates:write'));
    assert.ok(!managerMe.body.scopes.includes('tokens:manage'));

    const users = await trellis.running.db.withTenant(tenantId, (tx) =>
      tx.selectFrom('users').select(['user_id', 'upn']).orderBy('upn').execute(),
    );
    assert.deepEqual(
      users.map((u) => u.upn),
      [contoso('cameron.white'), contoso('lynne.robbins')],
    );
  });

  test('a plain user is a requester: scopes are enforced on user tokens', async () => {
    const adele = await signInAs(trellis, contoso('adele.vance'));
    const me = await adele.call('GET', '/api/v1/me');
    assert.deepEqual(me.body.roles, ['requester']);
    const denied = await adele.call('POST', '/api/v1/tokens', { name: 'x', scopes: ['catalog:read'] });
    assert.equal(denied.status, 403);
    assert.equal(denied.body.code, 'forbidden');
    assert.equal((await adele.call('GET', '/api/v1/audit')).status, 403);
  });

  test('roles assigned in Trellis apply at once, and are audited', async () => {
    const adeleId = seededId('contoso:user:adele.vance');
    const adele = await signInAs(trellis, contoso('adele.vance'));
    assert.deepEqual((await adele.call('GET', '/api/v1/me')).body.roles, ['requester']);
    const created = await admin.call('POST', '/api/v1/roles/assignments', {
      principalId: adeleId,
      role: 'approver',
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.headers.get('location'), `/api/v1/roles/assignments/${created.body.assignmentId}`);
    assert.deepEqual(
      new Set((await adele.call('GET', '/api/v1/me')).body.roles),
      new Set(['requester', 'approver']),
    );
    const duplicate = await admin.call('POST', '/api/v1/roles/assignments', {
      principalId: adeleId,
      role: 'approver',
    });
    assert.equal(duplicate.status, 409);
    const listed = await admin.call('GET', '/api/v1/roles/assignments');
    assert.deepEqual(
      listed.body.items.map((a: { principalId: string }) => a.principalId),
      [adeleId],
    );
    assert.equal(
      (await admin.call('DELETE', `/api/v1/roles/assignments/${created.body.assignmentId}`)).status,
      204,
    );
    assert.deepEqual((await adele.call('GET', '/api/v1/me')).body.roles, ['requester']);
    const trail = await listAudit(trellis.running.db, tenantId, { action: 'role.*' });
    assert.deepEqual(
      trail.events.map((e) => e.action),
      ['role.unassigned', 'role.assigned'],
    );
    assert.equal(trail.events[1]?.actor.id, seededId('contoso:user:cameron.white'));
  });

  test('a group mapping gives its members the role (memberships read through Graph)', async () => {
    const nestor = await signInAs(trellis, contoso('nestor.wilke'));
    assert.deepEqual((await nestor.call('GET', '/api/v1/me')).body.roles, ['requester']);
    const mapping = await admin.call('POST', '/api/v1/roles/group-mappings', {
      groupId: seededId('contoso:group:marketing'),
      role: 'governance_admin',
    });
    assert.equal(mapping.status, 201, JSON.stringify(mapping.body));
    const me = await nestor.call('GET', '/api/v1/me');
    assert.deepEqual(new Set(me.body.roles), new Set(['requester', 'governance_admin']));
    assert.ok(me.body.scopes.includes('audit:read'));
    const outsider = await signInAs(trellis, contoso('kenji.tanaka'));
    assert.deepEqual((await outsider.call('GET', '/api/v1/me')).body.roles, ['requester']);
    await admin.call('DELETE', `/api/v1/roles/group-mappings/${mapping.body.mappingId}`);
    assert.deepEqual((await nestor.call('GET', '/api/v1/me')).body.roles, ['requester']);
  });

  test('nobody grants a role beyond their own scopes', async () => {
    const manager = await signInAs(trellis, contoso('lynne.robbins'));
    // A catalog manager lacks roles:manage altogether …
    assert.equal(
      (
        await manager.call('POST', '/api/v1/roles/assignments', {
          principalId: seededId('x'),
          role: 'tenant_admin',
        })
      ).status,
      403,
    );
    // … and a token with roles:manage but few scopes cannot hand out tenant_admin.
    const narrow = await admin.call('POST', '/api/v1/tokens', { name: 'narrow', scopes: ['roles:manage'] });
    assert.equal(narrow.status, 201);
    const escalate = await callApi(trellis, narrow.body.token, 'POST', '/api/v1/roles/assignments', {
      principalId: seededId('contoso:user:adele.vance'),
      role: 'tenant_admin',
    });
    assert.equal(escalate.status, 403);
    assert.match(escalate.body.detail, /scopes you do not hold/);
  });

  test('bad or foreign tokens are refused with 401', async () => {
    const garbage = await callApi(trellis, 'eyJhbGciOiJSUzI1NiJ9.e30.c2ln', 'GET', '/api/v1/me');
    assert.equal(garbage.status, 401);
    const none = await callApi(trellis, undefined, 'GET', '/api/v1/me');
    assert.equal(none.status, 401);
  });

  test('a user of a tenant that has not onboarded gets 403 naming the onboarding', async () => {
    const tom = await getUserToken(trellis, fabrikam('tom.harris'));
    const refused = await callApi(trellis, tom, 'GET', '/api/v1/me');
    assert.equal(refused.status, 403);
    assert.match(refused.body.detail, /not onboarded/);
    assert.match(refused.body.detail, /onboarding\/consent/);
  });

  test('onboarding by admin consent: non-admins and cancels are refused, a global admin onboards Fabrikam once', async () => {
    const client = await sandboxClient(trellis);
    try {
      /** Starts at Trellis, signs `upn` in at the sandbox, answers the consent, returns to Trellis. */
      const consentAs = async (upn: string, answer: 'accept' | 'cancel') => {
        const start = await trellis.fetch('/api/v1/onboarding/consent', { redirect: 'manual' });
        assert.equal(start.status, 302);
        const cookie = (start.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
        assert.match(cookie, /^__Host-trellis-consent=/);
        const entra = new URL(start.headers.get('location') ?? '');
        assert.equal(entra.pathname, '/organizations/adminconsent');
        assert.equal(
          entra.searchParams.get('redirect_uri'),
          'https://localhost:8443/api/v1/onboarding/callback',
        );
        const picker = await client.fetch(entra.toString());
        assert.equal(picker.status, 200);
        const form = formOf(await picker.text());
        const post = (fields: Record<string, string>) =>
          client.fetch(form.action, {
            method: 'POST',
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            body: new URLSearchParams(fields).toString(),
          });
        const consentPage = await post({ ...form.fields, login: upn });
        assert.equal(consentPage.status, 200);
        const consentForm = formOf(await consentPage.text());
        const answered = await post({ ...consentForm.fields, consent: answer });
        assert.equal(answered.status, 302);
        const back = new URL(answered.headers.get('location') ?? '');
        assert.equal(back.origin, 'https://localhost:8443');
        // The browser would follow to the public URL; the test's Trellis listens on another port.
        const callback = `${back.pathname}${back.search}`;
        const landed = await trellis.fetch(callback, { headers: { cookie } });
        return {
          back: back.searchParams,
          status: landed.status,
          html: await landed.text(),
          callback,
          cookie,
        };
      };

      const notAdmin = await consentAs(fabrikam('jan.novak'), 'accept');
      assert.equal(notAdmin.back.get('error'), 'access_denied');
      assert.match(notAdmin.back.get('error_description') ?? '', /AADSTS90094/);
      assert.equal(notAdmin.status, 403);

      const cancelled = await consentAs(fabrikam('tom.harris'), 'cancel');
      assert.equal(cancelled.back.get('error_subcode'), 'cancel');
      assert.equal(cancelled.status, 403);

      const granted = await consentAs(fabrikam('tom.harris'), 'accept');
      assert.equal(granted.back.get('admin_consent'), 'True');
      assert.equal(granted.back.get('tenant'), FABRIKAM_TENANT_ID);
      assert.equal(granted.status, 200, granted.html);
      assert.match(granted.html, /is now onboarded/);

      const replay = await trellis.fetch(granted.callback, { headers: { cookie: granted.cookie } });
      assert.equal(replay.status, 400, 'a state is used once');
      await replay.arrayBuffer();

      const created = await trellis.running.db.withPlatform((tx) =>
        tx.selectFrom('tenants').selectAll().where('entra_tenant_id', '=', FABRIKAM_TENANT_ID).execute(),
      );
      assert.equal(created.length, 1);
      const fabrikamTenant = created[0]?.tenant_id ?? '';
      const trail = await listAudit(trellis.running.db, fabrikamTenant, { action: 'tenant.onboarded' });
      assert.equal(trail.events.length, 1);

      const tom = await signInAs(trellis, fabrikam('tom.harris'));
      const me = await tom.call('GET', '/api/v1/me');
      assert.equal(me.status, 200, JSON.stringify(me.body));
      assert.equal(me.body.tenant.tenantId, fabrikamTenant);
      assert.deepEqual(me.body.roles, ['requester']);
    } finally {
      await client.close();
    }
  });

  test('a callback without the browser cookie is refused', async () => {
    const start = await trellis.fetch('/api/v1/onboarding/consent', { redirect: 'manual' });
    const state = new URL(start.headers.get('location') ?? '').searchParams.get('state') ?? '';
    await start.arrayBuffer();
    const forged = await trellis.fetch(
      `/api/v1/onboarding/callback?admin_consent=True&tenant=${CONTOSO_TENANT_ID}&state=${state}`,
    );
    assert.equal(forged.status, 400);
    await forged.arrayBuffer();
  });
});
