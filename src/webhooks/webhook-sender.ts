import { rootCertificates } from 'node:tls';
import { isIP } from 'node:net';
import { Agent, request } from 'undici';
import { DestinationRefused, guardedLookup, isPrivateAddress } from './webhook-destination.ts';

/** How one HTTP attempt ended: a status code, or an error (never a secret, never the body sent). */
export interface AttemptOutcome {
  statusCode: number | null;
  error: string | null;
  responseMs: number;
}

export interface WebhookSender {
  post(url: string, headers: Record<string, string>, body: string): Promise<AttemptOutcome>;
  close(): Promise<void>;
}

export const DELIVERY_TIMEOUT_MS = 10_000;

/**
 * POSTs deliveries. Private addresses are refused at connection time (unless allowed), redirects
 * are not followed (a redirect could lead anywhere), certificates are always verified: an extra CA
 * can be trusted for receivers on a private PKI.
 */
export function createWebhookSender(options: {
  allowPrivateNetworks: boolean;
  caPem?: string | undefined;
  timeoutMs?: number;
}): WebhookSender {
  const timeoutMs = options.timeoutMs ?? DELIVERY_TIMEOUT_MS;
  const agent = new Agent({
    connect: {
      lookup: guardedLookup(options.allowPrivateNetworks),
      ...(options.caPem ? { ca: [...rootCertificates, options.caPem] } : {}),
      timeout: timeoutMs,
    },
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    keepAliveTimeout: 4_000,
  });

  return {
    async post(url, headers, body) {
      const started = performance.now();
      const elapsed = () => Math.round(performance.now() - started);
      try {
        const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
        // An IP literal is connected to without a lookup: check it here.
        if (!options.allowPrivateNetworks && isIP(host) && isPrivateAddress(host)) {
          throw new DestinationRefused(`${host} is a private or loopback address`);
        }
        const response = await request(url, {
          method: 'POST',
          headers,
          body,
          dispatcher: agent,
          signal: AbortSignal.timeout(timeoutMs),
        });
        // Only the status matters; the body is drained (bounded by the timeout) to reuse the socket.
        await response.body.dump({ limit: 64 * 1024 }).catch(() => {});
        return { statusCode: response.statusCode, error: null, responseMs: elapsed() };
      } catch (error) {
        return { statusCode: null, error: describe(error, timeoutMs), responseMs: elapsed() };
      }
    },
    close: () => agent.close(),
  };
}

function describe(error: unknown, timeoutMs: number): string {
  const e = error as { name?: string; code?: string; message?: string; cause?: unknown };
  if (
    e.name === 'TimeoutError' ||
    e.code === 'UND_ERR_HEADERS_TIMEOUT' ||
    e.code === 'UND_ERR_CONNECT_TIMEOUT'
  ) {
    return `Timed out after ${timeoutMs / 1000} s`;
  }
  const cause = e.cause as { code?: string; message?: string } | undefined;
  const root = e instanceof DestinationRefused || e.code === 'EPRIVATEADDRESS' ? e : (cause ?? e);
  const code = (root as { code?: string }).code;
  const message = (root as { message?: string }).message ?? String(error);
  return (code && !message.includes(code) ? `${code}: ${message}` : message).slice(0, 500);
}
