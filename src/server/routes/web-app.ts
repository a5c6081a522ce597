import { readFile } from 'node:fs/promises';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { errors } from '../../errors/index.ts';

const escapeAttribute = (value: string) =>
  value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Where `npm run build:web` (Vite) writes the tabs. */
export const WEB_DIST = path.resolve(import.meta.dirname, '..', '..', '..', 'web', 'dist');
/** The five personal tabs, plus the pages the app manifest links to. */
export const TAB_PATHS = ['catalog', 'requests', 'approvals', 'governance', 'admin'] as const;

/**
 * Serves the tabs: `/tabs/<tab>[/…]`, `/privacy` and `/terms` get the single-page app's HTML
 * (never cached, so a deployment takes effect at once); `/assets/*` are Vite's content-hashed
 * files, cached for a year.
 */
export async function registerWebApp(
  app: FastifyInstance,
  options: { distDir?: string; teamsHosts?: readonly string[] } = {},
): Promise<void> {
  const distDir = options.distDir ?? WEB_DIST;
  // Teams hosts besides Microsoft's (which Teams JS knows): the sandbox's Teams client in embedded mode.
  const hostsMeta = options.teamsHosts?.length
    ? `<meta name="trellis-teams-hosts" content="${options.teamsHosts.map(escapeAttribute).join(' ')}" />`
    : '';
  let html: Promise<string> | undefined;
  const page = () =>
    (html ??= readFile(path.join(distDir, 'index.html'), 'utf8')
      .then((text) => text.replace('</head>', `${hostsMeta}</head>`))
      .catch((cause: unknown) => {
        html = undefined;
        throw Object.assign(
          errors.unavailable('The web app is not built: run `npm run build:web` (npm start does it)'),
          { cause },
        );
      }));

  await app.register(fastifyStatic, {
    root: path.join(distDir, 'assets'),
    prefix: '/assets/',
    decorateReply: false,
    immutable: true,
    maxAge: 365 * 24 * 3600_000,
    index: false,
    // The folder may not exist before the first build: answer 404, do not fail start-up.
    allowedPath: () => true,
  });

  const sendPage = async (reply: FastifyReply) =>
    reply
      .header('cache-control', 'no-cache')
      .type('text/html; charset=utf-8')
      .send(await page());

  for (const tab of TAB_PATHS) {
    app.get(`/tabs/${tab}`, { schema: { hide: true } }, (_request, reply) => sendPage(reply));
    app.get(`/tabs/${tab}/*`, { schema: { hide: true } }, (_request, reply) => sendPage(reply));
  }
  for (const p of ['/privacy', '/terms', '/tabs/config']) {
    app.get(p, { schema: { hide: true } }, (_request, reply) => sendPage(reply));
  }
  app.get('/favicon.svg', { schema: { hide: true } }, async (_request, reply) =>
    reply
      .header('cache-control', 'public, max-age=86400')
      .type('image/svg+xml')
      .send(await readFile(path.join(distDir, 'favicon.svg')).catch(() => '')),
  );
  app.get('/tabs', { schema: { hide: true } }, (_request, reply) => reply.redirect('/tabs/catalog', 302));
}
