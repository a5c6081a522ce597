import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { type Config, loadConfig, withEnvFile } from './config.ts';
import type { Db } from './db/index.ts';
import { exitCodeFor, isAppError } from './errors/index.ts';
import { createDomain, type Domain } from './runtime/domain.ts';
import { type EmbeddedSandbox, Lifecycle, openServices, startEmbeddedSandbox } from './runtime/index.ts';
import {
  type App,
  buildApp,
  createRedirectServer,
  ensureLocalCertificate,
  serverFactoryFor,
} from './server/index.ts';
import { createLogger, type Logger, startTelemetry, type Telemetry } from './telemetry/index.ts';

export interface RunningTrellis {
  app: App;
  url: string;
  /** The CA that signed the served certificate (local-ca mode). */
  caPath: string | undefined;
  lifecycle: Lifecycle;
  /** The domain services (tests and the CLI's in-process callers use them). */
  domain: Domain;
  db: Db;
  /** Traces and metrics (no-op when no exporter and no METRICS_TOKEN is configured). */
  telemetry: Telemetry;
  /** Same sequence as SIGTERM: drain, finish in-flight work, close. Resolves true if within grace. */
  stop(reason?: string): Promise<boolean>;
}

async function tlsMaterial(config: Config, log: Logger) {
  if (config.tls.mode === 'proxy') return { tls: undefined, caPath: undefined };
  if (config.tls.mode === 'files' && config.tls.certFile && config.tls.keyFile) {
    const [cert, key] = await Promise.all([
      readFile(config.tls.certFile, 'utf8'),
      readFile(config.tls.keyFile, 'utf8'),
    ]);
    return { tls: { cert, key }, caPath: undefined };
  }
  const publicHost = new URL(config.publicUrl).hostname.replace(/^\[|\]$/g, '');
  const hosts = [...new Set(['localhost', '127.0.0.1', '::1', publicHost])];
  const material = await ensureLocalCertificate(path.join(config.dataDir, 'tls'), hosts);
  if (material.created !== 'none')
    log.info({ created: material.created, caPath: material.caPath }, 'issued local TLS certificate');
  return { tls: { cert: material.cert, key: material.key }, caPath: material.caPath };
}

/** Starts web serving on the configured listener; the caller decides about signals. */
export async function startTrellis(
  initialConfig: Config,
  options: {
    log?: Logger;
    /** Start the Microsoft 365 sandbox when no tenant is configured (default true). */ sandbox?: boolean;
    /** Run job workers and schedules in this process (default true; false for `--role web`). */
    workers?: boolean;
  } = {},
): Promise<RunningTrellis> {
  let config = initialConfig;
  const log = options.log ?? createLogger(config.logLevel);
  const lifecycle = new Lifecycle(log);
  // First in, last out: spans of the work finished while stopping are still exported.
  const telemetry = await startTelemetry(config, log, { role: (options.workers ?? true) ? 'all' : 'web' });
  lifecycle.onShutdown('telemetry', () => telemetry.shutdown());
  const { tls, caPath } = await tlsMaterial(config, log);

  let services: Awaited<ReturnType<typeof openServices>>;
  try {
    services = await openServices(config, { migrate: true });
  } catch (error) {
    await lifecycle.shutdown({ drainMs: 0, graceMs: 10_000, reason: 'start-up failed' });
    throw error;
  }
  lifecycle.onShutdown('adapters', () => services.close());
  let sandbox: EmbeddedSandbox | undefined;
  if (config.m365.mode === 'sandbox' && options.sandbox !== false) {
    sandbox = await startEmbeddedSandbox(config, log).catch(async (error: unknown) => {
      await lifecycle.shutdown({ drainMs: 0, graceMs: 10_000, reason: 'start-up failed' });
      throw error;
    });
    // Stops after the listener: in-flight work may still call Graph while draining.
    const started = sandbox;
    lifecycle.onShutdown('m365-sandbox', () => started.stop());
    config = sandbox.config;
  }

  if (services.migration?.applied.length)
    log.info({ applied: services.migration.applied }, 'database migrated');

  let domain: Domain;
  try {
    domain = await createDomain({ config, log, ...services });
    await domain.start({ workers: options.workers ?? true });
  } catch (error) {
    await lifecycle.shutdown({ drainMs: 0, graceMs: 10_000, reason: 'start-up failed' });
    throw error;
  }
  // Registered after the adapters: stops (workers finish) before they close.
  lifecycle.onShutdown('domain', () => domain.stop());

  let app: App;
  try {
    app = await buildApp(
      { config, log, ...services, domain, telemetry, isDraining: lifecycle.isDraining },
      { serverFactory: serverFactoryFor(config, tls) },
    );
    // While draining, every answer closes its connection: keep-alive clients and proxies reconnect
    // (elsewhere once their probes or DNS moved on) instead of reusing a socket the listener will cut.
    app.server.prependListener('request', (_req, res) => {
      if (lifecycle.draining) res.setHeader('connection', 'close');
    });
    await app.listen({ host: config.host, port: config.port });
  } catch (error) {
    await lifecycle.shutdown({ drainMs: 0, graceMs: 10_000, reason: 'start-up failed' });
    throw error;
  }
  lifecycle.onShutdown('http', () => app.close());

  if (config.httpRedirectPort !== undefined) {
    const redirect = createRedirectServer(config);
    await new Promise<void>((resolve, reject) => {
      redirect.once('error', reject);
      redirect.listen(config.httpRedirectPort, config.host, () => resolve());
    });
    lifecycle.onShutdown('http-redirect', () => new Promise((resolve) => redirect.close(() => resolve())));
  }

  const address = app.server.address() as AddressInfo;
  const scheme = tls ? 'https' : 'http';
  const url = `${scheme}://localhost:${address.port}`;
  if (sandbox) {
    // Activities the sandbox delivers (messages, card actions) reach this instance's bot endpoint.
    await sandbox.registerBot(
      `${url}/api/messages`,
      tls ? await readFile(caPath ?? '', 'utf8').catch(() => undefined) : undefined,
    );
    // Browser sign-in to the tabs comes back to this instance, at its public and its listening address.
    await sandbox.registerWebApp([config.publicUrl, url]);
    process.stderr.write(`Microsoft 365 sandbox (demo tenant Contoso): ${sandbox.origin}/sandbox\n`);
  }
  log.info(
    { url, publicUrl: config.publicUrl, tls: config.tls.mode, database: services.db.kind },
    'trellis is listening',
  );

  if (caPath) {
    process.stderr.write(
      `Trellis is serving ${url} with a certificate from its local CA ${caPath}\n` +
        '  Trust that CA (OS/browser trust store, or NODE_EXTRA_CA_CERTS for Node clients) to avoid certificate warnings.\n',
    );
  }

  return {
    app,
    url,
    caPath,
    lifecycle,
    domain,
    db: services.db,
    telemetry,
    stop: (reason = 'stop') =>
      lifecycle.shutdown({
        drainMs: config.timeouts.shutdownDrainMs,
        graceMs: config.timeouts.shutdownGraceMs,
        reason,
      }),
  };
}

/** Installs SIGTERM/SIGINT handling: drain, finish, exit 0 (1 if the grace period ran out). */
export function exitOnSignals(running: RunningTrellis, log: Logger): void {
  const onSignal = (signal: NodeJS.Signals) => {
    void running.stop(signal).then((clean) => {
      log.info({ signal, clean }, 'stopped');
      log.flush?.();
      process.exit(clean ? 0 : 1);
    });
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
}

/** Reports a start-up failure in one line; bad configuration exits 2. */
export function failStartup(error: unknown): never {
  if (isAppError(error)) {
    process.stderr.write(`trellis: ${error.message}\n`);
    process.exit(exitCodeFor(error.code));
  }
  process.stderr.write(`trellis: failed to start: ${(error as Error)?.stack ?? String(error)}\n`);
  process.exit(1);
}

export async function main(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  let config: Config;
  try {
    config = loadConfig(withEnvFile(env));
  } catch (error) {
    failStartup(error);
  }
  const log = createLogger(config.logLevel);
  try {
    const running = await startTrellis(config, { log });
    exitOnSignals(running, log);
  } catch (error) {
    failStartup(error);
  }
}

if (import.meta.main) await main();
