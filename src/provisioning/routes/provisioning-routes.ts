import { setTimeout as sleep } from 'node:timers/promises';
import { Type } from 'typebox';
import type { ApiRoutes } from '../../api/api-types.ts';
import { callerOf, signedInUser } from '../../api/request-context.ts';
import { DateTime, errorResponses, Uuid } from '../../api/schemas.ts';
import { errors } from '../../errors/index.ts';
import type { LogEntry } from '../run-repository.ts';
import { teamRoutes } from './team-routes.ts';

const TAGS = ['Provisioning'];
const TERMINAL = new Set(['completed', 'completed_with_drift', 'failed', 'cancelled']);
/** A stream lives this long; clients reconnect with Last-Event-ID (EventSource does it by itself). */
const STREAM_MAX_MS = 10 * 60_000;
const POLL_MS = 500;
const HEARTBEAT_MS = 15_000;

const RequestParams = Type.Object({ requestId: Uuid });

const RunErrorSchema = Type.Object({
  code: Type.String(),
  message: Type.String(),
  step: Type.Union([Type.String(), Type.Null()]),
  graphStatus: Type.Union([Type.Integer(), Type.Null()]),
  graphCode: Type.Union([Type.String(), Type.Null()]),
  graphRequestId: Type.Union([Type.String(), Type.Null()]),
});

const DifferenceSchema = Type.Object({
  path: Type.String(),
  kind: Type.Union([Type.Literal('missing'), Type.Literal('different'), Type.Literal('not_applied')]),
  expected: Type.Unknown(),
  actual: Type.Unknown(),
  step: Type.String(),
  forget: Type.Array(Type.String()),
  fixable: Type.Boolean(),
  reason: Type.Optional(Type.String()),
});

export const RunSchema = Type.Object(
  {
    runId: Uuid,
    requestId: Uuid,
    status: Type.Union([
      Type.Literal('queued'),
      Type.Literal('running'),
      Type.Literal('waiting'),
      Type.Literal('completed'),
      Type.Literal('completed_with_drift'),
      Type.Literal('failed'),
      Type.Literal('cancelled'),
    ]),
    progress: Type.Integer({ minimum: 0, maximum: 100 }),
    currentStep: Type.Union([Type.String(), Type.Null()]),
    teamId: Type.Union([Type.String(), Type.Null()]),
    attempt: Type.Integer(),
    template: Type.Object({ templateId: Uuid, version: Type.Integer() }),
    steps: Type.Array(
      Type.Object({
        name: Type.String(),
        title: Type.String(),
        status: Type.String(),
        attempts: Type.Integer(),
        version: Type.Integer(),
        startedAt: Type.Union([DateTime, Type.Null()]),
        finishedAt: Type.Union([DateTime, Type.Null()]),
        error: Type.Union([RunErrorSchema, Type.Null()]),
      }),
    ),
    error: Type.Union([RunErrorSchema, Type.Null()]),
    conformance: Type.Union([
      Type.Object({
        checkedAt: DateTime,
        matches: Type.Boolean(),
        checked: Type.Integer(),
        differences: Type.Array(DifferenceSchema),
      }),
      Type.Null(),
    ]),
    cleanup: Type.Union([Type.Literal('kept'), Type.Literal('removed'), Type.Null()]),
    createdAt: DateTime,
    startedAt: Type.Union([DateTime, Type.Null()]),
    finishedAt: Type.Union([DateTime, Type.Null()]),
    updatedAt: DateTime,
  },
  { description: 'A provisioning run: progress, steps, failure and conformance report' },
);

const LogEntrySchema = Type.Object({
  logId: Type.String(),
  at: DateTime,
  level: Type.Union([Type.Literal('info'), Type.Literal('warn'), Type.Literal('error')]),
  step: Type.Union([Type.String(), Type.Null()]),
  message: Type.String(),
  data: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]),
});

const PlannedOperationSchema = Type.Object({
  step: Type.String(),
  method: Type.String(),
  path: Type.String(),
  description: Type.String(),
  warning: Type.Optional(Type.String()),
});

/** Provisioning runs of requests (progress, log, live events, retry, cancel) and template plans. */
export const provisioningRoutes: ApiRoutes = async (app, deps) => {
  const engine = () => deps.domain.provisioning;
  const streams = new Set<AbortController>();
  app.addHook('preClose', async () => {
    for (const s of streams) s.abort();
  });
  await teamRoutes(app, deps);

  /** The request's run, after checking the caller may see the request. */
  const visibleRun = async (request: Parameters<typeof callerOf>[0], requestId: string) => {
    const caller = callerOf(request);
    await deps.domain.requests.get(caller, requestId);
    return { caller, run: await engine().runOf(caller.tenantId, requestId) };
  };

  app.get(
    '/requests/:requestId/provisioning',
    {
      config: { access: 'requests:read' },
      schema: {
        tags: TAGS,
        operationId: 'getProvisioningRun',
        summary: "A request's provisioning run: progress, current step, steps, error, conformance report",
        params: RequestParams,
        response: { 200: RunSchema, ...errorResponses(404) },
      },
    },
    async (request) => {
      const { run } = await visibleRun(request, request.params.requestId);
      if (!run) throw errors.notFound(`Provisioning run of request ${request.params.requestId}`);
      return run;
    },
  );

  app.get(
    '/requests/:requestId/provisioning/log',
    {
      config: { access: 'requests:read' },
      schema: {
        tags: TAGS,
        operationId: 'getProvisioningLog',
        summary: 'The human-readable log of a run, oldest first, after a given entry',
        params: RequestParams,
        querystring: Type.Object({
          after: Type.Optional(Type.String({ pattern: '^[0-9]{1,19}$' })),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 500 })),
        }),
        response: { 200: Type.Object({ items: Type.Array(LogEntrySchema) }), ...errorResponses(400, 404) },
      },
    },
    async (request) => {
      const { caller, run } = await visibleRun(request, request.params.requestId);
      if (!run) throw errors.notFound(`Provisioning run of request ${request.params.requestId}`);
      const items = await engine().logOf(
        caller.tenantId,
        run.runId,
        request.query.after ?? null,
        request.query.limit,
      );
      return { items };
    },
  );

  app.get(
    '/requests/:requestId/events',
    {
      config: { access: 'requests:read' },
      schema: {
        tags: TAGS,
        operationId: 'streamRequestEvents',
        summary:
          'Server-sent events of a request: `status` (request status), `progress` (run status, %, step), `log` (entries, id = logId, resumable with Last-Event-ID) and `done`',
        params: RequestParams,
        headers: Type.Object({ 'last-event-id': Type.Optional(Type.String({ pattern: '^[0-9]{1,19}$' })) }),
        response: {
          200: {
            description: 'text/event-stream',
            content: { 'text/event-stream': { schema: Type.String() } },
          },
          ...errorResponses(400, 404),
        },
      },
    },
    async (request, reply) => {
      const caller = callerOf(request);
      const requestId = request.params.requestId;
      await deps.domain.requests.get(caller, requestId);
      const controller = new AbortController();
      streams.add(controller);
      request.raw.on('close', () => controller.abort());
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      const send = (event: string, data: unknown, id?: string) => {
        res.write(`${id ? `id: ${id}\n` : ''}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
      };
      res.write(`retry: 2000\n\n`);
      let after: string | null = (request.headers['last-event-id'] as string | undefined) ?? null;
      let lastStatus = '';
      let lastProgress = '';
      let lastBeat = Date.now();
      const until = Date.now() + STREAM_MAX_MS;
      try {
        while (!controller.signal.aborted && Date.now() < until) {
          const view = await deps.domain.requests.get(caller, requestId);
          if (view.status !== lastStatus) {
            lastStatus = view.status;
            send('status', { status: view.status, teamId: view.teamId });
          }
          const run = await engine().runOf(caller.tenantId, requestId);
          if (run) {
            let entries: LogEntry[];
            do {
              entries = await engine().logOf(caller.tenantId, run.runId, after, 200);
              for (const e of entries) send('log', e, e.logId);
              after = entries.at(-1)?.logId ?? after;
            } while (entries.length === 200);
            const progress = JSON.stringify([run.status, run.progress, run.currentStep, run.teamId]);
            if (progress !== lastProgress) {
              lastProgress = progress;
              send('progress', {
                status: run.status,
                progress: run.progress,
                currentStep: run.currentStep,
                teamId: run.teamId,
              });
            }
            if (TERMINAL.has(run.status)) {
              send('done', run);
              break;
            }
          } else if (['rejected', 'cancelled', 'expired'].includes(view.status)) {
            send('done', { status: view.status });
            break;
          }
          if (Date.now() - lastBeat > HEARTBEAT_MS) {
            res.write(': keep-alive\n\n');
            lastBeat = Date.now();
          }
          await sleep(POLL_MS, undefined, { signal: controller.signal }).catch(() => undefined);
        }
      } catch (error) {
        request.log.warn({ err: error }, 'event stream ended by an error');
      } finally {
        streams.delete(controller);
        res.end();
      }
    },
  );

  app.post(
    '/requests/:requestId/provisioning/retry',
    {
      config: { access: 'provisioning:manage', cost: 'write' },
      schema: {
        tags: TAGS,
        operationId: 'retryProvisioning',
        summary: 'Retry a failed run from the step that failed (what succeeded is kept)',
        params: RequestParams,
        response: { 202: RunSchema, ...errorResponses(404, 409) },
      },
    },
    async (request, reply) => {
      const caller = callerOf(request);
      const run = await engine().retry(caller.tenantId, request.params.requestId, {
        type: caller.kind,
        id: caller.id,
      });
      return reply.code(202).send(run);
    },
  );

  app.post(
    '/requests/:requestId/provisioning/cancel',
    {
      config: { access: 'provisioning:manage', cost: 'write' },
      schema: {
        tags: TAGS,
        operationId: 'cancelProvisioning',
        summary: 'Cancel a failed or running run; with removeTeam, the partial team is deleted',
        params: RequestParams,
        body: Type.Object(
          {
            removeTeam: Type.Boolean({
              default: false,
              description: 'Delete the Microsoft 365 group and team the run created',
            }),
            reason: Type.Optional(Type.String({ maxLength: 500 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: RunSchema, ...errorResponses(400, 404, 409) },
      },
    },
    async (request) => {
      const caller = callerOf(request);
      return engine().cancel(
        caller.tenantId,
        request.params.requestId,
        { removeTeam: request.body.removeTeam ?? false, reason: request.body.reason },
        { type: caller.kind, id: caller.id },
      );
    },
  );

  app.post(
    '/templates/capture',
    {
      config: { access: 'templates:write', cost: 'write' },
      schema: {
        tags: TAGS,
        operationId: 'captureTemplate',
        summary:
          'Create a template from an existing team: settings, picture, channels, tabs, apps, folders and files, Planner plans',
        description:
          'A signed-in user may capture only a team they own or are a member of, checked in Microsoft Graph ' +
          "with the user's own rights (`GET /me/joinedTeams` on their behalf; `403 consent_required` when the " +
          'organisation has not consented to `Team.ReadBasic.All`). An API token may capture any team of the tenant.',
        body: Type.Object(
          {
            teamId: Type.String({ minLength: 1, maxLength: 100 }),
            slug: Type.String({ pattern: '^[a-z0-9][a-z0-9-]{1,62}$' }),
            name: Type.String({ minLength: 1, maxLength: 100 }),
            description: Type.Optional(Type.String({ maxLength: 2000 })),
          },
          { additionalProperties: false },
        ),
        response: {
          201: Type.Object({
            templateId: Uuid,
            slug: Type.String(),
            version: Type.Integer(),
            document: Type.Unknown(),
            warnings: Type.Array(Type.String()),
          }),
          ...errorResponses(400, 404, 409),
        },
      },
    },
    async (request, reply) => {
      const caller = callerOf(request);
      const { template, warnings } = await engine().capture(
        caller.tenantId,
        request.body,
        { type: caller.kind, id: caller.id, ...(caller.displayName ? { name: caller.displayName } : {}) },
        // A user captures only their own teams (checked with their rights); an API token any team.
        caller.kind === 'user' ? signedInUser(request) : undefined,
      );
      return reply.code(201).header('location', `/api/v1/templates/${template.templateId}`).send({
        templateId: template.templateId,
        slug: template.slug,
        version: template.currentVersion,
        document: template.document,
        warnings,
      });
    },
  );

  app.post(
    '/templates/:templateId/plan',
    {
      config: { access: 'templates:write' },
      schema: {
        tags: TAGS,
        operationId: 'planTemplate',
        summary:
          'The Graph operations provisioning this template would perform in this tenant, with nothing written',
        params: Type.Object({ templateId: Type.String({ minLength: 1, maxLength: 100 }) }),
        body: Type.Object(
          {
            version: Type.Optional(Type.Integer({ minimum: 1 })),
            name: Type.Optional(
              Type.String({ minLength: 1, maxLength: 200, description: 'A sample team name' }),
            ),
            requester: Type.Optional(
              Type.String({ maxLength: 256, description: 'A sample requester (UPN or id)' }),
            ),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            templateId: Uuid,
            version: Type.Integer(),
            names: Type.Object({ displayName: Type.String(), mailNickname: Type.String() }),
            operations: Type.Array(PlannedOperationSchema),
            warnings: Type.Array(Type.String()),
          }),
          ...errorResponses(400, 404, 409),
        },
      },
    },
    async (request) => {
      const caller = callerOf(request);
      return engine().plan(caller.tenantId, request.params.templateId, request.body ?? {});
    },
  );
};
