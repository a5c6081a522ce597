import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { type Browser, chromium } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
const run = promisify(execFile);

/**
 * Debian's Chromium, headless, trusting the given CAs through an NSS database in a private HOME (no
 * certificate check is switched off). `.ci/run` installs chromium and libnss3-tools (certutil).
 */
export async function launchChromium(
  caFiles: readonly string[],
): Promise<{ browser: Browser; close(): Promise<void> }> {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install -y chromium`);
  const home = await mkdtemp(path.join(tmpdir(), 'trellis-chromium-'));
  const nssdb = `sql:${path.join(home, '.pki', 'nssdb')}`;
  await mkdir(path.join(home, '.pki', 'nssdb'), { recursive: true });
  await run('certutil', ['-d', nssdb, '-N', '--empty-password']);
  for (const [i, file] of caFiles.entries()) {
    await run('certutil', ['-d', nssdb, '-A', '-t', 'C,,', '-n', `Test CA ${i}`, '-i', file]);
  }
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    env: { HOME: home, PATH: process.env.PATH ?? '' },
  });
  return {
    browser,
    async close() {
      await browser.close();
      await rm(home, { recursive: true, force: true });
    },
  };
}
