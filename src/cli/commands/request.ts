import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { Agent, request as undiciRequest } from 'undici';
import { AppError, ErrorCode, errors } from '../../errors/index.ts';
import { loadCliConfig } from '../load-cli-config.ts';

const out = (text: string) => process.stdout.write(text);

/** Exit codes of `watch`: 0 completed, 3 completed with drift, 4 failed, 5 cancelled/rejected/expired. */
const EXIT = {
  completed: 0,
  completed_with_drift: 3,
  failed: 4,
  cancelled: 5,
  rejected: 5,
  expired: 5,
} as const;

interface ServerEvent {
  event: string;
  id: string | undefined;
  data: unknown;
}

/** Parses a text/event-stream body as it arrives. */
export async function* readEvents(body: AsyncIterable<Uint8Array | string>): AsyncGenerator<ServerEvent> {
  let buffer = '';
  const decoder = new TextDecoder();
  for await (const chunk of body) {
    buffer += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let event = 'message';
      let id: string | undefined;
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) continue;
        const at = line.indexOf(':');
        const field = at < 0 ? line : line.slice(0, at);
        const value = at < 0 ? '' : line.slice(at + 1).replace(/^ /, '');
        if (field === 'event') event = value;
        else if (field === 'id') id = value;
        else if (field === 'data') data.push(value);
      }
      if (data.length > 0) yield { event, id, data: JSON.parse(data.join('\n')) as unknown };
    }
  }
}

/** `[██████░░░░]  60%  Creating channels`, as wide as given. */
export function progressBar(percent: number, label: string, width = 30): string {
  const filled = Math.round((Math.max(0, Math.min(100, percent)) / 100) * width);
  return `[${'█'.repeat(filled)}${'░'.repeat(width - filled)}] ${String(percent).padStart(3)}%  ${label}`;
}

/** `trellis request watch`: follows a request's provisioning live, through the API's event stream. */
export function requestCommand(): Command {
  const request = new Command('request').description('Requests');
  request
    .command('watch')
    .description('Follow the provisioning of a request with a progress bar and its log, until it ends')
    .argument('<requestId>', 'the request id')
    .option('--url <url>', 'Trellis base URL (default: PUBLIC_URL)')
    .option('--token <token>', 'an API token with requests:read (default: $TRELLIS_TOKEN)')
    .option(
      '--ca-file <file>',
      'a CA to trust besides the system store (default: the local CA of DATA_DIR, if any)',
    )
    .option('--json', 'print each event as one JSON line instead of a progress bar')
    .action(
      async (
        requestId: string,
        options: { url?: string; token?: string; caFile?: string; json?: boolean },
      ) => {
        const config = loadCliConfig();
        const token = options.token ?? process.env.TRELLIS_TOKEN;
        if (!token) throw errors.validation('an API token is needed: --token or TRELLIS_TOKEN');
        if (!/^[0-9a-f-]{36}$/i.test(requestId)) throw errors.validation('the request id is a UUID');
        const base = (options.url ?? config.publicUrl).replace(/\/+$/, '');
        const localCa = path.join(config.dataDir, 'tls', 'ca.pem');
        const caFile = options.caFile ?? (existsSync(localCa) ? localCa : undefined);
        const dispatcher = new Agent(caFile ? { connect: { ca: readFileSync(caFile, 'utf8') } } : {});
        const tty = process.stdout.isTTY && !options.json;
        let lastEventId: string | undefined;
        let final: keyof typeof EXIT | undefined;
        let label = 'waiting';
        let percent = 0;
        try {
          // The server ends a stream after a while; reconnect with Last-Event-ID until the run ends.
          while (!final) {
            const res = await undiciRequest(`${base}/api/v1/requests/${requestId}/events`, {
              dispatcher,
              headers: {
                authorization: `Bearer ${token}`,
                accept: 'text/event-stream',
                ...(lastEventId ? { 'last-event-id': lastEventId } : {}),
              },
            });
            if (res.statusCode !== 200) {
              const text = await res.body.text();
              const problem = (() => {
                try {
                  return JSON.parse(text) as { detail?: string };
                } catch {
                  return {};
                }
              })();
              throw new AppError(
                res.statusCode === 404 ? ErrorCode.NotFound : ErrorCode.BadRequest,
                `${res.statusCode}: ${problem.detail ?? text.slice(0, 200)}`,
              );
            }
            for await (const e of readEvents(res.body)) {
              if (e.id) lastEventId = e.id;
              const data = e.data as Record<string, unknown>;
              if (options.json)
                out(`${JSON.stringify({ event: e.event, ...(e.id ? { id: e.id } : {}), data })}\n`);
              if (e.event === 'log') {
                const line = `${String(data.at).slice(11, 19)} ${data.level === 'info' ? ' ' : data.level === 'warn' ? '!' : '✗'} ${String(data.message)}`;
                if (tty) out(`\r\x1b[2K${line}\n${progressBar(percent, label)}`);
                else if (!options.json) out(`${line}\n`);
              } else if (e.event === 'progress') {
                percent = Number(data.progress ?? 0);
                label = String(data.currentStep ?? data.status);
                if (tty) out(`\r\x1b[2K${progressBar(percent, label)}`);
                else if (!options.json) out(`${progressBar(percent, label)}\n`);
              } else if (e.event === 'status' && !options.json && !tty) {
                out(`request ${String(data.status)}\n`);
              } else if (e.event === 'done') {
                final = String(data.status) as keyof typeof EXIT;
                if (!options.json) {
                  const team = data.teamId ? ` — team ${String(data.teamId)}` : '';
                  out(
                    `${tty ? '\r\x1b[2K' : ''}${progressBar(final === 'completed' ? 100 : percent, final)}${team}\n`,
                  );
                }
              }
            }
          }
        } finally {
          await dispatcher.close();
        }
        process.exitCode = EXIT[final] ?? 1;
      },
    );
  return request;
}
