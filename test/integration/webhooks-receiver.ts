import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ensureLocalCertificate } from '../../src/server/tls/local-ca.ts';

/** One request a receiver got: its path, headers and raw body, as an integrator's endpoint sees them. */
export interface Received {
  path: string;
  headers: Record<string, string>;
  body: string;
  status: number;
}

export interface Receiver {
  /** `https://127.0.0.1:PORT` */
  url: string;
  caPath: string;
  received: Received[];
  /** The status to answer for a path (default 200); a function sees how many requests that path had. */
  answer(pathname: string, status: number | ((count: number) => number)): void;
  waitFor(predicate: (all: Received[]) => boolean, ms?: number, what?: string): Promise<Received[]>;
  close(): Promise<void>;
}

/** A local HTTPS webhook receiver with a throwaway CA (`caPath` is given to Trellis as WEBHOOK_CA_FILE). */
export async function startReceiver(): Promise<Receiver> {
  const dir = await mkdtemp(path.join(tmpdir(), 'trellis-receiver-'));
  const tls = await ensureLocalCertificate(dir, ['localhost', '127.0.0.1'], 'Receiver Test CA');
  const received: Received[] = [];
  const answers = new Map<string, number | ((count: number) => number)>();
  const server: Server = createServer({ cert: tls.cert, key: tls.key }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const pathname = new URL(req.url ?? '/', 'https://x').pathname;
      const count = received.filter((r) => r.path === pathname).length;
      const rule = answers.get(pathname) ?? 200;
      const status = typeof rule === 'function' ? rule(count) : rule;
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
      received.push({ path: pathname, headers, body: Buffer.concat(chunks).toString('utf8'), status });
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : 'nope');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `https://127.0.0.1:${port}`,
    caPath: tls.caPath,
    received,
    answer: (pathname, status) => answers.set(pathname, status),
    async waitFor(predicate, ms = 15_000, what = 'the expected requests') {
      const deadline = Date.now() + ms;
      while (!predicate(received)) {
        if (Date.now() > deadline) {
          throw new Error(
            `Timed out waiting for ${what}; got ${JSON.stringify(received.map((r) => r.path))}`,
          );
        }
        await new Promise((r) => setTimeout(r, 50));
      }
      return received;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
