import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { chromium } from 'playwright-core';
import { startTestTrellis, type TestTrellis } from '../helpers/trellis.ts';

const run = promisify(execFile);
const CHROMIUM = '/usr/bin/chromium';

// The interactive reference must actually work under its Content-Security-Policy: rendered by a
// real browser that trusts Trellis's local CA (no certificate check skipped).
describe('/api/docs in Chromium', () => {
  let trellis: TestTrellis;
  let home: string;

  before(async () => {
    trellis = await startTestTrellis();
    home = await mkdtemp(path.join(tmpdir(), 'trellis-docs-chromium-'));
  });
  after(async () => {
    await trellis.close();
    await rm(home, { recursive: true, force: true });
  });

  test('renders every tag of the OpenAPI document without script errors or CSP violations', async () => {
    assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install -y chromium`);
    assert.ok(trellis.running.caPath, 'local-ca mode');
    const nssdb = `sql:${path.join(home, '.pki', 'nssdb')}`;
    await mkdir(path.join(home, '.pki', 'nssdb'), { recursive: true });
    await run('certutil', ['-d', nssdb, '-N', '--empty-password']);
    await run('certutil', ['-d', nssdb, '-A', '-t', 'C,,', '-n', 'Trellis CA', '-i', trellis.running.caPath]);
    const doc = (await (await trellis.fetch('/api/v1/openapi.json')).json()) as {
      paths: Record<string, Record<string, { tags?: string[] }>>;
    };
    const tags = new Set(
      Object.values(doc.paths).flatMap((item) => Object.values(item).flatMap((op) => op.tags ?? [])),
    );

    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
      env: { HOME: home, PATH: process.env.PATH ?? '' },
    });
    try {
      const page = await browser.newPage();
      const problems: string[] = [];
      page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
      page.on('console', (message) => {
        if (message.type() === 'error') problems.push(`console: ${message.text()}`);
      });
      const response = await page.goto(`${trellis.url}/api/docs`);
      assert.equal(response?.status(), 200);
      await page.locator('.swagger-ui .opblock-tag').first().waitFor({ timeout: 20_000 });
      const shown = await page.locator('.swagger-ui .opblock-tag').allTextContents();
      for (const tag of tags) {
        assert.ok(
          shown.some((text) => text.includes(tag)),
          `tag ${tag} is shown (${shown.join(', ')})`,
        );
      }
      assert.deepEqual(problems, [], 'no script errors or CSP violations');
    } finally {
      await browser.close();
    }
  });
});
