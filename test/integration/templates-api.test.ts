import assert from 'node:assert/strict';
import { deflateSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import { listAudit } from '../../src/audit/index.ts';
import { createTestTenant, type TestTenant } from '../helpers/api.ts';
import { startTestTrellis, type TestTrellis } from '../helpers/trellis.ts';

const doc = (extra: Record<string, unknown> = {}) => ({
  schemaVersion: 1,
  slug: 'project',
  name: 'Project',
  description: 'Delivery team',
  category: 'Projects',
  tags: ['delivery'],
  channels: [{ displayName: 'Planning' }],
  naming: { displayName: 'PRJ - {{ request.name }}' },
  ...extra,
});

/** A real (tiny) PNG: signature, IHDR, IDAT, IEND; `red` varies the pixel. */
function png(red = 255): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    return Buffer.concat([len, Buffer.from(type), data, Buffer.alloc(4)]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(1, 0);
  ihdr.writeUInt32BE(1, 4);
  ihdr[8] = 8;
  ihdr[9] = 2;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.from([0, red, 0, 0]))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

describe('templates API', () => {
  let trellis: TestTrellis;
  let acme: TestTenant;
  let globex: TestTenant;
  let reader: TestTenant;
  let templateId: string;

  before(async () => {
    trellis = await startTestTrellis();
    acme = await createTestTenant(trellis);
    globex = await createTestTenant(trellis);
  });
  after(() => trellis.close());

  test('the JSON Schema is public at /schemas/template.v1.json', async () => {
    const response = await trellis.fetch('/schemas/template.v1.json');
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^application\/schema\+json/);
    const schema = (await response.json()) as { $id: string; properties: Record<string, unknown> };
    assert.equal(schema.$id, 'urn:trellis:schema:template:v1');
    assert.ok(schema.properties['approval']);
  });

  test('create: 201 with Location, version 1, defaults filled; invalid documents list every issue', async () => {
    const created = await acme.call('POST', '/api/v1/templates', { document: doc(), comment: 'first' });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    templateId = created.body.templateId;
    assert.equal(created.headers.get('location'), `/api/v1/templates/${templateId}`);
    assert.equal(created.body.currentVersion, 1);
    assert.equal(created.body.document.approval.expireAfterDays, 14);
    assert.equal(created.body.status, 'active');

    const duplicate = await acme.call('POST', '/api/v1/templates', { document: doc() });
    assert.equal(duplicate.status, 409);

    const invalid = await acme.call('POST', '/api/v1/templates', {
      document: doc({
        slug: 'other',
        channels: [{ displayName: 'General' }],
        audience: { rule: 'user.nope' },
      }),
    });
    assert.equal(invalid.status, 400);
    assert.equal(invalid.body.code, 'validation_failed');
    const paths = (invalid.body.errors.issues as { path: string }[]).map((i) => i.path);
    assert.deepEqual(paths.sort(), ['/audience/rule', '/channels/0/displayName']);

    const validate = await acme.call('POST', '/api/v1/templates/validate', { document: doc({ slug: 'x' }) });
    assert.equal(validate.status, 200);
    assert.equal(validate.body.valid, true);
  });

  test('update makes a new version only when the document changes; If-Match and baseVersion guard it', async () => {
    const same = await acme.call('PUT', `/api/v1/templates/${templateId}`, { document: doc() });
    assert.equal(same.status, 200);
    assert.equal(same.body.changed, false);
    assert.equal(same.body.template.currentVersion, 1);

    const v2 = await acme.call(
      'PUT',
      `/api/v1/templates/${templateId}`,
      {
        document: doc({ channels: [{ displayName: 'Planning' }, { displayName: 'Design' }] }),
        comment: 'design',
      },
      { 'if-match': '"1"' },
    );
    assert.equal(v2.status, 200, JSON.stringify(v2.body));
    assert.equal(v2.body.changed, true);
    assert.equal(v2.body.template.currentVersion, 2);
    assert.equal(v2.headers.get('etag'), '"2"');
    assert.ok(v2.body.diff.summary.includes('channel added: Design'));

    const stale = await acme.call(
      'PUT',
      `/api/v1/templates/${templateId}`,
      { document: doc({ name: 'Lost update' }) },
      { 'if-match': '"1"' },
    );
    assert.equal(stale.status, 409);
    const staleBody = await acme.call('PUT', `/api/v1/templates/${templateId}`, {
      document: doc({ name: 'Lost update' }),
      baseVersion: 1,
    });
    assert.equal(staleBody.status, 409);
    const current = await acme.call('GET', `/api/v1/templates/${templateId}`);
    assert.equal(current.body.name, 'Project');
    assert.equal(current.body.currentVersion, 2);

    const v3 = await acme.call('PUT', `/api/v1/templates/${templateId}`, {
      document: doc({ name: 'Project X', team: { visibility: 'public' } }),
      baseVersion: 2,
    });
    assert.equal(v3.body.template.currentVersion, 3);
  });

  test('versions, one version, diff as JSON Patch, rollback as a new version', async () => {
    const versions = await acme.call('GET', `/api/v1/templates/${templateId}/versions?limit=2`);
    assert.equal(versions.status, 200);
    assert.deepEqual(
      versions.body.items.map((v: { version: number }) => v.version),
      [3, 2],
    );
    assert.ok(versions.body.nextCursor);
    const rest = await acme.call(
      'GET',
      `/api/v1/templates/${templateId}/versions?cursor=${encodeURIComponent(versions.body.nextCursor)}`,
    );
    assert.deepEqual(
      rest.body.items.map((v: { version: number; comment: string | null }) => [v.version, v.comment]),
      [[1, 'first']],
    );

    const v1 = await acme.call('GET', `/api/v1/templates/${templateId}/versions/1`);
    assert.equal(v1.body.document.channels.length, 1);

    const diff = await acme.call('GET', `/api/v1/templates/${templateId}/diff?from=1&to=3`);
    assert.equal(diff.status, 200);
    const ops = diff.body.patch.map((o: { op: string; path: string }) => `${o.op} ${o.path}`);
    assert.ok(ops.includes('replace /name'), ops.join(', '));
    assert.ok(ops.includes('replace /team/visibility'), ops.join(', '));
    assert.ok(diff.body.summary.includes('visibility changed from private to public'));
    const removed = await acme.call('GET', `/api/v1/templates/${templateId}/diff?from=2&to=3`);
    assert.ok(
      removed.body.patch.some(
        (o: { op: string; path: string }) => o.op === 'remove' && o.path === '/channels/1',
      ),
      JSON.stringify(removed.body.patch),
    );
    assert.ok(removed.body.summary.includes('channel removed: Design'));

    const rollback = await acme.call('POST', `/api/v1/templates/${templateId}/rollback`, { version: 1 });
    assert.equal(rollback.status, 200, JSON.stringify(rollback.body));
    assert.equal(rollback.body.template.currentVersion, 4);
    assert.deepEqual(rollback.body.template.document, v1.body.document);
    const history = await acme.call('GET', `/api/v1/templates/${templateId}/versions`);
    assert.equal(history.body.items[0].comment, 'Rollback to version 1');
    const noop = await acme.call('GET', `/api/v1/templates/${templateId}/diff?from=1&to=4`);
    assert.deepEqual(noop.body.patch, []);
  });

  test('every change is audited', async () => {
    const page = await listAudit(trellis.running.db, acme.tenantId, { targetId: templateId });
    const actions = page.events.map((e) => e.action).sort();
    assert.deepEqual(actions, [
      'template.created',
      'template.rolled_back',
      'template.version_published',
      'template.version_published',
    ]);
  });

  test('assets: upload (magic bytes checked), download with safe headers, old versions keep theirs', async () => {
    const image = png();
    const put = await trellis.fetch(`/api/v1/templates/${templateId}/assets/icon.png`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${acme.token}`, 'content-type': 'image/png' },
      body: image,
    });
    const putBody = (await put.json()) as {
      template: { currentVersion: number; assets: { name: string }[] };
    };
    assert.equal(put.status, 200, JSON.stringify(putBody));
    const withIcon = putBody.template.currentVersion;
    assert.deepEqual(
      putBody.template.assets.map((a) => a.name),
      ['icon.png'],
    );

    const fake = await trellis.fetch(`/api/v1/templates/${templateId}/assets/evil.png`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${acme.token}`, 'content-type': 'image/png' },
      body: '<svg onload="alert(1)"></svg>',
    });
    assert.equal(fake.status, 400);
    const svg = await trellis.fetch(`/api/v1/templates/${templateId}/assets/x.svg`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${acme.token}`, 'content-type': 'application/octet-stream' },
      body: '<svg/>',
    });
    assert.equal(svg.status, 400);
    const tooBig = await trellis.fetch(`/api/v1/templates/${templateId}/assets/big.png`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${acme.token}`, 'content-type': 'image/png' },
      body: Buffer.concat([image, Buffer.alloc(6 * 1024 * 1024)]),
    });
    assert.equal(tooBig.status, 413);

    const get = await trellis.fetch(`/api/v1/templates/${templateId}/assets/icon.png`, {
      headers: { authorization: `Bearer ${acme.token}` },
    });
    assert.equal(get.status, 200);
    assert.equal(get.headers.get('content-type'), 'image/png');
    assert.equal(get.headers.get('x-content-type-options'), 'nosniff');
    assert.deepEqual(Buffer.from(await get.arrayBuffer()), image);

    const notes = Buffer.from('# Notes\n');
    const md = await trellis.fetch(`/api/v1/templates/${templateId}/assets/notes.md`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${acme.token}`, 'content-type': 'text/markdown' },
      body: notes,
    });
    assert.equal(md.status, 200);
    const download = await trellis.fetch(`/api/v1/templates/${templateId}/assets/notes.md`, {
      headers: { authorization: `Bearer ${acme.token}` },
    });
    assert.match(download.headers.get('content-disposition') ?? '', /^attachment; filename="notes.md"/);

    // A new icon: the version that named the old one still serves the old bytes.
    const other = png(7);
    await trellis.fetch(`/api/v1/templates/${templateId}/assets/icon.png`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${acme.token}`, 'content-type': 'image/png' },
      body: other,
    });
    const old = await trellis.fetch(`/api/v1/templates/${templateId}/assets/icon.png?version=${withIcon}`, {
      headers: { authorization: `Bearer ${acme.token}` },
    });
    assert.deepEqual(Buffer.from(await old.arrayBuffer()), image);
    const latest = await trellis.fetch(`/api/v1/templates/${templateId}/assets/icon.png`, {
      headers: { authorization: `Bearer ${acme.token}` },
    });
    assert.deepEqual(Buffer.from(await latest.arrayBuffer()), other);
  });

  test('metadata fields: CRUD, validation, and template references checked at save time', async () => {
    const field = {
      key: 'costCenter',
      label: 'Cost center',
      type: 'text',
      required: true,
      validation: { pattern: 'CC-[0-9]{4}' },
    };
    const created = await acme.call('POST', '/api/v1/metadata-fields', field);
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.headers.get('location'), '/api/v1/metadata-fields/costCenter');
    assert.equal((await acme.call('POST', '/api/v1/metadata-fields', field)).status, 409);
    const unsafe = await acme.call('POST', '/api/v1/metadata-fields', {
      ...field,
      key: 'bad',
      validation: { pattern: '(a+)+' },
    });
    assert.equal(unsafe.status, 400);

    const list = await acme.call('GET', '/api/v1/metadata-fields');
    assert.deepEqual(
      list.body.items.map((f: { key: string }) => f.key),
      ['costCenter'],
    );

    const bad = await acme.call('POST', '/api/v1/templates', {
      document: doc({ slug: 'refs', metadataFieldRefs: ['nope'] }),
    });
    assert.equal(bad.status, 400);
    const good = await acme.call('POST', '/api/v1/templates', {
      document: doc({
        slug: 'refs',
        metadataFieldRefs: ['costCenter'],
        naming: { displayName: '{{ metadata.costCenter }} {{ request.name }}' },
      }),
    });
    assert.equal(good.status, 201, JSON.stringify(good.body));

    const template = await trellis.running.domain.templates.getForRequest(acme.tenantId, 'refs');
    const values = await trellis.running.domain.templates.validateMetadata(
      acme.tenantId,
      template.document,
      { costCenter: 'CC-1234' },
      null,
    );
    assert.deepEqual(values, { costCenter: 'CC-1234' });
    await assert.rejects(
      trellis.running.domain.templates.validateMetadata(
        acme.tenantId,
        template.document,
        { costCenter: 'x' },
        null,
      ),
      (error: { details?: { fields?: Record<string, string> } }) =>
        Object.keys(error.details?.fields ?? {})[0] === 'costCenter',
    );

    const ok = await acme.call('PUT', '/api/v1/metadata-fields/costCenter', {
      label: 'Cost centre',
      type: 'text',
      required: false,
      status: 'disabled',
    });
    assert.equal(ok.status, 200);
    assert.equal(ok.body.status, 'disabled');
  });

  test('catalog: active templates only, filters, cursor pagination; getForRequest refuses inactive ones', async () => {
    for (const [slug, category] of [
      ['alpha', 'Events'],
      ['beta', 'Events'],
      ['gamma', 'Sales'],
    ] as const) {
      const r = await acme.call('POST', '/api/v1/templates', {
        document: doc({ slug, name: `${slug} template`, category, tags: [category.toLowerCase()] }),
      });
      assert.equal(r.status, 201);
    }
    const events = await acme.call('GET', '/api/v1/catalog?category=Events&limit=1');
    assert.equal(events.status, 200);
    assert.deepEqual(
      events.body.items.map((e: { slug: string }) => e.slug),
      ['alpha'],
    );
    const next = await acme.call(
      'GET',
      `/api/v1/catalog?category=Events&limit=1&cursor=${events.body.nextCursor}`,
    );
    assert.deepEqual(
      next.body.items.map((e: { slug: string }) => e.slug),
      ['beta'],
    );
    assert.equal(next.body.nextCursor, null);
    const search = await acme.call('GET', '/api/v1/catalog?q=gamma');
    assert.deepEqual(
      search.body.items.map((e: { slug: string }) => e.slug),
      ['gamma'],
    );

    const gamma = search.body.items[0].templateId as string;
    const archived = await acme.call('POST', `/api/v1/templates/${gamma}/status`, { status: 'archived' });
    assert.equal(archived.body.status, 'archived');
    assert.deepEqual((await acme.call('GET', '/api/v1/catalog?q=gamma')).body.items, []);
    assert.equal((await acme.call('GET', '/api/v1/catalog/gamma')).status, 404);
    await assert.rejects(trellis.running.domain.templates.getForRequest(acme.tenantId, 'gamma'), /not found/);
    const entry = await acme.call('GET', '/api/v1/catalog/alpha');
    assert.equal(entry.status, 200);
    assert.equal(entry.body.document.slug, 'alpha');
  });

  test('another tenant sees nothing: 404 on every template route, an empty catalog', async () => {
    for (const path of [
      `/api/v1/templates/${templateId}`,
      `/api/v1/templates/${templateId}/versions`,
      `/api/v1/templates/${templateId}/versions/1`,
      `/api/v1/templates/${templateId}/diff?from=1&to=2`,
      `/api/v1/templates/${templateId}/assets/icon.png`,
      '/api/v1/catalog/project',
      '/api/v1/metadata-fields/costCenter',
    ]) {
      const r = await globex.call('GET', path);
      assert.equal(r.status, 404, path);
      // The 404 may repeat what the caller asked for, never what the other tenant stored.
      assert.doesNotMatch(JSON.stringify(r.body), /Delivery team|Cost cent|CC-\[|Planning/, path);
    }
    assert.equal(
      (await globex.call('PUT', `/api/v1/templates/${templateId}`, { document: doc() })).status,
      404,
    );
    assert.equal(
      (await globex.call('POST', `/api/v1/templates/${templateId}/rollback`, { version: 1 })).status,
      404,
    );
    assert.deepEqual((await globex.call('GET', '/api/v1/catalog')).body.items, []);
  });

  test('scopes: catalog:read reads, templates:write is needed to write', async () => {
    reader = await createTestTenant(trellis, { scopes: ['catalog:read'] });
    assert.equal((await reader.call('GET', '/api/v1/catalog')).status, 200);
    assert.equal((await reader.call('POST', '/api/v1/templates', { document: doc() })).status, 403);
    assert.equal(
      (await reader.call('POST', '/api/v1/metadata-fields', { key: 'x', label: 'x', type: 'text' })).status,
      403,
    );
  });

  test('the starter catalog seeds once, with assets, and is visible in the catalog', async () => {
    const fresh = await createTestTenant(trellis);
    const actor = { type: 'system' as const, id: 'test' };
    await trellis.running.domain.templates.seedStarterCatalog(fresh.tenantId, actor);
    await trellis.running.domain.templates.seedStarterCatalog(fresh.tenantId, actor);
    const catalog = await fresh.call('GET', '/api/v1/catalog');
    assert.deepEqual(catalog.body.items.map((e: { slug: string }) => e.slug).sort(), [
      'department',
      'event',
      'project',
      'sales-deal-room',
    ]);
    const project = await fresh.call('GET', '/api/v1/templates/project');
    assert.equal(project.body.currentVersion, 1);
    assert.deepEqual(project.body.missingAssets, []);
    const icon = catalog.body.items.find((e: { slug: string }) => e.slug === 'project').icon as string;
    const response = await trellis.fetch(icon, { headers: { authorization: `Bearer ${fresh.token}` } });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'image/png');
  });
});
