import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, stat } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from './chromium.ts';
import { startTestTrellis, type TestTrellis } from './trellis.ts';
import { sandboxEndpoints } from './user-token.ts';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '..', '..');
const DIST_INDEX = path.join(ROOT, 'web', 'dist', 'index.html');

/** A free TCP port on loopback (the browser flow needs the public URL known before start-up). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** True when web/dist exists and no file under web/ (but dist) is newer than its index.html. */
async function webBuildIsFresh(): Promise<boolean> {
  if (!existsSync(DIST_INDEX)) return false;
  const { stdout } = await run('find', [
    path.join(ROOT, 'web'),
    '-path',
    '*/dist',
    '-prune',
    '-o',
    '-newer',
    DIST_INDEX,
    '-type',
    'f',
    '-print',
  ]);
  return !stdout.trim();
}

const BUILD_LOCK = path.join(ROOT, 'web', '.build-lock');

/**
 * Builds the tabs with Vite unless web/dist is up to date. Test files run in parallel: one builds
 * (holding a lock folder), the others wait for it and reuse its output.
 */
export async function ensureWebBuild(): Promise<void> {
  while (!(await webBuildIsFresh())) {
    try {
      await mkdir(BUILD_LOCK);
    } catch {
      // Another test file is building (a lock older than 2 min is a crashed run's: take it over).
      const age = Date.now() - (await stat(BUILD_LOCK).catch(() => ({ mtimeMs: Date.now() }))).mtimeMs;
      if (age > 120_000) await rm(BUILD_LOCK, { recursive: true, force: true });
      await new Promise((r) => setTimeout(r, 250));
      continue;
    }
    try {
      if (await webBuildIsFresh()) return;
      await run(
        process.execPath,
        [
          path.join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'),
          'build',
          '--config',
          path.join(ROOT, 'web', 'vite.config.ts'),
          '--logLevel',
          'warn',
        ],
        { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 },
      );
      return;
    } finally {
      await rm(BUILD_LOCK, { recursive: true, force: true });
    }
  }
}

export interface WebRig {
  trellis: TestTrellis;
  browser: Browser;
  close(): Promise<void>;
}

/** Embedded Trellis with its sandbox on a known port, the tabs built, and Chromium trusting both CAs. */
export async function startWebRig(env: Record<string, string> = {}): Promise<WebRig> {
  await ensureWebBuild();
  const port = await freePort();
  const trellis = await startTestTrellis({ PORT: String(port), ...env }, { sandbox: true });
  const endpoints = await sandboxEndpoints(trellis);
  const caFiles = [endpoints.caPath, path.join(trellis.dataDir, 'tls', 'ca.crt')].filter((f) =>
    existsSync(f),
  );
  if (trellis.running.caPath && !caFiles.includes(trellis.running.caPath))
    caFiles.push(trellis.running.caPath);
  const chromium = await launchChromium(caFiles);
  return {
    trellis,
    browser: chromium.browser,
    async close() {
      await chromium.close();
      await trellis.close();
    },
  };
}

/** Signs `upn` in through the app's sign-in button and the sandbox's account picker. */
export async function signInInBrowser(
  page: Page,
  baseUrl: string,
  upn: string,
  tab = 'catalog',
): Promise<void> {
  await page.goto(`${baseUrl}/tabs/${tab}`);
  await page.getByRole('button', { name: /^(Sign in|Se connecter)$/ }).click();
  await page.locator(`button[name="login"][value="${upn}"]`).click();
  await page.waitForURL(`${baseUrl}/tabs/${tab}**`);
}

/** One axe-core violation, as a test prints it. */
export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

const AXE_SOURCE = path.join(ROOT, 'node_modules', 'axe-core', 'axe.min.js');

/**
 * Runs axe-core (WCAG 2.x A/AA rules) on the page as it is and returns the serious and critical
 * violations. Injected through the DevTools protocol, so the app's CSP stays as it is served.
 */
export async function seriousAxeViolations(page: Page): Promise<AxeViolation[]> {
  const source = await readFile(AXE_SOURCE, 'utf8');
  await page.evaluate(source);
  const violations = await page.evaluate(async () => {
    const axe = (
      globalThis as unknown as {
        axe: {
          run(
            ctx: unknown,
            opts: unknown,
          ): Promise<{
            violations: { id: string; impact: string | null; help: string; nodes: { target: unknown[] }[] }[];
          }>;
        };
      }
    ).axe;
    // Fluent UI's focus manager (Tabster) puts `<i data-tabster-dummy tabindex=0 aria-hidden>` sentinels
    // around focus groups; they hand focus on at once and are never read, so axe's aria-hidden-focus
    // rule is not about them. Everything else of the page is checked.
    const result = await axe.run(
      { exclude: [['[data-tabster-dummy]']] },
      {
        runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
      },
    );
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.slice(0, 5).map((n) => JSON.stringify(n.target)),
    }));
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** Collects console errors and uncaught page errors; the tabs must produce none. */
export function watchConsole(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  return problems;
}

/** Where the browser tests save their screenshots (kept as test artifacts). */
export const SHOTS = 'test-results/web';

/** Saves a full-page screenshot as `SHOTS/<name>.png` and asserts zero serious or critical axe violations. */
export async function checkPage(page: Page, name: string): Promise<void> {
  await mkdir(SHOTS, { recursive: true });
  await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
  assert.deepEqual(await seriousAxeViolations(page), [], `axe on ${name}`);
}

/** The number a governance dashboard tile shows. */
export async function dashboardTile(page: Page, label: string): Promise<number> {
  const text = await page.getByRole('group', { name: label }).locator('[data-total]').textContent();
  return Number((text ?? '').replace(/\D/g, ''));
}
