import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { CONFIG_VARS } from '../config.ts';
import {
  COMPONENTS,
  referenceConfig,
  renderInfrastructureDoc,
  renderNetworkSecurityDoc,
  renderReferenceFlows,
} from './network-docs.ts';
import { TLS13_CIPHERS } from '../server/tls/tls-policy.ts';
import { allowlist } from './domains.ts';

const doc = (name: string) => readFileSync(new URL(`../../docs/${name}`, import.meta.url), 'utf8');

test('the published network documents are what the code generates (run: node scripts/gen-network-docs.ts)', () => {
  assert.equal(doc('network-security.md'), renderNetworkSecurityDoc());
  assert.equal(doc('infrastructure.md'), renderInfrastructureDoc());
  assert.equal(doc('network-flows.svg'), renderReferenceFlows());
});

test('the documents name every domain of the reference deployment and only documented settings', () => {
  const text = renderNetworkSecurityDoc();
  for (const entry of allowlist(referenceConfig())) assert.ok(text.includes(`\`${entry.host}\``), entry.host);
  const known = new Set(CONFIG_VARS.map((v) => v.name));
  for (const component of COMPONENTS) for (const s of component.settings) assert.ok(known.has(s), s);
  const ciphers = new Set<string>(TLS13_CIPHERS);
  for (const [, name = ''] of text.matchAll(/`([A-Z][A-Z0-9_]{3,})`/g)) {
    if (!ciphers.has(name)) assert.ok(known.has(name), `${name} is a setting`);
  }
});
