import assert from 'node:assert/strict';
import { test } from 'node:test';
import { alternativeSlug, tenantSlugFor } from './tenant-slug.ts';

const TID = 'C4A3B2E1-7d6c-4b5a-9e8f-0fab41ca0002';

test('the default verified domain names the tenant, then the organization name, then the id', () => {
  assert.equal(tenantSlugFor(TID, { domain: 'contoso.onmicrosoft.com', name: 'Contoso Ltd' }), 'contoso');
  assert.equal(
    tenantSlugFor(TID, { domain: null, name: 'Société Générale & Fils' }),
    'societe-generale-fils',
  );
  assert.equal(tenantSlugFor(TID, { name: '日本' }), 'tenant-c4a3b2e1');
  assert.equal(tenantSlugFor(TID), 'tenant-c4a3b2e1');
  assert.equal(
    tenantSlugFor(TID, { domain: 'x.example.com' }),
    'tenant-c4a3b2e1',
    'one character is too short',
  );
});

test('slugs stay within the tenants table check', () => {
  const long = tenantSlugFor(TID, { name: `${'a'.repeat(80)} b` });
  assert.match(long, /^[a-z0-9][a-z0-9-]{1,62}$/);
  assert.match(alternativeSlug(long, 12), /^[a-z0-9][a-z0-9-]{1,62}$/);
  assert.equal(alternativeSlug('contoso', 2), 'contoso-2');
});
