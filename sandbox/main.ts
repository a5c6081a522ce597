import { writeFile } from 'node:fs/promises';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { ensureLocalCertificate } from '../src/server/tls/index.ts';
import { loadSandboxConfig, type SandboxConfig, SandboxConfigError } from './config.ts';
import { buildSandbox, type SandboxApp } from './server.ts';
import { seedContoso, TRELLIS_CLIENT_ID } from './state/seed-contoso.ts';
import { openStore } from './state/store.ts';

export interface RunningSandbox extends SandboxApp {
  origin: string;
  caPath: string;
  caCert: string;
  close(): Promise<void>;
}

/**
 * Starts the sandbox over HTTPS with its own CA (separate from Trellis's) and writes
 * `endpoints.json` beside its state, which Trellis reads to point itself here.
 */
export async function startSandbox(
  config: SandboxConfig,
  options: { logLevel?: string } = {},
): Promise<RunningSandbox> {
  const tls = await ensureLocalCertificate(
    path.join(config.dataDir, 'tls'),
    ['localhost', '127.0.0.1', '::1'],
    'Trellis M365 Sandbox CA',
  );
  const store = await openStore({ dir: config.persist ? config.dataDir : undefined, seed: seedContoso });
  const sandbox = await buildSandbox({
    config,
    store,
    ...(options.logLevel ? { logLevel: options.logLevel } : {}),
    serverFactory: (handler) =>
      https.createServer({ cert: tls.cert, key: tls.key, minVersion: 'TLSv1.2' }, handler),
  });
  await sandbox.app.listen({ host: config.host, port: config.port });
  const port = (sandbox.app.server.address() as AddressInfo).port;
  const origin = `https://localhost:${port}`;
  sandbox.ctx.config.origin = origin;
  await writeFile(
    path.join(config.dataDir, 'endpoints.json'),
    JSON.stringify(
      {
        origin,
        caPath: tls.caPath,
        tenants: store.state.tenants.map((t) => {
          // Trellis's own registration: the embedded start uses its credentials (the file is 0600).
          const app = t.directory.apps.find((a) => a.clientId === TRELLIS_CLIENT_ID && a.adminConsented);
          const secret = app?.secrets[0];
          return {
            id: t.id,
            domain: t.domain,
            ...(app && secret ? { trellisApp: { clientId: app.clientId, clientSecret: secret } } : {}),
          };
        }),
      },
      null,
      2,
    ),
    { mode: 0o600 },
  );
  return {
    ...sandbox,
    origin,
    caPath: tls.caPath,
    caCert: tls.caCert,
    async close() {
      await sandbox.app.close();
      await store.flush();
    },
  };
}

if (import.meta.main) {
  try {
    const config = loadSandboxConfig(process.env);
    const running = await startSandbox(config, { logLevel: process.env.LOG_LEVEL ?? 'info' });
    process.stderr.write(
      `Microsoft 365 sandbox on ${running.origin} (CA ${running.caPath}); inspect at ${running.origin}/sandbox\n`,
    );
    const stop = () => void running.close().then(() => process.exit(0));
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
    // Started by Trellis (embedded mode): never outlive it, even if it was killed with SIGKILL.
    if (process.send) process.once('disconnect', stop);
  } catch (error) {
    process.stderr.write(`sandbox: ${(error as Error).message}\n`);
    process.exit(error instanceof SandboxConfigError ? 2 : 1);
  }
}
