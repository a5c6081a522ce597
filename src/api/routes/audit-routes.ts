import { Readable } from 'node:stream';
import { Type } from 'typebox';
import { exportAudit, listAudit } from '../../audit/index.ts';
import { errors } from '../../errors/index.ts';
import type { ApiRoutes } from '../api-types.ts';
import { DEFAULT_PAGE_SIZE, PageQuery, pageOf } from '../pagination.ts';
import { callerOf } from '../request-context.ts';
import { DateTime, errorResponses } from '../schemas.ts';

const TAGS = ['Audit'];

export const AuditEventSchema = Type.Object({
  eventId: Type.String({ format: 'uuid' }),
  occurredAt: DateTime,
  actor: Type.Object({
    type: Type.Union([Type.Literal('user'), Type.Literal('api_token'), Type.Literal('system')]),
    id: Type.String(),
    name: Type.Union([Type.String(), Type.Null()]),
  }),
  action: Type.String({ description: 'Dotted, lowercase: `token.created`, `request.approved` …' }),
  target: Type.Object({ type: Type.String(), id: Type.String() }),
  before: Type.Unknown(),
  after: Type.Unknown(),
  source: Type.Object({
    ip: Type.Union([Type.String(), Type.Null()]),
    userAgent: Type.Union([Type.String(), Type.Null()]),
    requestId: Type.Union([Type.String(), Type.Null()]),
  }),
});

export const AuditFilterQuery = Type.Object({
  action: Type.Optional(
    Type.String({ maxLength: 200, description: 'Exact action, or a prefix ending in `.*` (`request.*`).' }),
  ),
  actor: Type.Optional(Type.String({ maxLength: 200, description: 'Actor id (user object id, token id).' })),
  targetType: Type.Optional(Type.String({ maxLength: 100 })),
  targetId: Type.Optional(Type.String({ maxLength: 200 })),
  from: Type.Optional(Type.String({ format: 'date-time', description: 'Inclusive.' })),
  to: Type.Optional(Type.String({ format: 'date-time', description: 'Exclusive.' })),
});

function filterOf(q: {
  action?: string;
  actor?: string;
  targetType?: string;
  targetId?: string;
  from?: string;
  to?: string;
}) {
  const from = q.from ? new Date(q.from) : undefined;
  const to = q.to ? new Date(q.to) : undefined;
  if (from && to && from >= to)
    throw errors.validation('`from` must be before `to`', { from: q.from, to: q.to });
  return { action: q.action, actorId: q.actor, targetType: q.targetType, targetId: q.targetId, from, to };
}

/** The tenant's audit trail: filtered pages, and whole exports as CSV or JSON, streamed. */
export const auditRoutes: ApiRoutes = async (app, deps) => {
  app.get(
    '/audit',
    {
      config: { access: 'audit:read', cost: 'search' },
      schema: {
        tags: TAGS,
        operationId: 'listAuditEvents',
        summary: 'Audit events, newest first, filtered',
        querystring: Type.Object({ ...PageQuery.properties, ...AuditFilterQuery.properties }),
        response: { 200: pageOf(AuditEventSchema), ...errorResponses(400) },
      },
    },
    async (request) => {
      const q = request.query;
      const page = await listAudit(deps.db, callerOf(request).tenantId, {
        ...filterOf(q),
        limit: q.limit ?? DEFAULT_PAGE_SIZE,
        cursor: q.cursor,
      });
      return { items: page.events, nextCursor: page.nextCursor };
    },
  );

  app.get(
    '/audit/export',
    {
      config: { access: 'audit:read', cost: 'search' },
      schema: {
        tags: TAGS,
        operationId: 'exportAuditEvents',
        summary: 'Export the filtered audit trail as CSV or a JSON array (streamed)',
        querystring: Type.Object({
          format: Type.Union([Type.Literal('csv'), Type.Literal('json')], { default: 'csv' }),
          ...AuditFilterQuery.properties,
        }),
        response: {
          200: {
            description: 'The events, newest first',
            content: {
              'text/csv': { schema: Type.String({ description: 'RFC 4180, one header row' }) },
              'application/json': { schema: Type.Array(AuditEventSchema) },
            },
          },
          ...errorResponses(400),
        },
      },
    },
    async (request, reply) => {
      const { format = 'csv', ...rest } = request.query;
      const filter = filterOf(rest);
      const tenantId = callerOf(request).tenantId;
      const stamp = new Date().toISOString().slice(0, 10);
      const lines = exportAudit(deps.db, tenantId, filter, format === 'csv' ? 'csv' : 'jsonl');
      const body =
        format === 'csv'
          ? lines
          : (async function* asArray() {
              let first = true;
              yield '[';
              for await (const line of lines) {
                yield `${first ? '' : ','}${line.trimEnd()}`;
                first = false;
              }
              yield ']\n';
            })();
      return reply
        .type(format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8')
        .header('content-disposition', `attachment; filename="trellis-audit-${stamp}.${format}"`)
        .header('cache-control', 'no-store')
        .send(Readable.from(body) as never);
    },
  );
};
