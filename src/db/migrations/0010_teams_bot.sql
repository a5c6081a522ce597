-- The Teams bot: where it can reach people (conversation references, kept from installs and
-- messages, for proactive notifications) and the cards it sent (so a decision made anywhere updates
-- every approver's card, and a requester's status card follows the request).

CREATE TABLE bot_conversations (
  tenant_id uuid NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
  conversation_id text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('personal', 'channel', 'groupChat')),
  -- Entra object id of the user of a personal conversation.
  user_id text,
  -- The user's or bot's Teams id (29:… / 28:…), as the Connector knows it.
  member_id text,
  service_url text NOT NULL,
  bot_id text NOT NULL,
  team_id text,
  channel_id text,
  locale text,
  -- False once the user uninstalled or blocked the bot (a 403 from the Connector).
  reachable boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, conversation_id)
);
CREATE UNIQUE INDEX bot_conversations_personal_key ON bot_conversations (tenant_id, user_id)
  WHERE kind = 'personal';

CREATE TABLE bot_cards (
  tenant_id uuid NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
  request_id uuid NOT NULL,
  -- 'approval' (one per approver) or 'status' (the requester's).
  kind text NOT NULL CHECK (kind IN ('approval', 'status')),
  user_id text NOT NULL,
  conversation_id text NOT NULL,
  activity_id text,
  -- What the card last showed, so a re-delivered event does not send or update it twice.
  state text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, request_id, kind, user_id)
);

ALTER TABLE bot_conversations ENABLE ROW LEVEL SECURITY;
ALTER TABLE bot_conversations FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON bot_conversations
  USING (tenant_id = trellis_current_tenant() OR trellis_is_platform())
  WITH CHECK (tenant_id = trellis_current_tenant() OR trellis_is_platform());

ALTER TABLE bot_cards ENABLE ROW LEVEL SECURITY;
ALTER TABLE bot_cards FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON bot_cards
  USING (tenant_id = trellis_current_tenant() OR trellis_is_platform())
  WITH CHECK (tenant_id = trellis_current_tenant() OR trellis_is_platform());

GRANT SELECT, INSERT, UPDATE, DELETE ON bot_conversations TO trellis_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON bot_cards TO trellis_app;
