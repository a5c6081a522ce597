import { type ChildProcess, spawn } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Agent, request } from 'undici';
import type { Config } from '../config.ts';
import { AppError, ErrorCode } from '../errors/index.ts';
import type { Logger } from '../telemetry/index.ts';
import { WEB_CALLBACK_PATH } from '../identity/web-sign-in.ts';

/** What the sandbox publishes in `DATA_DIR/sandbox/endpoints.json` once it listens. */
interface Endpoints {
  origin: string;
  caPath: string;
  tenants: { id: string; domain: string; trellisApp?: { clientId: string; clientSecret: string } }[];
}

export interface EmbeddedSandbox {
  origin: string;
  /** The configuration with its Microsoft 365 settings pointed at the sandbox. */
  config: Config;
  /** Tells the sandbox's Bot Framework where Trellis's bot listens, and which CA to trust for it. */
  registerBot(endpoint: string, caCert: string | undefined): Promise<void>;
  /** Adds the web sign-in redirect URI and App ID URI of these origins to Trellis's app registration. */
  registerWebApp(origins: string[]): Promise<void>;
  stop(): Promise<void>;
}

// The sandbox is its own program: Trellis starts it as a child process and learns its endpoints
// from the file it writes, never by importing it.
const SANDBOX_ENTRY = fileURLToPath(new URL('../../sandbox/main.ts', import.meta.url));

/**
 * Starts the Microsoft 365 sandbox (embedded mode: no tenant configured) and returns the
 * configuration pointed at it: authority, Graph, Bot Framework metadata and its CA.
 * @throws AppError(service_unavailable) when it does not come up within `timeoutMs`.
 */
export async function startEmbeddedSandbox(
  config: Config,
  log: Logger,
  timeoutMs = 30_000,
): Promise<EmbeddedSandbox> {
  const dir = path.join(config.dataDir, 'sandbox');
  const endpointsFile = path.join(dir, 'endpoints.json');
  await rm(endpointsFile, { force: true });
  const child: ChildProcess = spawn(process.execPath, [SANDBOX_ENTRY], {
    env: {
      PATH: process.env.PATH,
      SANDBOX_PORT: String(config.m365.sandboxPort),
      SANDBOX_DATA_DIR: dir,
      SANDBOX_FAULTS: 'realistic',
      LOG_LEVEL: config.logLevel === 'silent' ? 'silent' : 'warn',
    },
    // The IPC channel closes when Trellis dies, however it dies: the sandbox then exits too.
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const endpoints = await new Promise<Endpoints>((resolve, reject) => {
    const deadline = setTimeout(() => finish(new Error(`no answer within ${timeoutMs / 1000} s`)), timeoutMs);
    const poll = setInterval(() => {
      readFile(endpointsFile, 'utf8').then(
        (text) => finish(undefined, JSON.parse(text) as Endpoints),
        () => {},
      );
    }, 100);
    void exited.then((code) => finish(new Error(`it exited with code ${code}`)));
    let done = false;
    function finish(error?: Error, value?: Endpoints) {
      if (done) return;
      done = true;
      clearTimeout(deadline);
      clearInterval(poll);
      if (error || !value) {
        child.kill('SIGKILL');
        reject(
          new AppError(
            ErrorCode.Unavailable,
            `The Microsoft 365 sandbox did not start (${error?.message}); is port ${config.m365.sandboxPort} free? Set SANDBOX_PORT or M365_TENANT_ID.`,
          ),
        );
      } else resolve(value);
    }
  });

  const tenant = endpoints.tenants.find((t) => t.trellisApp) ?? endpoints.tenants[0];
  const m365: Config['m365'] = {
    ...config.m365,
    mode: 'sandbox',
    tenantId: tenant?.id,
    clientId: tenant?.trellisApp?.clientId,
    clientSecret: tenant?.trellisApp?.clientSecret,
    authorityHost: endpoints.origin,
    graphBaseUrl: endpoints.origin,
    botOpenIdMetadataUrl: `${endpoints.origin}/v1/.well-known/openidconfiguration`,
    botServiceUrl: `${endpoints.origin}/`,
    caFile: endpoints.caPath,
  };
  log.info({ origin: endpoints.origin, tenantId: m365.tenantId }, 'Microsoft 365 sandbox started');

  /** A call to the sandbox's own API (what an admin would do in the Entra or Bot Framework portal). */
  async function callSandbox(method: 'PUT' | 'PATCH', apiPath: string, body: unknown): Promise<void> {
    const ca = await readFile(endpoints.caPath, 'utf8');
    const dispatcher = new Agent({ connect: { ca } });
    try {
      const res = await request(`${endpoints.origin}${apiPath}`, {
        method,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        dispatcher,
      });
      await res.body.dump();
      if (res.statusCode >= 300)
        log.warn({ status: res.statusCode, path: apiPath }, 'the sandbox refused a registration');
    } finally {
      await dispatcher.close();
    }
  }
  return {
    origin: endpoints.origin,
    config: Object.freeze({ ...config, m365: Object.freeze(m365) }),
    async registerBot(endpoint, caCert) {
      const appId = m365.clientId;
      if (!appId) return;
      await callSandbox('PUT', `/sandbox/api/bots/${encodeURIComponent(appId)}`, {
        endpoint,
        caCert: caCert ?? null,
      });
    },
    async registerWebApp(origins) {
      const appId = m365.clientId;
      if (!appId || !m365.tenantId) return;
      const hosts = [...new Set(origins.map((o) => new URL(o).host))];
      await callSandbox(
        'PATCH',
        `/sandbox/api/tenants/${encodeURIComponent(m365.tenantId)}/apps/${encodeURIComponent(appId)}`,
        {
          addRedirectUris: hosts.map((h) => `https://${h}${WEB_CALLBACK_PATH}`),
          addIdentifierUris: hosts.map((h) => `api://${h}/${appId}`),
        },
      );
    },
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}
