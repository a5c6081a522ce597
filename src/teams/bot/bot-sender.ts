import type { App } from '@microsoft/teams.apps';
import type { Attachment } from '../cards/card-kit.ts';
import type { ConversationRef } from './bot-store.ts';

/** A message the bot posts: text, cards, or both. */
export interface OutboundMessage {
  type: 'message';
  text?: string;
  attachments?: Attachment[];
}

/** Thrown when Teams refuses to deliver: the user uninstalled or blocked the bot (403). */
export class BotUnreachableError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
    this.name = 'BotUnreachableError';
  }
}

export interface BotSender {
  /** Posts into a stored conversation; returns the new activity id. @throws BotUnreachableError */
  send(ref: ConversationRef, message: OutboundMessage): Promise<string>;
  /** Replaces a message the bot sent (a card that changed). @throws BotUnreachableError */
  update(ref: ConversationRef, activityId: string, message: OutboundMessage): Promise<void>;
}

function statusOf(error: unknown): number | undefined {
  const e = error as { response?: { status?: number }; status?: number };
  return e.response?.status ?? e.status;
}

/** Teams throttles bots per conversation (about 8 messages in 2 s); these answers mean "try later". */
const TRANSIENT = new Set([429, 502, 503, 504]);
const MAX_ATTEMPTS = 6;
const MAX_WAIT_MS = 30_000;

/** How long to wait before the next attempt: the Connector's Retry-After, else exponential with jitter. */
export function retryDelayMs(error: unknown, attempt: number): number {
  const header = (error as { response?: { headers?: Record<string, unknown> } }).response?.headers?.[
    'retry-after'
  ];
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0)
    return Math.min(MAX_WAIT_MS, seconds * 1000 + Math.random() * 250);
  return Math.min(MAX_WAIT_MS, 500 * 2 ** attempt + Math.random() * 250);
}

/** Proactive sends through the Teams SDK's Connector client, to each conversation's own service URL. */
export function createBotSender(app: App): BotSender {
  const clients = new Map<string, ReturnType<App['api']['clone']>>();
  const api = (serviceUrl: string) => {
    const base = serviceUrl.replace(/\/+$/, '');
    let client = clients.get(base);
    if (!client) {
      client = app.api.clone({ serviceUrl: base });
      clients.set(base, client);
    }
    return client;
  };
  const guard = async <T>(fn: () => Promise<T>): Promise<T> => {
    for (let attempt = 0; ; attempt++) {
      try {
        return await fn();
      } catch (error) {
        const status = statusOf(error);
        if (status === 403 || status === 404) {
          throw new BotUnreachableError(status, `the Connector refused the message (${status})`);
        }
        if (status === undefined || !TRANSIENT.has(status) || attempt + 1 >= MAX_ATTEMPTS) throw error;
        await new Promise((resolve) => setTimeout(resolve, retryDelayMs(error, attempt)));
      }
    }
  };
  return {
    async send(ref, message) {
      const res = await guard(() =>
        api(ref.serviceUrl).conversations.activities(ref.conversationId).create(message),
      );
      return res.id;
    },
    async update(ref, activityId, message) {
      await guard(() =>
        api(ref.serviceUrl)
          .conversations.activities(ref.conversationId)
          .update(activityId, { ...message, id: activityId }),
      );
    },
  };
}
