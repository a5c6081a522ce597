import type { Generated } from 'kysely';
import type { Timestamp } from '../schema.ts';

export interface BotConversationsTable {
  tenant_id: string;
  conversation_id: string;
  kind: 'personal' | 'channel' | 'groupChat';
  user_id: string | null;
  member_id: string | null;
  service_url: string;
  bot_id: string;
  team_id: string | null;
  channel_id: string | null;
  locale: string | null;
  reachable: Generated<boolean>;
  created_at: Generated<Date>;
  updated_at: Timestamp;
}

export interface BotCardsTable {
  tenant_id: string;
  request_id: string;
  kind: 'approval' | 'status';
  user_id: string;
  conversation_id: string;
  activity_id: string | null;
  state: string;
  created_at: Generated<Date>;
  updated_at: Timestamp;
}

export interface TeamsBotTables {
  bot_conversations: BotConversationsTable;
  bot_cards: BotCardsTable;
}
