import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { ApiRoutes } from '../api/api-types.ts';
import { ProblemSchema } from '../api/schemas.ts';
import type { Config } from '../config.ts';
import { errors } from '../errors/index.ts';
import { fetchCertificateReport } from './certificate-report.ts';
import { allowlist, internalFlows } from './domains.ts';
import { flowDiagram } from './flow-diagram.ts';
import { networkPage } from './network-page.ts';
import { isProxyAddress, proxyPac } from './proxy-pac.ts';
import { securityTxt } from './security-txt.ts';

const EntrySchema = Type.Object({
  id: Type.Integer(),
  host: Type.String(),
  port: Type.Integer(),
  protocol: Type.String(),
  direction: Type.String({ description: 'browser, server, both, or inbound (to Trellis)' }),
  flow: Type.String({ description: 'customer-trellis, trellis-service or teams-client' }),
  service: Type.String(),
  purpose: Type.String(),
  wildcard: Type.Boolean(),
});

/** One line per domain, for firewall and proxy teams who paste lists. */
export function domainsText(config: Config): string {
  return `${allowlist(config)
    .map((e) => `${e.id}\t${e.host}\t${e.protocol}/${e.port}\t${e.direction}\t${e.service}: ${e.purpose}`)
    .join('\n')}\n`;
}

/** `GET /network/certificate` and `GET /network/domains`: public, for customers' network teams. */
export const networkApiRoutes: ApiRoutes = async (app, deps) => {
  app.get(
    '/network/certificate',
    {
      config: { access: 'public' },
      schema: {
        tags: ['Network'],
        operationId: 'getNetworkCertificate',
        summary:
          'The certificate this deployment serves: names, issuer, validity, key, fingerprint, SPKI pin',
        response: {
          200: Type.Object({ domain: Type.String(), spkiPin: Type.String() }, { additionalProperties: true }),
          429: ProblemSchema,
          503: ProblemSchema,
        },
      },
    },
    async (_request, reply) => {
      const report = await fetchCertificateReport(deps.config);
      return reply.header('cache-control', 'public, max-age=600').send(report);
    },
  );
  app.get(
    '/network/domains',
    {
      config: { access: 'public' },
      schema: {
        tags: ['Network'],
        operationId: 'listNetworkDomains',
        summary: 'The domains this deployment serves and calls, with purpose, direction, port and protocol',
        querystring: Type.Object({
          format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('text')])),
        }),
        response: {
          200: Type.Object({
            domains: Type.Array(EntrySchema),
            internal: Type.Array(Type.Object({}, { additionalProperties: true })),
          }),
          429: ProblemSchema,
        },
      },
    },
    async (request, reply) => {
      reply.header('cache-control', 'public, max-age=300');
      if ((request.query as { format?: string }).format === 'text') {
        return reply.type('text/plain; charset=utf-8').send(domainsText(deps.config) as never);
      }
      return { domains: allowlist(deps.config), internal: internalFlows(deps.config) };
    },
  );
};

/**
 * Outside the API: the proxy auto-config file, the flow diagram, the network page and
 * `/.well-known/security.txt`. All public: they describe the deployment, never a tenant.
 */
export async function registerNetworkPages(app: FastifyInstance, config: Config): Promise<void> {
  app.get<{ Querystring: { proxy?: string } }>('/network/proxy.pac', async (request, reply) => {
    const proxy = request.query.proxy;
    if (proxy !== undefined && !isProxyAddress(proxy)) {
      throw errors.validation('proxy must be host:port, e.g. proxy.contoso.com:8080');
    }
    return reply
      .type('application/x-ns-proxy-autoconfig')
      .header('cache-control', 'public, max-age=300')
      .send(proxyPac(allowlist(config), { source: config.publicUrl, ...(proxy ? { proxy } : {}) }));
  });
  app.get('/network/flows.svg', async (_request, reply) =>
    reply
      .type('image/svg+xml; charset=utf-8')
      .header('cache-control', 'public, max-age=300')
      .send(
        flowDiagram(allowlist(config), internalFlows(config), `Trellis network flows — ${config.publicUrl}`),
      ),
  );
  app.get('/network', async (_request, reply) => {
    const report = await fetchCertificateReport(config).catch(() => null);
    return reply.type('text/html; charset=utf-8').send(networkPage(config, report));
  });
  app.get('/.well-known/security.txt', async (_request, reply) =>
    reply
      .type('text/plain; charset=utf-8')
      .header('cache-control', 'public, max-age=86400')
      .send(securityTxt(config)),
  );
}
