import assert from 'node:assert/strict';
import { connect as netConnect } from 'node:net';
import tls from 'node:tls';
import { after, before, describe, test } from 'node:test';
import { API_CSP, HSTS_MAX_AGE_SECONDS, PAGE_CSP, TEAMS_FRAME_ANCESTORS } from '../../src/server/index.ts';
import { startTestTrellis, type TestTrellis } from '../helpers/trellis.ts';

describe('HTTP hardening on every response', () => {
  let trellis: TestTrellis;
  before(async () => {
    trellis = await startTestTrellis({
      CORS_ORIGINS: 'https://contoso.sharepoint.com',
      HEADERS_TIMEOUT_MS: '1500',
      REQUEST_TIMEOUT_MS: '3000',
    });
  });
  after(() => trellis.close());

  test('API responses: HSTS, strict CSP, no framing, nosniff, referrer and permissions policies', async () => {
    for (const p of ['/readyz', '/healthz', '/api/v1/does-not-exist']) {
      const res = await trellis.fetch(p);
      const h = res.headers;
      assert.equal(
        h.get('strict-transport-security'),
        `max-age=${HSTS_MAX_AGE_SECONDS}; includeSubDomains`,
        p,
      );
      assert.equal(h.get('content-security-policy'), API_CSP, p);
      assert.match(h.get('content-security-policy') ?? '', /frame-ancestors 'none'/);
      assert.equal(h.get('x-frame-options'), 'DENY', p);
      assert.equal(h.get('x-content-type-options'), 'nosniff', p);
      assert.equal(h.get('referrer-policy'), 'strict-origin-when-cross-origin', p);
      assert.match(h.get('permissions-policy') ?? '', /camera=\(\)/, p);
      assert.ok(h.get('x-request-id'), p);
      assert.equal(h.get('x-powered-by'), null);
    }
  });

  test('pages: CSP lets only Teams and Microsoft 365 hosts frame them, and no X-Frame-Options', async () => {
    const res = await trellis.fetch('/');
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
    const csp = res.headers.get('content-security-policy') ?? '';
    assert.equal(csp, PAGE_CSP);
    const frameAncestors = csp.split(';').find((d) => d.trim().startsWith('frame-ancestors')) ?? '';
    for (const host of TEAMS_FRAME_ANCESTORS) assert.ok(frameAncestors.includes(host), host);
    assert.doesNotMatch(csp, /script-src[^;]*unsafe-inline/);
    assert.match(csp, /object-src 'none'/);
    assert.match(csp, /base-uri 'none'/);
    assert.equal(res.headers.get('x-frame-options'), null);
    assert.ok(res.headers.get('strict-transport-security'));
  });

  test('CORS answers allowlisted origins only', async () => {
    const allowed = await trellis.fetch('/readyz', {
      method: 'OPTIONS',
      headers: { origin: 'https://contoso.sharepoint.com', 'access-control-request-method': 'GET' },
    });
    assert.equal(allowed.headers.get('access-control-allow-origin'), 'https://contoso.sharepoint.com');
    const refused = await trellis.fetch('/readyz', {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' },
    });
    assert.equal(refused.headers.get('access-control-allow-origin'), null);
    const simple = await trellis.fetch('/readyz', { headers: { origin: 'https://evil.example' } });
    assert.equal(simple.headers.get('access-control-allow-origin'), null);
  });

  test('a JSON body over 64 KiB is refused with a typed problem', async () => {
    const res = await trellis.fetch('/api/v1/anything', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ pad: 'x'.repeat(70 * 1024) }),
    });
    assert.equal(res.status, 413);
    assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
    const problem = (await res.json()) as { code: string; status: number; requestId: string };
    assert.equal(problem.code, 'payload_too_large');
    assert.equal(problem.status, 413);
    assert.equal(problem.requestId, res.headers.get('x-request-id'));
  });

  test('malformed JSON and prototype poisoning get a 400 problem', async () => {
    for (const body of ['{"a":', '{"__proto__":{"admin":true}}']) {
      const res = await trellis.fetch('/api/v1/anything', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      assert.equal(res.status, 400, body);
      assert.equal(((await res.json()) as { code: string }).code, 'bad_request');
    }
  });

  test('unknown routes get a 404 problem with the request id we sent', async () => {
    const res = await trellis.fetch('/api/v1/nope', { headers: { 'x-request-id': 'client-chosen-id-42' } });
    assert.equal(res.status, 404);
    const body = (await res.json()) as { code: string; requestId: string; type: string };
    assert.equal(body.code, 'not_found');
    assert.equal(body.requestId, 'client-chosen-id-42');
    assert.equal(body.type, 'urn:trellis:problem:not_found');
  });

  test('a connection that never finishes its headers is closed within the headers timeout', async () => {
    const started = performance.now();
    const closedAfter = await new Promise<number>((resolve, reject) => {
      const socket = tls.connect(
        { host: '127.0.0.1', port: trellis.port, servername: 'localhost', ca: trellis.caCert },
        () => {
          socket.write('GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Slow: ');
          // Keep trickling a header byte now and then, like slowloris, never ending the headers.
          const drip = setInterval(() => socket.write('a'), 300);
          socket.once('close', () => {
            clearInterval(drip);
            resolve(performance.now() - started);
          });
        },
      );
      socket.on('error', () => {});
      setTimeout(() => reject(new Error('slow-header connection was still open after 10 s')), 10_000).unref();
    });
    assert.ok(closedAfter >= 1000, `closed too early (${closedAfter} ms)`);
    assert.ok(closedAfter < 4000, `closed after ${Math.round(closedAfter)} ms; HEADERS_TIMEOUT_MS is 1500`);
  });

  test('a request whose body never completes is closed within the request timeout', async () => {
    const started = performance.now();
    const closedAfter = await new Promise<number>((resolve) => {
      const socket = tls.connect(
        { host: '127.0.0.1', port: trellis.port, servername: 'localhost', ca: trellis.caCert },
        () => {
          socket.write(
            'POST /api/v1/x HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"a":',
          );
          const drip = setInterval(() => socket.write(' '), 300);
          socket.once('close', () => {
            clearInterval(drip);
            resolve(performance.now() - started);
          });
        },
      );
      socket.on('error', () => {});
    });
    assert.ok(closedAfter < 6000, `closed after ${Math.round(closedAfter)} ms; REQUEST_TIMEOUT_MS is 3000`);
  });

  test('logs are JSON lines carrying the request id, and never the Authorization header', async () => {
    const secret = 'Bearer eyJhbGciOiJSUzI1NiJ9.c2VjcmV0LXRva2Vu.sig';
    await trellis.fetch('/api/v1/logged', {
      headers: { authorization: secret, 'x-request-id': 'log-check-0001' },
    });
    const lines = trellis.logs.filter((l) => l.requestId === 'log-check-0001');
    assert.ok(lines.length >= 2, 'incoming and completed lines carry the request id');
    assert.ok(!JSON.stringify(trellis.logs).includes('c2VjcmV0LXRva2Vu'));
  });
});

describe('behind a TLS-terminating proxy', () => {
  let trellis: TestTrellis;
  before(async () => {
    trellis = await startTestTrellis({
      TLS_MODE: 'proxy',
      HOST: '127.0.0.1',
      PUBLIC_URL: 'https://trellis.contoso.com',
    });
  });
  after(() => trellis.close());

  test('listens on plain HTTP on loopback only', async () => {
    const address = trellis.running.app.server.address() as { address: string };
    assert.equal(address.address, '127.0.0.1');
    assert.ok(trellis.url.startsWith('http://'));
  });

  test('API calls forwarded as plain HTTP are refused, never redirected', async () => {
    const res = await trellis.fetch('/api/v1/templates', {
      headers: { 'x-forwarded-proto': 'http' },
      redirect: 'manual',
    });
    assert.equal(res.status, 403);
    assert.equal(res.headers.get('location'), null);
    assert.equal(((await res.json()) as { code: string }).code, 'https_required');
    const post = await trellis.fetch('/', {
      method: 'POST',
      headers: { 'x-forwarded-proto': 'http' },
      redirect: 'manual',
    });
    assert.equal(post.status, 403);
  });

  test('browser pages forwarded as plain HTTP are redirected to the public HTTPS URL', async () => {
    const res = await trellis.fetch('/?tab=home', {
      headers: { 'x-forwarded-proto': 'http', host: 'evil.example' },
      redirect: 'manual',
    });
    assert.equal(res.status, 308);
    assert.equal(res.headers.get('location'), 'https://trellis.contoso.com/?tab=home');
  });

  test('requests forwarded as HTTPS by the trusted proxy are served', async () => {
    const res = await trellis.fetch('/', { headers: { 'x-forwarded-proto': 'https' } });
    assert.equal(res.status, 200);
    const health = await trellis.fetch('/readyz');
    assert.equal(health.status, 200, 'probes may use plain HTTP on loopback');
  });
});

describe('forwarded headers from untrusted peers', () => {
  let trellis: TestTrellis;
  before(async () => {
    // Proxy mode that trusts only a proxy range we are not in: our X-Forwarded-* must be ignored.
    trellis = await startTestTrellis({ TLS_MODE: 'proxy', HOST: '127.0.0.1', TRUSTED_PROXIES: '10.9.9.9' });
  });
  after(() => trellis.close());

  test('a client cannot claim HTTPS or another IP by sending X-Forwarded-* itself', async () => {
    const res = await trellis.fetch('/api/v1/templates', {
      headers: { 'x-forwarded-proto': 'https', 'x-forwarded-for': '203.0.113.7' },
    });
    assert.equal(res.status, 403, 'the untrusted forwarded proto is ignored: the request is plain HTTP');
  });
});

describe('the optional HTTP redirect port', () => {
  let trellis: TestTrellis;
  let redirectPort: number;
  before(async () => {
    const { createServer } = await import('node:net');
    redirectPort = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    trellis = await startTestTrellis({ HTTP_REDIRECT_PORT: String(redirectPort), HOST: '127.0.0.1' });
  });
  after(() => trellis.close());

  const raw = (request: string) =>
    new Promise<string>((resolve, reject) => {
      const socket = netConnect(redirectPort, '127.0.0.1', () => socket.end(request));
      let data = '';
      socket.on('data', (d) => {
        data += d.toString();
      });
      socket.on('end', () => resolve(data));
      socket.on('error', reject);
    });

  test('pages redirect to HTTPS; the API is refused without a redirect', async () => {
    const page = await raw('GET /catalog HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n');
    assert.match(page, /^HTTP\/1\.1 308/);
    assert.match(page, /location: https:\/\/localhost:\d+\/catalog/i);
    const api = await raw(
      'GET /api/v1/templates HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer x\r\nConnection: close\r\n\r\n',
    );
    assert.match(api, /^HTTP\/1\.1 403/);
    assert.doesNotMatch(api, /location:/i);
    assert.match(api, /https_required/);
  });
});
