import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import vm from 'node:vm';
import { loadConfig } from '../config.ts';
import { allowlist, internalFlows } from './domains.ts';
import { FLOW_COLOURS, flowDiagram } from './flow-diagram.ts';
import { proxyPac } from './proxy-pac.ts';
import { securityTxt } from './security-txt.ts';

/** A production deployment on Azure: Front Door in front, Azure services, telemetry. */
const AZURE = loadConfig({
  TLS_MODE: 'proxy',
  HOST: '127.0.0.1',
  PUBLIC_URL: 'https://trellis.contoso.com',
  DATA_DIR: '/tmp/trellis-network-test',
  M365_TENANT_ID: '6f2c1b0e-4a7d-4c3e-9b1a-3c0ffee00001',
  M365_CLIENT_ID: '7a1d5e2f-8b3c-4d9e-a6f0-11e11150a001',
  M365_CLIENT_SECRET: 'not-a-real-secret',
  DATABASE_URL: 'postgres://trellis@db.internal:5432/trellis',
  REDIS_URL: 'rediss://cache.internal:6380',
  AZURE_STORAGE_CONNECTION_STRING:
    'DefaultEndpointsProtocol=https;AccountName=trellisprod;AccountKey=a2V5;EndpointSuffix=core.windows.net',
  KEYVAULT_URL: 'https://trellis-kv.vault.azure.net',
  AZURE_TENANT_ID: '6f2c1b0e-4a7d-4c3e-9b1a-3c0ffee00001',
  AZURE_CLIENT_ID: '11111111-2222-4333-8444-555555555555',
  AZURE_CLIENT_SECRET: 'not-a-real-secret',
  AZURE_AUTHORITY_HOST: 'https://login.microsoftonline.com',
  APPLICATIONINSIGHTS_CONNECTION_STRING:
    'InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=https://westeurope-5.in.applicationinsights.azure.com/;LiveEndpoint=https://westeurope.livediagnostics.monitor.azure.com/',
  HELP_CENTER_URL: 'https://help.trellis.example',
  SECURITY_CONTACT: 'mailto:security@contoso.com',
});

function pacRoute(pac: string, host: string): string {
  const sandbox = {
    dnsDomainIs: (h: string, domain: string) => h.endsWith(domain),
    result: '',
  };
  vm.runInNewContext(
    `${pac}\nresult = FindProxyForURL("https://" + ${JSON.stringify(host)} + "/", ${JSON.stringify(host)});`,
    sandbox,
  );
  return sandbox.result;
}

describe('domain allowlist', () => {
  test('lists what the configuration serves and calls, once per host, numbered from 1', () => {
    const entries = allowlist(AZURE);
    const hosts = entries.map((e) => e.host);
    for (const host of [
      'trellis.contoso.com',
      'login.microsoftonline.com',
      'graph.microsoft.com',
      'login.botframework.com',
      'smba.trafficmanager.net',
      'teams.microsoft.com',
      'trellisprod.blob.core.windows.net',
      'trellis-kv.vault.azure.net',
      'westeurope-5.in.applicationinsights.azure.com',
      'westeurope.livediagnostics.monitor.azure.com',
      'help.trellis.example',
    ]) {
      assert.ok(hosts.includes(host), `${host} in ${hosts.join(', ')}`);
    }
    assert.equal(new Set(hosts).size, hosts.length, 'each host once');
    assert.deepEqual(
      entries.map((e) => e.id),
      entries.map((_, i) => i + 1),
    );
    const entra = entries.find((e) => e.host === 'login.microsoftonline.com');
    assert.equal(entra?.direction, 'both', 'browsers sign in there, servers get tokens there');
    assert.match(entra?.purpose ?? '', /Key Vault/, 'the Key Vault token flow merged into the same host');
    assert.equal(entries.find((e) => e.host === 'trellis.contoso.com')?.direction, 'inbound');
    for (const e of entries) assert.equal(e.port, 443);
  });

  test('a minimal deployment lists no Azure service it does not use; internal flows follow the setup', () => {
    const minimal = loadConfig({ DATA_DIR: '/tmp/trellis-network-test' });
    const hosts = allowlist(minimal).map((e) => e.host);
    assert.ok(!hosts.some((h) => h.endsWith('.vault.azure.net') || h.endsWith('.blob.core.windows.net')));
    assert.deepEqual(
      internalFlows(minimal).map((f) => f.id),
      ['A', 'C', 'D'],
    );
    const azure = internalFlows(AZURE);
    assert.match(azure.find((f) => f.id === 'A')?.to ?? '', /PostgreSQL db\.internal:5432/);
    assert.match(azure.find((f) => f.id === 'B')?.protocol ?? '', /TLS/);
    assert.ok(
      azure.some((f) => f.id === 'E'),
      'the proxy hop in proxy mode',
    );
  });
});

describe('proxy auto-config', () => {
  test('allowlisted hosts go DIRECT, everything else to the given proxy', () => {
    const entries = allowlist(AZURE);
    const pac = proxyPac(entries, { source: AZURE.publicUrl, proxy: 'proxy.contoso.com:8080' });
    for (const entry of entries) assert.equal(pacRoute(pac, entry.host), 'DIRECT', entry.host);
    assert.equal(pacRoute(pac, 'GRAPH.microsoft.com'), 'DIRECT', 'host names are compared in lower case');
    assert.equal(pacRoute(pac, 'example.org'), 'PROXY proxy.contoso.com:8080');
    assert.equal(pacRoute(pac, 'graph.microsoft.com.evil.example'), 'PROXY proxy.contoso.com:8080');
    assert.equal(pacRoute(proxyPac(entries, { source: 'x' }), 'example.org'), 'DIRECT');
    const wildcard = proxyPac(
      [{ ...entries[0], host: '*.cloud.microsoft', wildcard: true } as (typeof entries)[0]],
      {
        source: 'x',
        proxy: 'p:3128',
      },
    );
    assert.equal(pacRoute(wildcard, 'teams.cloud.microsoft'), 'DIRECT');
    assert.equal(pacRoute(wildcard, 'cloud.microsoft.example'), 'PROXY p:3128');
    assert.throws(
      () => proxyPac(entries, { source: 'x', proxy: 'http://p:1; DIRECT' }),
      /not a proxy address/,
    );
  });
});

describe('flow diagram', () => {
  test('numbers every domain, letters internal flows, colours the four kinds, and is well-formed SVG', () => {
    const entries = allowlist(AZURE);
    const internal = internalFlows(AZURE);
    const svg = flowDiagram(entries, internal, 'Trellis & <flows>');
    const labels = [...svg.matchAll(/class="flow-label">([^<]+)</g)].map((m) => m[1]);
    for (const e of entries) assert.ok(labels.includes(String(e.id)), `flow ${e.id}`);
    for (const f of internal) assert.ok(labels.includes(f.id), `internal ${f.id}`);
    for (const colour of Object.values(FLOW_COLOURS)) assert.ok(svg.includes(colour), colour);
    assert.ok(svg.includes('Trellis &amp; &lt;flows&gt;'), 'text is escaped');
    // Every element is closed in order (a small XML well-formedness check).
    const stack: string[] = [];
    for (const m of svg.matchAll(/<(\/?)([a-zA-Z][\w-]*)[^>]*?(\/?)>/g)) {
      const [, closing, name, selfClosing] = m;
      if (selfClosing) continue;
      if (closing) assert.equal(stack.pop(), name);
      else stack.push(name ?? '');
    }
    assert.deepEqual(stack, []);
  });
});

describe('security.txt', () => {
  test('has a contact, an expiry less than a year away, and its canonical URL', () => {
    const now = new Date('2026-12-06T10:00:00Z');
    const text = securityTxt(AZURE, now);
    assert.match(text, /^Contact: mailto:security@contoso\.com$/m);
    assert.match(text, /^Canonical: https:\/\/trellis\.contoso\.com\/\.well-known\/security\.txt$/m);
    const expires = new Date(/^Expires: (.+)$/m.exec(text)?.[1] ?? '');
    assert.ok(expires.getTime() > now.getTime() && expires.getTime() - now.getTime() < 365 * 86_400_000);
  });
});
