import type { Db } from '../../db/index.ts';

/** Where the bot can reach a person or a channel again (from an install or any message). */
export interface ConversationRef {
  conversationId: string;
  kind: 'personal' | 'channel' | 'groupChat';
  userId: string | null;
  memberId: string | null;
  serviceUrl: string;
  botId: string;
  teamId: string | null;
  channelId: string | null;
  locale: string | null;
  reachable: boolean;
}

/** A card the bot sent about a request, to update in place when the request moves. */
export interface SentCard {
  requestId: string;
  kind: 'approval' | 'status';
  userId: string;
  conversationId: string;
  activityId: string | null;
  state: string;
}

export interface BotStore {
  remember(tenantId: string, ref: Omit<ConversationRef, 'reachable'>): Promise<void>;
  personal(tenantId: string, userId: string): Promise<ConversationRef | null>;
  byId(tenantId: string, conversationId: string): Promise<ConversationRef | null>;
  markUnreachable(tenantId: string, conversationId: string): Promise<void>;
  cards(tenantId: string, requestId: string, kind?: SentCard['kind']): Promise<SentCard[]>;
  card(tenantId: string, requestId: string, kind: SentCard['kind'], userId: string): Promise<SentCard | null>;
  saveCard(tenantId: string, card: SentCard): Promise<void>;
}

export function createBotStore(db: Db): BotStore {
  return {
    async remember(tenantId, ref) {
      await db.withTenant(tenantId, async (tx) => {
        if (ref.kind === 'personal' && ref.userId) {
          // One personal chat per user: a reinstall gives a new conversation id that replaces the old one.
          await tx
            .deleteFrom('bot_conversations')
            .where('kind', '=', 'personal')
            .where('user_id', '=', ref.userId)
            .where('conversation_id', '<>', ref.conversationId)
            .execute();
        }
        const row = {
          tenant_id: tenantId,
          conversation_id: ref.conversationId,
          kind: ref.kind,
          user_id: ref.userId,
          member_id: ref.memberId,
          service_url: ref.serviceUrl,
          bot_id: ref.botId,
          team_id: ref.teamId,
          channel_id: ref.channelId,
          locale: ref.locale,
          reachable: true,
          updated_at: new Date(),
        };
        await tx
          .insertInto('bot_conversations')
          .values(row)
          .onConflict((oc) =>
            oc.columns(['tenant_id', 'conversation_id']).doUpdateSet({
              member_id: row.member_id,
              service_url: row.service_url,
              locale: row.locale,
              reachable: true,
              updated_at: row.updated_at,
            }),
          )
          .execute();
      });
    },

    async personal(tenantId, userId) {
      const row = await db.withTenant(tenantId, (tx) =>
        tx
          .selectFrom('bot_conversations')
          .selectAll()
          .where('kind', '=', 'personal')
          .where('user_id', '=', userId.toLowerCase())
          .executeTakeFirst(),
      );
      return row ? refOf(row) : null;
    },

    async byId(tenantId, conversationId) {
      const row = await db.withTenant(tenantId, (tx) =>
        tx
          .selectFrom('bot_conversations')
          .selectAll()
          .where('conversation_id', '=', conversationId)
          .executeTakeFirst(),
      );
      return row ? refOf(row) : null;
    },

    async markUnreachable(tenantId, conversationId) {
      await db.withTenant(tenantId, (tx) =>
        tx
          .updateTable('bot_conversations')
          .set({ reachable: false, updated_at: new Date() })
          .where('conversation_id', '=', conversationId)
          .execute(),
      );
    },

    async cards(tenantId, requestId, kind) {
      const rows = await db.withTenant(tenantId, (tx) => {
        let query = tx.selectFrom('bot_cards').selectAll().where('request_id', '=', requestId);
        if (kind) query = query.where('kind', '=', kind);
        return query.orderBy('created_at').execute();
      });
      return rows.map(cardOf);
    },

    async card(tenantId, requestId, kind, userId) {
      const row = await db.withTenant(tenantId, (tx) =>
        tx
          .selectFrom('bot_cards')
          .selectAll()
          .where('request_id', '=', requestId)
          .where('kind', '=', kind)
          .where('user_id', '=', userId)
          .executeTakeFirst(),
      );
      return row ? cardOf(row) : null;
    },

    async saveCard(tenantId, card) {
      const now = new Date();
      await db.withTenant(tenantId, (tx) =>
        tx
          .insertInto('bot_cards')
          .values({
            tenant_id: tenantId,
            request_id: card.requestId,
            kind: card.kind,
            user_id: card.userId,
            conversation_id: card.conversationId,
            activity_id: card.activityId,
            state: card.state,
            updated_at: now,
          })
          .onConflict((oc) =>
            oc.columns(['tenant_id', 'request_id', 'kind', 'user_id']).doUpdateSet({
              conversation_id: card.conversationId,
              activity_id: card.activityId,
              state: card.state,
              updated_at: now,
            }),
          )
          .execute(),
      );
    },
  };
}

function refOf(row: {
  conversation_id: string;
  kind: ConversationRef['kind'];
  user_id: string | null;
  member_id: string | null;
  service_url: string;
  bot_id: string;
  team_id: string | null;
  channel_id: string | null;
  locale: string | null;
  reachable: boolean;
}): ConversationRef {
  return {
    conversationId: row.conversation_id,
    kind: row.kind,
    userId: row.user_id,
    memberId: row.member_id,
    serviceUrl: row.service_url,
    botId: row.bot_id,
    teamId: row.team_id,
    channelId: row.channel_id,
    locale: row.locale,
    reachable: row.reachable,
  };
}

function cardOf(row: {
  request_id: string;
  kind: SentCard['kind'];
  user_id: string;
  conversation_id: string;
  activity_id: string | null;
  state: string;
}): SentCard {
  return {
    requestId: row.request_id,
    kind: row.kind,
    userId: row.user_id,
    conversationId: row.conversation_id,
    activityId: row.activity_id,
    state: row.state,
  };
}
