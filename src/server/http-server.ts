import http from 'node:http';
import https from 'node:https';
import type { FastifyServerFactory } from 'fastify';
import type { Config } from '../config.ts';
import { tlsServerOptions } from './tls/index.ts';

/**
 * The Node server under Fastify, with the TLS policy and the timeouts that close slow-header and
 * slow-body connections within seconds (Node's defaults allow a minute and check every 30 s).
 */
export function serverFactoryFor(
  config: Config,
  tls: { cert: string; key: string } | undefined,
): FastifyServerFactory {
  const timeouts = {
    headersTimeout: config.timeouts.headersMs,
    requestTimeout: config.timeouts.requestMs,
    keepAliveTimeout: config.timeouts.keepAliveMs,
    connectionsCheckingInterval: Math.min(1000, config.timeouts.headersMs),
    maxHeaderSize: 16_384,
  };
  return (handler) => {
    const server = tls
      ? https.createServer({ ...tlsServerOptions(tls), ...timeouts }, handler)
      : http.createServer(timeouts, handler);
    // Idle TLS handshakes count too: a client that opens a socket and says nothing is cut.
    server.setTimeout(config.timeouts.requestMs);
    return server;
  };
}

/**
 * Optional plain-HTTP listener: browser pages are redirected to HTTPS, API calls are refused
 * (never redirected: the credential would already have crossed the network in clear).
 */
export function createRedirectServer(config: Config): http.Server {
  const server = http.createServer(
    {
      headersTimeout: config.timeouts.headersMs,
      requestTimeout: config.timeouts.headersMs,
      connectionsCheckingInterval: 1000,
    },
    (req, res) => {
      const url = req.url ?? '/';
      const isPage = (req.method === 'GET' || req.method === 'HEAD') && !url.startsWith('/api/');
      res.setHeader('x-content-type-options', 'nosniff');
      res.setHeader('content-security-policy', "default-src 'none'; frame-ancestors 'none'");
      if (isPage) {
        res.writeHead(308, { location: `${config.publicUrl}${url.startsWith('/') ? url : '/'}` });
        res.end();
        return;
      }
      res.writeHead(403, { 'content-type': 'application/problem+json', connection: 'close' });
      res.end(
        JSON.stringify({
          type: 'urn:trellis:problem:https_required',
          title: 'Forbidden',
          status: 403,
          detail: 'This API is served over HTTPS only; plain HTTP is refused.',
          code: 'https_required',
        }),
      );
    },
  );
  return server;
}
