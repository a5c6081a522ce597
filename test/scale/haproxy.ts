import { type ChildProcess, spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';

/** One web instance behind HAProxy. */
export interface Backend {
  name: string;
  port: number;
}

export interface HaproxyOptions {
  /** Folder for the configuration, the certificate bundle and the runtime API socket. */
  dir: string;
  /** Loopback port of the HTTPS frontend. */
  port: number;
  /** PEM certificate chain followed by its private key (HAProxy's `crt` bundle). */
  certAndKey: string;
  backends: readonly Backend[];
  /**
   * Address HAProxy connects to the instances from: the one (and only) address the instances list in
   * TRUSTED_PROXIES and ALLOWED_SOURCES, so that clients on other addresses cannot pose as the proxy.
   */
  sourceAddress: string;
}

/**
 * The configuration docs/scale-out.md shows: TLS ends at HAProxy; `/readyz` is checked every 500 ms
 * and two failures take an instance out (two successes bring it back); a connection that fails is
 * retried, on another instance if need be; a request whose connection closed before any answer is
 * replayed only when that is safe (GET/HEAD, or a POST carrying an Idempotency-Key).
 */
export function haproxyConfig(options: HaproxyOptions & { socket: string; bundle: string }): string {
  return [
    'global',
    `  stats socket ${options.socket} mode 600 level admin`,
    '',
    'defaults',
    '  mode http',
    '  timeout connect 2s',
    '  timeout client 60s',
    '  timeout server 60s',
    '  timeout http-request 10s',
    // Above the clients' own idle timeout (undici: 4 s), so a client never reuses a socket HAProxy is closing.
    '  timeout http-keep-alive 30s',
    '  timeout check 1s',
    '  retries 3',
    '  option redispatch 1',
    '  retry-on conn-failure empty-response',
    '',
    'frontend trellis',
    `  bind 127.0.0.1:${options.port} ssl crt ${options.bundle} alpn http/1.1`,
    '  http-request set-header X-Forwarded-Proto https',
    '  option forwardfor',
    '  default_backend trellis_web',
    '',
    'backend trellis_web',
    '  balance roundrobin',
    '  option httpchk',
    '  http-check send meth GET uri /readyz ver HTTP/1.1 hdr Host localhost',
    '  http-check expect status 200',
    '  http-request disable-l7-retry unless METH_GET || { req.hdr(idempotency-key) -m found }',
    `  default-server check inter 500ms fastinter 250ms downinter 500ms fall 2 rise 2 source ${options.sourceAddress}`,
    ...options.backends.map((b) => `  server ${b.name} 127.0.0.1:${b.port}`),
    '',
  ].join('\n');
}

/** One row of `show stat`, by column name (`pxname`, `svname`, `status`, `wretr`, `hrsp_5xx` …). */
export type StatRow = Record<string, string>;

export interface RunningHaproxy {
  /** `https://localhost:PORT`. */
  url: string;
  /** Rows of the runtime API's `show stat`. */
  stats(): Promise<StatRow[]>;
  /** Resolves once HAProxy's checks see `backend` in `state` (UP or DOWN). */
  waitFor(backend: string, state: 'UP' | 'DOWN', timeoutMs?: number): Promise<void>;
  /** HAProxy's output so far (alerts and warnings). */
  output(): string;
  stop(): Promise<void>;
}

/** Sends one command to the runtime API socket and returns its whole answer. */
function runtimeCommand(socket: string, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const conn = net.connect(socket, () => conn.end(`${command}\n`));
    let answer = '';
    conn.setEncoding('utf8');
    conn.on('data', (chunk: string) => {
      answer += chunk;
    });
    conn.on('end', () => resolve(answer));
    conn.on('error', reject);
  });
}

function parseStat(csv: string): StatRow[] {
  const lines = csv.split('\n').filter((l) => l.trim() !== '');
  const header = lines[0]?.replace(/^# /, '').split(',') ?? [];
  return lines.slice(1).map((line) => {
    const cells = line.split(',');
    return Object.fromEntries(header.map((name, i) => [name, cells[i] ?? '']));
  });
}

/** Writes the configuration and runs Debian's `haproxy -f cfg -db` (foreground) until stopped. */
export async function startHaproxy(options: HaproxyOptions): Promise<RunningHaproxy> {
  const socket = path.join(options.dir, 'haproxy.sock');
  const bundle = path.join(options.dir, 'frontend.pem');
  const cfg = path.join(options.dir, 'haproxy.cfg');
  await writeFile(bundle, options.certAndKey, { mode: 0o600 });
  await writeFile(cfg, haproxyConfig({ ...options, socket, bundle }));
  const child: ChildProcess = spawn('haproxy', ['-f', cfg, '-db'], {
    // Debian installs it in /usr/sbin, which a non-root PATH may lack.
    env: { ...process.env, PATH: `${process.env.PATH ?? ''}:/usr/sbin:/usr/local/sbin` },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const collect = (d: Buffer) => {
    out = (out + d.toString()).slice(-20_000);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  let spawnError: Error | undefined;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.once('error', (error) => {
      spawnError = error;
      resolve();
    });
  });

  const stats = async () => parseStat(await runtimeCommand(socket, 'show stat'));
  const until = Date.now() + 10_000;
  for (;;) {
    if (spawnError) throw new Error(`haproxy did not start (apt-get install haproxy): ${spawnError.message}`);
    if (child.exitCode !== null) throw new Error(`haproxy exited ${child.exitCode}:\n${out}`);
    if (
      await stats().then(
        () => true,
        () => false,
      )
    )
      break;
    if (Date.now() > until) throw new Error(`haproxy did not open its runtime API:\n${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }

  return {
    url: `https://localhost:${options.port}`,
    stats,
    async waitFor(backend, state, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      let last = '';
      while (Date.now() < deadline) {
        const row = (await stats()).find((r) => r.pxname === 'trellis_web' && r.svname === backend);
        last = row?.status ?? '(absent)';
        // "UP 1/2" and "DOWN 1/2" are transitions: wait for the settled state.
        if (last === state) return;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`HAProxy never saw ${backend} ${state} within ${timeoutMs} ms (last: ${last})`);
    },
    output: () => out,
    async stop() {
      if (child.exitCode === null && !spawnError) child.kill('SIGTERM');
      await exited;
    },
  };
}
