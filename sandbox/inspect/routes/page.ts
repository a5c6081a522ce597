import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { ConnectorError } from '../../botframework/index.ts';

const ASSETS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'assets');
const ADAPTIVE_CARDS_DIR = path.join(
  path.dirname(createRequire(import.meta.url).resolve('adaptivecards/package.json')),
  'dist',
);

/** Files the page may load: the page's own, and the official Adaptive Cards renderer's browser bundle. */
const ASSETS: Record<string, { file: string; type: string }> = {
  'app.js': { file: path.join(ASSETS_DIR, 'app.js'), type: 'text/javascript; charset=utf-8' },
  'teams-client.js': {
    file: path.join(ASSETS_DIR, 'teams-client.js'),
    type: 'text/javascript; charset=utf-8',
  },
  'app.css': { file: path.join(ASSETS_DIR, 'app.css'), type: 'text/css; charset=utf-8' },
  'adaptivecards.js': {
    file: path.join(ADAPTIVE_CARDS_DIR, 'adaptivecards.min.js'),
    type: 'text/javascript; charset=utf-8',
  },
  'adaptivecards.css': {
    file: path.join(ADAPTIVE_CARDS_DIR, 'adaptivecards.css'),
    type: 'text/css; charset=utf-8',
  },
};

// Scripts come from this origin only (no inline script); cards may show images from anywhere.
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: https:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** `GET /sandbox` (the inspection page) and `GET /sandbox/assets/{file}`. */
export function pageRoutes(app: FastifyInstance): void {
  app.get('/sandbox', async (_request, reply) => {
    const html = await readFile(path.join(ASSETS_DIR, 'index.html'), 'utf8');
    return reply
      .type('text/html; charset=utf-8')
      .header('content-security-policy', CONTENT_SECURITY_POLICY)
      .header('cache-control', 'no-store')
      .send(html);
  });

  app.get<{ Params: { file: string } }>('/sandbox/assets/:file', async (request, reply) => {
    const asset = Object.hasOwn(ASSETS, request.params.file) ? ASSETS[request.params.file] : undefined;
    if (!asset) throw new ConnectorError(404, 'NotFound', `Asset ${request.params.file} not found.`);
    return reply
      .type(asset.type)
      .header('x-content-type-options', 'nosniff')
      .header('cache-control', 'no-cache')
      .send(await readFile(asset.file));
  });
}
