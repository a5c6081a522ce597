import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { Agent, fetch as undiciFetch } from 'undici';
import { loadConfig } from '../../src/config.ts';
import { type RunningTrellis, startTrellis } from '../../src/main.ts';
import { createLogger } from '../../src/telemetry/index.ts';

export interface TestTrellis {
  running: RunningTrellis;
  /** `https://localhost:PORT` (or http in proxy mode). */
  url: string;
  port: number;
  dataDir: string;
  caCert: string | undefined;
  dispatcher: Agent;
  /** Log lines written so far, parsed. */
  logs: Record<string, unknown>[];
  fetch(p: string, init?: Parameters<typeof undiciFetch>[1]): ReturnType<typeof undiciFetch>;
  close(): Promise<void>;
}

/** Starts Trellis on a free port with a temporary data folder; logs are captured, not printed. */
export async function startTestTrellis(
  env: Record<string, string> = {},
  options: { sandbox?: boolean } = {},
): Promise<TestTrellis> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'trellis-test-'));
  const config = loadConfig({
    PORT: '0',
    SANDBOX_PORT: '0',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'info',
    // Two test files, Chromium and in-process PGlite share two cores: a stall of a second is normal
    // here and must not shed the test's own requests (the load-shedding test sets its own threshold).
    LOAD_SHED_EVENT_LOOP_DELAY_MS: '5000',
    ...env,
  });
  const logs: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      for (const line of chunk.toString().split('\n')) if (line.trim()) logs.push(JSON.parse(line));
      done();
    },
  });
  const running = await startTrellis(config, {
    log: createLogger(config.logLevel, sink),
    sandbox: options.sandbox ?? false,
  });
  const port = Number(new URL(running.url).port);
  const { readFile } = await import('node:fs/promises');
  const caCert = running.caPath ? await readFile(running.caPath, 'utf8') : undefined;
  const dispatcher = new Agent({ connect: caCert ? { ca: caCert } : {} });
  // Start-up work (migrations, the API document, job workers) can block the event loop for a moment;
  // load shedding then answers 503 until its next sample (liveness is never shed, readiness is).
  // Tests begin once the server takes requests.
  for (let i = 0; i < 100; i++) {
    const res = await undiciFetch(`${running.url}/readyz`, { dispatcher }).catch(() => undefined);
    await res?.body?.cancel();
    if (res && res.status !== 503) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    running,
    url: running.url,
    port,
    dataDir,
    caCert,
    dispatcher,
    logs,
    fetch: (p, init) => undiciFetch(p.startsWith('http') ? p : `${running.url}${p}`, { ...init, dispatcher }),
    async close() {
      await running.stop('test');
      await dispatcher.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
