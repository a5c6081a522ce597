import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import vm from 'node:vm';
import { startTestTrellis, type TestTrellis } from '../helpers/trellis.ts';

const FDID = 'a1b2c3d4-0000-4000-8000-00000000f00d';

describe('network pages of a running deployment', () => {
  let trellis: TestTrellis;
  before(async () => {
    trellis = await startTestTrellis({ SECURITY_CONTACT: 'mailto:security@contoso.com' });
  });
  after(() => trellis.close());

  test('domains as JSON and text, the PAC file routing them DIRECT, the diagram, the page, security.txt', async () => {
    const json = await trellis.fetch('/api/v1/network/domains');
    assert.equal(json.status, 200);
    const { domains } = (await json.json()) as { domains: { id: number; host: string; port: number }[] };
    const self = new URL(trellis.url);
    assert.equal(domains[0]?.host, self.hostname, 'the app itself comes first');
    const text = await (await trellis.fetch('/api/v1/network/domains?format=text')).text();
    assert.equal(text.trim().split('\n').length, domains.length);

    const pacResponse = await trellis.fetch('/network/proxy.pac?proxy=proxy.contoso.com:8080');
    assert.equal(pacResponse.headers.get('content-type'), 'application/x-ns-proxy-autoconfig');
    const pac = await pacResponse.text();
    const route = (host: string) => {
      const context = { dnsDomainIs: (h: string, d: string) => h.endsWith(d), result: '' };
      vm.runInNewContext(`${pac}\nresult = FindProxyForURL("https://${host}/", "${host}");`, context);
      return context.result;
    };
    for (const d of domains) assert.equal(route(d.host), 'DIRECT', d.host);
    assert.equal(route('example.org'), 'PROXY proxy.contoso.com:8080');
    const badProxy = await trellis.fetch('/network/proxy.pac?proxy=evil%22;%20DIRECT');
    assert.equal(badProxy.status, 400);

    const svg = await trellis.fetch('/network/flows.svg');
    assert.match(svg.headers.get('content-type') ?? '', /^image\/svg\+xml/);
    assert.match(await svg.text(), /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);

    const page = await (await trellis.fetch('/network')).text();
    assert.match(page, /<h1>Network &amp; security<\/h1>/);
    for (const d of domains) assert.ok(page.includes(`<code>${d.host}</code>`), d.host);
    assert.match(page, /SPKI pin/);

    const security = await trellis.fetch('/.well-known/security.txt');
    assert.match(security.headers.get('content-type') ?? '', /^text\/plain/);
    assert.match(await security.text(), /^Contact: mailto:security@contoso\.com$/m);

    const certificate = await trellis.fetch('/api/v1/network/certificate');
    assert.equal(certificate.status, 200);
    assert.match(((await certificate.json()) as { spkiPin: string }).spkiPin, /^[A-Za-z0-9+/]{43}=$/);
  });

  test('a spoofed X-Forwarded-For from an untrusted peer does not change the rate-limit key', async () => {
    const limited = await startTestTrellis({ RATE_LIMIT_PER_MINUTE: '5' });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 7; i++) {
        const res = await limited.fetch('/network/flows.svg', {
          headers: { 'x-forwarded-for': `203.0.113.${i + 1}` },
        });
        await res.body?.cancel();
        statuses.push(res.status);
      }
      assert.deepEqual(statuses.slice(0, 5), [200, 200, 200, 200, 200]);
      assert.deepEqual(statuses.slice(5), [429, 429], 'every request counted against the socket peer');
      // The bot's endpoint is not limited per address (Bot Framework's addresses carry every tenant):
      // past the limit, the request still reaches the bot's route (here: no bot configured, 503).
      const bot = await limited.fetch('/api/messages', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ type: 'message', serviceUrl: 'https://smba.trafficmanager.net/teams/' }),
      });
      assert.equal(bot.status, 503);
      assert.match(await bot.text(), /"code":"service_unavailable"/);
    } finally {
      await limited.close();
    }
  });
});

describe('load shedding', () => {
  test('while the event loop lags, requests get 503 with Retry-After at once; liveness stays 200', async () => {
    const busy = await startTestTrellis({ LOAD_SHED_EVENT_LOOP_DELAY_MS: '40' });
    // Trellis runs in this process: keep its event loop lagging (60 ms of work every 20 ms).
    const blocker = setInterval(() => {
      const until = Date.now() + 60;
      while (Date.now() < until) {
        // busy
      }
    }, 20);
    try {
      let shed: { status: number; retryAfter: string | null; type: string | null; body: string } | undefined;
      const liveness: number[] = [];
      for (let i = 0; i < 60 && !shed; i++) {
        const res = await busy.fetch('/api/v1/network/domains');
        const body = await res.text();
        if (res.status === 503) {
          shed = {
            status: res.status,
            retryAfter: res.headers.get('retry-after'),
            type: res.headers.get('content-type'),
            body,
          };
        }
        const live = await busy.fetch('/healthz');
        await live.body?.cancel();
        liveness.push(live.status);
      }
      assert.ok(shed, 'a request was shed');
      assert.equal(shed.retryAfter, '10');
      assert.match(shed.type ?? '', /problem\+json/);
      assert.match(shed.body, /"code":"service_unavailable"/);
      assert.ok(
        liveness.every((s) => s === 200),
        `liveness: ${liveness.join(',')}`,
      );
    } finally {
      clearInterval(blocker);
      await busy.close();
    }
  });
});

describe('the single entry point', () => {
  test('with a Front Door id, direct requests are refused; the front and local health probes pass', async () => {
    const metricsToken = 'm'.repeat(40);
    const locked = await startTestTrellis({ FRONT_DOOR_IDS: FDID, METRICS_TOKEN: metricsToken });
    try {
      const direct = await locked.fetch('/api/v1/network/domains');
      assert.equal(direct.status, 403);
      assert.match(direct.headers.get('content-type') ?? '', /problem\+json/);
      const wrong = await locked.fetch('/api/v1/network/domains', {
        headers: { 'x-azure-fdid': 'ffffffff-0000-4000-8000-00000000f00d' },
      });
      assert.equal(wrong.status, 403, 'another Front Door profile is refused too');
      const front = await locked.fetch('/api/v1/network/domains', {
        headers: { 'x-azure-fdid': FDID.toUpperCase() },
      });
      assert.equal(front.status, 200);
      const probe = await locked.fetch('/readyz');
      assert.equal(probe.status, 200, 'a health probe from loopback (HEALTH_PROBE_SOURCES) passes');
      // Prometheus scrapes from inside, like the probes; its token is still required.
      const scrape = await locked.fetch('/metrics', { headers: { authorization: `Bearer ${metricsToken}` } });
      assert.equal(scrape.status, 200);
      assert.match(await scrape.text(), /# (HELP|TYPE) /);
      assert.equal((await locked.fetch('/metrics')).status, 401, 'without the token');
    } finally {
      await locked.close();
    }
  });

  test('with allowed sources, a peer outside them is refused even with the right header', async () => {
    const locked = await startTestTrellis({
      ALLOWED_SOURCES: '10.0.0.0/8',
      FRONT_DOOR_IDS: FDID,
      HEALTH_PROBE_SOURCES: '127.0.0.1,::1',
    });
    try {
      const res = await locked.fetch('/api/v1/network/domains', {
        headers: { 'x-azure-fdid': FDID, 'x-forwarded-for': '10.1.2.3' },
      });
      assert.equal(res.status, 403, 'the socket peer (loopback) decides, not a forwarded header');
      assert.equal((await locked.fetch('/healthz')).status, 200);
      const unprobed = await startTestTrellis({
        ALLOWED_SOURCES: '10.0.0.0/8',
        HEALTH_PROBE_SOURCES: '10.0.0.1',
      });
      try {
        assert.equal((await unprobed.fetch('/healthz')).status, 403, 'probes only from their own sources');
      } finally {
        await unprobed.close();
      }
    } finally {
      await locked.close();
    }
  });
});
