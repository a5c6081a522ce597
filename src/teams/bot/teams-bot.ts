import { readFileSync } from 'node:fs';
import { JsonWebToken } from '@microsoft/teams.api';
import type { App } from '@microsoft/teams.apps';
import type { Cache } from '../../cache/index.ts';
import type { Config } from '../../config.ts';
import type { Db } from '../../db/index.ts';
import { errors, isAppError } from '../../errors/index.ts';
import type { OutboxEventBus } from '../../events/index.ts';
import type { Directory, GraphClient } from '../../graph/index.ts';
import {
  type BotTokenValidator,
  createBotTokenValidator,
  type IdentityService,
} from '../../identity/index.ts';
import type { ProvisioningEngine } from '../../provisioning/index.ts';
import type { RequestService } from '../../requests/index.ts';
import type { TemplateService } from '../../templates/index.ts';
import type { Logger } from '../../telemetry/index.ts';
import { noticeCard } from '../cards/bot-cards.ts';
import { ADAPTIVE_CARD_TYPE, cardJson } from '../cards/card-kit.ts';
import { translator } from '../i18n.ts';
import { createActivityHandlers } from './activity-handlers.ts';
import { type InboundActivity, localeOfActivity } from './bot-context.ts';
import { createBotSender } from './bot-sender.ts';
import { type BotStore, createBotStore } from './bot-store.ts';
import { createMessageExtensions } from './message-extensions.ts';
import { createNotifier, type Notifier } from './notifier.ts';
import { createSdkApp, type TrellisServerAdapter } from './sdk-app.ts';

export interface TeamsBotDeps {
  config: Config;
  log: Logger;
  db: Db;
  cache: Cache;
  graph: GraphClient;
  directory: Directory;
  identity: IdentityService;
  templates: TemplateService;
  requests: RequestService;
  provisioning: ProvisioningEngine;
}

/** The HTTP answer to one activity POSTed to /api/messages. */
export interface BotHttpAnswer {
  status: number;
  body?: unknown;
}

export interface TeamsBot {
  /** False when Microsoft 365 is not configured (no bot app id). */
  readonly enabled: boolean;
  readonly store: BotStore;
  readonly notifier: Notifier | null;
  /**
   * Checks the Connector's token (Bot Framework's seven rules) and runs the activity through the
   * Teams SDK app. @throws AppError unauthorized (bad token), service_unavailable (bot not configured,
   * keys unreachable)
   */
  process(input: {
    headers: Record<string, string | string[] | undefined>;
    body: unknown;
  }): Promise<BotHttpAnswer>;
  /** Subscribes the notifier to domain events (processes that dispatch events). */
  start(events: OutboxEventBus): void;
  stop(): Promise<void>;
}

/**
 * The Trellis bot: Teams SDK v2 app mounted in Trellis's own server, with commands in chat, card
 * actions (approvals, requests), message extensions and proactive notifications.
 */
export function createTeamsBot(deps: TeamsBotDeps): TeamsBot {
  const store = createBotStore(deps.db);
  const { m365 } = deps.config;
  if (!m365.clientId || !m365.tenantId) {
    return {
      enabled: false,
      store,
      notifier: null,
      async process() {
        throw errors.unavailable('The Teams bot is not configured: set M365_TENANT_ID and M365_CLIENT_ID');
      },
      start() {},
      async stop() {},
    };
  }

  const { app, adapter } = createSdkApp({ config: deps.config, graph: deps.graph, log: deps.log });
  const sender = createBotSender(app);
  const notifier = createNotifier({
    config: deps.config,
    log: deps.log,
    cache: deps.cache,
    store,
    sender,
    requests: deps.requests,
    provisioning: deps.provisioning,
    graph: deps.graph,
    entraTenantOf: async (tenantId) => {
      const row = await deps.db.withTenant(tenantId, (tx) =>
        tx
          .selectFrom('tenants')
          .select('entra_tenant_id')
          .where('tenant_id', '=', tenantId)
          .executeTakeFirst(),
      );
      return row?.entra_tenant_id ?? null;
    },
  });
  const handlerDeps = {
    config: deps.config,
    log: deps.log,
    identity: deps.identity,
    requests: deps.requests,
    templates: deps.templates,
    store,
    notifier,
  };
  const handlers = createActivityHandlers(handlerDeps);
  const extensions = createMessageExtensions({ ...handlerDeps, directory: deps.directory, handlers });
  wireRoutes(app, deps.log, handlers, extensions);

  let validator: BotTokenValidator | undefined;
  let initialized: Promise<void> | undefined;
  let attached = false;

  return {
    enabled: true,
    store,
    notifier,
    async process(input) {
      validator ??= createBotTokenValidator({
        openIdMetadataUrl: m365.botOpenIdMetadataUrl,
        botAppId: m365.clientId ?? '',
        ...(m365.caFile ? { ca: readFileSync(m365.caFile, 'utf8') } : {}),
      });
      const header = input.headers.authorization;
      const authorization = Array.isArray(header) ? header[0] : header;
      const body = (input.body ?? {}) as { serviceUrl?: unknown; channelId?: unknown };
      if (typeof body !== 'object' || typeof body.serviceUrl !== 'string') {
        throw errors.badRequest('An activity must be a JSON object with a serviceUrl');
      }
      await validator.validate(authorization, body);
      initialized ??= app.initialize();
      await initialized;
      const raw = (authorization ?? '').replace(/^Bearer\s+/i, '');
      const handler = (adapter as TrellisServerAdapter).handler;
      if (!handler) throw errors.internal('the Teams SDK registered no messaging route');
      return handler({
        body: input.body,
        headers: input.headers as Record<string, string>,
        token: new JsonWebToken(raw),
      });
    },
    start(events) {
      if (attached) return;
      attached = true;
      notifier.attach(events);
    },
    async stop() {
      await validator?.close();
    },
  };
}

type Handlers = ReturnType<typeof createActivityHandlers>;
type Extensions = ReturnType<typeof createMessageExtensions>;

/** Routes the SDK's activity types to Trellis's handlers; failures become a message the user can read. */
function wireRoutes(app: App, log: Logger, handlers: Handlers, extensions: Extensions) {
  const failure = (activity: InboundActivity, error: unknown) => {
    const t = translator(localeOfActivity(activity));
    if (!isAppError(error) || error.httpStatus >= 500)
      log.warn({ err: error, type: activity.type }, 'bot turn failed');
    return isAppError(error) && error.httpStatus < 500
      ? error.message
      : t('error.generic', { message: 'internal error' });
  };

  app.on('message', async (ctx) => {
    const activity = ctx.activity as unknown as InboundActivity;
    try {
      const turn = await handlers.onMessage(activity);
      for (const reply of turn.replies) await ctx.send(reply as never);
    } catch (error) {
      await ctx.send({ type: 'message', text: failure(activity, error) } as never);
    }
  });

  app.on('conversationUpdate', async (ctx) => {
    const activity = ctx.activity as unknown as InboundActivity;
    try {
      const turn = await handlers.onConversationUpdate(activity);
      for (const reply of turn.replies) await ctx.send(reply as never);
    } catch (error) {
      log.warn({ err: error }, 'install could not be recorded');
    }
  });

  const invoke = <T>(fn: (activity: InboundActivity) => Promise<T>, onError: (text: string) => unknown) => {
    return async (ctx: { activity: unknown }) => {
      const activity = ctx.activity as InboundActivity;
      try {
        return (await fn(activity)) as never;
      } catch (error) {
        return onError(failure(activity, error)) as never;
      }
    };
  };

  app.on(
    'card.action',
    invoke(handlers.onCardAction, (text) => ({
      statusCode: 200,
      type: ADAPTIVE_CARD_TYPE,
      value: cardJson(noticeCard(text, true)),
    })),
  );
  app.on(
    'dialog.open',
    invoke(handlers.onDialogOpen, (text) => ({ task: { type: 'message', value: text } })),
  );
  app.on(
    'dialog.submit',
    invoke(handlers.onDialogSubmit, (text) => ({ task: { type: 'message', value: text } })),
  );
  app.on(
    'message.ext.query',
    invoke(extensions.onQuery, (text) => ({ composeExtension: { type: 'message', text } })),
  );
  app.on(
    'message.ext.open',
    invoke(extensions.onFetchTask, (text) => ({ task: { type: 'message', value: text } })),
  );
  app.on(
    'message.ext.submit',
    invoke(extensions.onSubmit, (text) => ({ task: { type: 'message', value: text } })),
  );
}
