import { rootCertificates } from 'node:tls';
import {
  ClientAuthError,
  ClientAuthErrorCodes,
  type INetworkModule,
  type NetworkRequestOptions,
  type NetworkResponse,
} from '@azure/msal-node';
import { Agent, fetch } from 'undici';

export interface MsalNetworkClientOptions {
  /** PEM CA certificate(s) trusted in addition to the public roots (a local sandbox, a TLS-inspecting proxy). */
  ca?: string | readonly string[] | undefined;
  /** Timeout of a request when MSAL gives none (POSTs), in milliseconds. */
  timeoutMs?: number;
}

/** MSAL's network module over undici, plus `close()` to release its connections on shutdown. */
export interface MsalNetworkClient extends INetworkModule {
  close(): Promise<void>;
}

/**
 * The HTTP client MSAL uses (`system.networkClient`): undici with an extra trusted CA besides the
 * public roots, so that MSAL talks to a sandbox authority without certificate checks being switched
 * off, and to login.microsoftonline.com in production with the same code. It behaves as MSAL's own
 * client: JSON bodies, headers lower-cased, HTTP error statuses returned (MSAL reads Entra's error JSON).
 */
export function createMsalNetworkClient(options: MsalNetworkClientOptions = {}): MsalNetworkClient {
  const extraCa =
    options.ca === undefined ? [] : typeof options.ca === 'string' ? [options.ca] : [...options.ca];
  const dispatcher = new Agent({
    ...(extraCa.length > 0 ? { connect: { ca: [...rootCertificates, ...extraCa] } } : {}),
  });
  const defaultTimeoutMs = options.timeoutMs ?? 30_000;

  const send = async <T>(
    method: 'GET' | 'POST',
    url: string,
    request: NetworkRequestOptions | undefined,
    timeoutMs: number | undefined,
  ): Promise<NetworkResponse<T>> => {
    let response: Awaited<ReturnType<typeof fetch>>;
    try {
      response = await fetch(url, {
        method,
        headers: request?.headers ?? {},
        ...(method === 'POST' ? { body: request?.body ?? '' } : {}),
        signal: AbortSignal.timeout(timeoutMs ?? defaultTimeoutMs),
        dispatcher,
      });
    } catch (cause) {
      const reason =
        (cause as Error).name === 'TimeoutError'
          ? 'Request timeout'
          : `Network request failed: ${(cause as Error).message}${(cause as { cause?: Error }).cause ? ` (${(cause as { cause: Error }).cause.message})` : ''}`;
      throw new ClientAuthError(ClientAuthErrorCodes.networkError, request?.correlationId ?? '', reason);
    }
    const headers: Record<string, string> = {};
    response.headers.forEach((value, key) => {
      headers[key] = value;
    });
    let body: T;
    try {
      body = (await response.json()) as T;
    } catch (cause) {
      throw new ClientAuthError(
        ClientAuthErrorCodes.tokenParsingError,
        request?.correlationId ?? '',
        `Failed to parse response from ${url} (HTTP ${response.status}): ${(cause as Error).message}`,
      );
    }
    return { headers, body, status: response.status };
  };

  return {
    sendGetRequestAsync: (url, request, timeout) => send('GET', url, request, timeout),
    sendPostRequestAsync: (url, request) => send('POST', url, request, undefined),
    close: () => dispatcher.close(),
  };
}
