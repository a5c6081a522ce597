import type { FastifyInstance } from 'fastify';

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Trellis</title>
</head>
<body>
<main>
<h1>Trellis</h1>
<p>Governance for Microsoft Teams: templates, requests, approvals and provisioning.</p>
<p><a href="/tabs/catalog">Open Trellis</a></p>
<ul>
<li><a href="/readyz">Readiness</a></li>
<li><a href="/healthz">Liveness</a></li>
</ul>
</main>
</body>
</html>
`;

/** The landing page; the tabs replace it as they land. */
export async function homePage(app: FastifyInstance): Promise<void> {
  app.get('/', async (_request, reply) => reply.type('text/html; charset=utf-8').send(PAGE));
}
