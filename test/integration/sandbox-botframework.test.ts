import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import { fetch } from 'undici';
import { issueAccessToken } from '../../sandbox/entra/access-tokens.ts';
import { listTeams, teamTree } from '../../sandbox/graph/inspect.ts';
import { CONTOSO_TENANT_ID, TRELLIS_CLIENT_ID } from '../../sandbox/state/seed-contoso.ts';
import type { DirectoryUser, TenantState } from '../../sandbox/state/types.ts';
import { type BotCaller, createBotTokenValidator } from '../../src/identity/index.ts';
import { ensureLocalCertificate } from '../../src/server/tls/index.ts';
import { startTestSandbox, type TestSandbox } from '../helpers/sandbox.ts';
import { seededMembers } from '../helpers/directory.ts';

const ADAPTIVE_CARD = 'application/vnd.microsoft.card.adaptive';

/** The shapes this test reads back (Connector, inspection API, inbound activities). */
interface Card {
  type: string;
  body: { type: string; text: string }[];
}
interface Attachment {
  contentType: string;
  content: Card;
}
interface ErrorResponse {
  error: { code: string; message: string };
  subCode?: string;
}
interface Delivery {
  status: number;
  body: unknown;
  error: string | null;
}
interface ActResultBody {
  conversationId: string;
  delivery: Delivery;
  replies: { id: string; replyToId: string | null; activity: { attachments: Attachment[] } }[];
}
interface Account {
  id: string;
  aadObjectId: string;
  userPrincipalName: string;
}
interface ActivityView {
  id: string;
  direction: string;
  replyToId: string | null;
  updatedAt: string | null;
  deleted: boolean;
  from: { id: string };
  attachments: Attachment[];
}
interface ConversationView {
  id: string;
  conversationType: string;
  userId: string | null;
  activities: ActivityView[];
}
interface InboundActivity {
  type: string;
  id: string;
  name?: string;
  text?: string;
  channelId: string;
  serviceUrl: string;
  replyToId?: string;
  from: { id: string; name?: string; aadObjectId?: string };
  recipient: { id: string; name: string };
  conversation: { id: string; conversationType: string; tenantId: string; isGroup?: boolean };
  entities?: Record<string, unknown>[];
  channelData: Record<string, unknown>;
  value?: unknown;
  membersAdded?: { id: string }[];
}

const approvalCard = (title: string) => ({
  type: 'AdaptiveCard',
  version: '1.5',
  body: [{ type: 'TextBlock', text: title, wrap: true }],
  actions: [{ type: 'Action.Execute', title: 'Approve', verb: 'approve', data: { requestId: 42 } }],
});

function contoso(sandbox: TestSandbox): TenantState {
  const tenant = sandbox.sandbox.ctx.store.tenant(CONTOSO_TENANT_ID);
  assert.ok(tenant, 'the Contoso tenant is seeded');
  return tenant;
}

/** The i-th element, asserting it exists. */
function at<T>(list: readonly T[], index: number): T {
  const item = list[index];
  assert.ok(item !== undefined, `expected an element at ${index} of ${list.length}`);
  return item;
}

interface Received {
  activity: InboundActivity;
  caller: BotCaller;
}

/**
 * A tiny bot on HTTPS with its own CA: it validates each token with Trellis's validator, answers
 * messages through the Connector with a card, and invokes with a canned invoke response.
 */
async function startBot(sandbox: TestSandbox) {
  const dir = await mkdtemp(path.join(tmpdir(), 'trellis-bot-'));
  const tls = await ensureLocalCertificate(path.join(dir, 'tls'), ['localhost', '127.0.0.1'], 'Test Bot CA');
  const validator = createBotTokenValidator({
    openIdMetadataUrl: `${sandbox.origin}/v1/.well-known/openidconfiguration`,
    botAppId: TRELLIS_CLIENT_ID,
    ca: sandbox.caCert,
  });
  const received: Received[] = [];
  const rejected: string[] = [];
  const invokeAnswers: Record<string, unknown> = {
    'adaptiveCard/action': {
      statusCode: 200,
      type: ADAPTIVE_CARD,
      value: { type: 'AdaptiveCard', version: '1.5', body: [{ type: 'TextBlock', text: 'Approved by you' }] },
    },
    'composeExtension/query': {
      composeExtension: {
        type: 'result',
        attachmentLayout: 'list',
        attachments: [
          {
            contentType: ADAPTIVE_CARD,
            content: approvalCard('Project template'),
            preview: {
              contentType: 'application/vnd.microsoft.card.thumbnail',
              content: { title: 'Project' },
            },
          },
        ],
      },
    },
  };
  const connectorToken = async () =>
    (
      await issueAccessToken(sandbox.sandbox.ctx, {
        tenant: contoso(sandbox),
        clientId: TRELLIS_CLIENT_ID,
        audience: 'https://api.botframework.com',
        roles: [],
      })
    ).token;

  const server = https.createServer({ cert: tls.cert, key: tls.key }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const activity = JSON.parse(Buffer.concat(chunks).toString('utf8')) as InboundActivity;
        let caller: BotCaller;
        try {
          caller = await validator.validate(req.headers.authorization, activity);
        } catch (error) {
          rejected.push((error as Error).message);
          res.writeHead(401).end();
          return;
        }
        received.push({ activity, caller });
        if (activity.type === 'invoke') {
          const answer = invokeAnswers[String(activity.name)] ?? { status: 200 };
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
          return;
        }
        if (activity.type === 'message') {
          // Answer during the turn, as bots built on the Teams SDK do.
          const conversationId = activity.conversation.id;
          const url = new URL(
            `v3/conversations/${encodeURIComponent(conversationId)}/activities`,
            caller.serviceUrl,
          );
          await fetch(url, {
            method: 'POST',
            dispatcher: sandbox.dispatcher,
            headers: {
              authorization: `Bearer ${await connectorToken()}`,
              'content-type': 'application/json',
            },
            body: JSON.stringify({
              type: 'message',
              replyToId: activity.id,
              attachments: [
                { contentType: ADAPTIVE_CARD, content: approvalCard(`You said: ${String(activity.text)}`) },
              ],
            }),
          });
        }
        res.writeHead(200).end();
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, 'localhost', resolve));
  const endpoint = `https://localhost:${(server.address() as AddressInfo).port}/api/messages`;
  const registered = await sandbox.fetch(`/sandbox/api/bots/${TRELLIS_CLIENT_ID}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ endpoint, caCert: tls.caCert }),
  });
  assert.equal(registered.status, 200);
  return {
    endpoint,
    received,
    rejected,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await validator.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

describe('Bot Framework simulator', () => {
  let sandbox: TestSandbox;
  let tenant: TenantState;
  let users: DirectoryUser[];
  let bot: Awaited<ReturnType<typeof startBot>>;

  before(async () => {
    sandbox = await startTestSandbox();
    tenant = contoso(sandbox);
    users = seededMembers(tenant, 4);
    bot = await startBot(sandbox);
  });
  after(async () => {
    await bot.close();
    await sandbox.close();
  });
  beforeEach(() => {
    bot.received.length = 0;
    bot.rejected.length = 0;
  });

  const appToken = async (overrides: Partial<Parameters<typeof issueAccessToken>[1]> = {}) =>
    (
      await issueAccessToken(sandbox.sandbox.ctx, {
        tenant,
        clientId: TRELLIS_CLIENT_ID,
        audience: 'https://api.botframework.com',
        roles: [],
        ...overrides,
      })
    ).token;

  /** Calls the Connector as the bot (client-credentials token unless one is given). */
  const connector = async <T = ErrorResponse>(
    method: string,
    p: string,
    body?: unknown,
    token?: string | null,
  ) => {
    const headers: Record<string, string> = {};
    if (token !== null) headers.authorization = `Bearer ${token ?? (await appToken())}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await sandbox.fetch(p, {
      method,
      headers,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    return {
      status: response.status,
      headers: response.headers,
      body: (text ? JSON.parse(text) : null) as T,
    };
  };

  const inspect = async <T>(p: string) => {
    const response = await sandbox.fetch(`/sandbox/api/tenants/${CONTOSO_TENANT_ID}${p}`);
    return { status: response.status, body: (await response.json()) as T };
  };

  const act = async <T = ActResultBody>(kind: string, body: unknown) => {
    const response = await sandbox.fetch(`/sandbox/api/tenants/${CONTOSO_TENANT_ID}/act/${kind}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as T };
  };

  const setInstallation = (userId: string, state: string) =>
    sandbox.fetch(`/sandbox/api/tenants/${CONTOSO_TENANT_ID}/users/${userId}/bot`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ state }),
    });

  test('OpenID metadata and keys are what bots check inbound tokens against', async () => {
    const metadata = (await (await sandbox.fetch('/v1/.well-known/openidconfiguration')).json()) as Record<
      string,
      unknown
    >;
    assert.equal(metadata.issuer, 'https://api.botframework.com');
    assert.equal(metadata.jwks_uri, `${sandbox.origin}/v1/.well-known/keys`);
    assert.deepEqual(metadata.id_token_signing_alg_values_supported, ['RS256']);
    assert.deepEqual(metadata.token_endpoint_auth_signing_alg_values_supported, ['RS256']);
    const { keys } = (await (await sandbox.fetch(String(metadata.jwks_uri))).json()) as {
      keys: Record<string, unknown>[];
    };
    assert.equal(keys.length, 1);
    const [key] = keys;
    assert.equal(key?.kid, sandbox.sandbox.ctx.signers.botframework.kid);
    assert.equal(key?.kty, 'RSA');
    assert.deepEqual(key?.endorsements, ['msteams']);
    assert.equal(key?.d, undefined, 'never the private key');
  });

  test('the Connector refuses calls without a valid client-credentials token (401)', async () => {
    const none = await connector('GET', '/v3/conversations/a:1x/members', undefined, null);
    assert.equal(none.status, 401);
    assert.equal(none.body.error.code, 'Unauthorized');
    const graphToken = await appToken({ audience: 'https://graph.microsoft.com' });
    assert.equal(
      (await connector('GET', '/v3/conversations/a:1x/members', undefined, graphToken)).status,
      401,
    );
    const notABot = await appToken({ clientId: '00000000-0000-0000-0000-0000000000aa' });
    assert.equal((await connector('GET', '/v3/conversations/a:1x/members', undefined, notABot)).status, 401);
    const delegated = await appToken({ userId: at(users, 0).id, scopes: ['User.Read'], roles: undefined });
    assert.equal(
      (await connector('GET', '/v3/conversations/a:1x/members', undefined, delegated)).status,
      401,
    );
  });

  test('Connector CRUD in a proactive 1:1, recorded and readable through the inspection API', async () => {
    const user = at(users, 0);
    const create = {
      bot: { id: `28:${TRELLIS_CLIENT_ID}` },
      members: [{ id: user.id }],
      channelData: { tenant: { id: CONTOSO_TENANT_ID } },
      tenantId: CONTOSO_TENANT_ID,
      isGroup: false,
    };
    const created = await connector<{ id: string }>('POST', '/v3/conversations', create);
    assert.equal(created.status, 201);
    assert.match(created.body.id, /^a:1/);
    // Teams hands back the same 1:1 every time.
    assert.equal(
      (await connector<{ id: string }>('POST', '/v3/conversations', create)).body.id,
      created.body.id,
    );
    const conv = encodeURIComponent(created.body.id);

    const sent = await connector<{ id: string }>('POST', `/v3/conversations/${conv}/activities`, {
      type: 'message',
      attachments: [{ contentType: ADAPTIVE_CARD, content: approvalCard('Request #42 needs approval') }],
    });
    assert.equal(sent.status, 201);
    assert.match(sent.body.id, /^\d+$/);
    const replied = await connector<{ id: string }>(
      'POST',
      `/v3/conversations/${conv}/activities/${sent.body.id}`,
      {
        type: 'message',
        text: 'Reminder',
      },
    );
    assert.equal(replied.status, 201);
    const updated = await connector<{ id: string }>(
      'PUT',
      `/v3/conversations/${conv}/activities/${sent.body.id}`,
      {
        type: 'message',
        attachments: [{ contentType: ADAPTIVE_CARD, content: approvalCard('Request #42 approved') }],
      },
    );
    assert.deepEqual(updated.body, { id: sent.body.id });
    assert.equal(
      (await connector('DELETE', `/v3/conversations/${conv}/activities/${replied.body.id}`)).status,
      200,
    );
    assert.equal(
      (await connector('PUT', `/v3/conversations/${conv}/activities/999`, { type: 'message' })).status,
      404,
    );

    const recorded = await inspect<ConversationView>(`/conversations/${conv}`);
    assert.equal(recorded.status, 200);
    assert.equal(recorded.body.conversationType, 'personal');
    assert.equal(recorded.body.userId, user.id);
    const card = at(recorded.body.activities, 0);
    const reminder = at(recorded.body.activities, 1);
    assert.equal(card.id, sent.body.id);
    assert.equal(card.direction, 'fromBot');
    assert.equal(at(at(card.attachments, 0).content.body, 0).text, 'Request #42 approved');
    assert.ok(card.updatedAt);
    assert.equal(card.from.id, `28:${TRELLIS_CLIENT_ID}`);
    assert.equal(reminder.replyToId, sent.body.id);
    assert.equal(reminder.deleted, true);
    const listed = await inspect<{ value: { id: string }[] }>('/conversations');
    assert.ok(listed.body.value.some((c) => c.id === created.body.id));
  });

  test('roster calls return TeamsChannelAccounts and 404 for strangers', async () => {
    const user = at(users, 0);
    const { body } = await connector<{ id: string }>('POST', '/v3/conversations', {
      members: [{ id: user.id }],
      tenantId: CONTOSO_TENANT_ID,
    });
    const conv = encodeURIComponent(body.id);
    const members = await connector<Account[]>('GET', `/v3/conversations/${conv}/members`);
    assert.equal(members.status, 200);
    assert.equal(members.body.length, 1);
    const account = at(members.body, 0);
    assert.equal(account.aadObjectId, user.id);
    assert.match(account.id, /^29:/);
    assert.equal(account.userPrincipalName, user.userPrincipalName);
    const byMri = await connector<Account>(
      'GET',
      `/v3/conversations/${conv}/members/${encodeURIComponent(account.id)}`,
    );
    assert.equal(byMri.body.aadObjectId, user.id);
    const byObjectId = await connector<Account>('GET', `/v3/conversations/${conv}/members/${user.id}`);
    assert.equal(byObjectId.body.id, account.id);
    const paged = await connector<unknown>('GET', `/v3/conversations/${conv}/pagedMembers?pageSize=50`);
    assert.deepEqual(paged.body, { members: members.body });
    const stranger = await connector('GET', `/v3/conversations/${conv}/members/${at(users, 1).id}`);
    assert.equal(stranger.status, 404);
    assert.equal(stranger.body.error.code, 'MemberNotFoundInConversation');
    assert.equal((await connector('GET', '/v3/conversations/a:1unknown/members')).status, 404);
  });

  test('a user who blocked or uninstalled the bot gets 403 MessageWritesBlocked; admin-disabled bots too', async () => {
    const user = at(users, 1);
    const { body } = await connector<{ id: string }>('POST', '/v3/conversations', {
      members: [{ id: user.id }],
      tenantId: CONTOSO_TENANT_ID,
    });
    const conv = encodeURIComponent(body.id);
    try {
      assert.equal((await setInstallation(user.id, 'blocked')).status, 200);
      const blocked = await connector('POST', `/v3/conversations/${conv}/activities`, {
        type: 'message',
        text: 'hi',
      });
      assert.equal(blocked.status, 403);
      assert.equal(blocked.body.error.code, 'ConversationBlockedByUser');
      assert.equal(blocked.body.subCode, 'MessageWritesBlocked');

      await setInstallation(user.id, 'uninstalled');
      const uninstalled = await connector('POST', '/v3/conversations', {
        members: [{ id: user.id }],
        tenantId: CONTOSO_TENANT_ID,
      });
      assert.equal(uninstalled.status, 403);
      assert.equal(uninstalled.body.subCode, 'MessageWritesBlocked');
      const listed = await inspect<{ value: { id: string; botInstallation: string }[] }>('/users');
      assert.equal(listed.body.value.find((u) => u.id === user.id)?.botInstallation, 'uninstalled');
    } finally {
      await setInstallation(user.id, 'installed');
    }
    const again = await connector('POST', `/v3/conversations/${conv}/activities`, {
      type: 'message',
      text: 'ok',
    });
    assert.equal(again.status, 201);

    const disable = (disabledByAdmin: boolean) =>
      sandbox.fetch(`/sandbox/api/bots/${TRELLIS_CLIENT_ID}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ disabledByAdmin, tenantId: CONTOSO_TENANT_ID }),
      });
    await disable(true);
    try {
      const disabled = await connector('POST', `/v3/conversations/${conv}/activities`, {
        type: 'message',
        text: 'x',
      });
      assert.equal(disabled.status, 403);
      assert.equal(disabled.body.error.code, 'BotDisabledByAdmin');
    } finally {
      await disable(false);
    }
  });

  test('more than 7 sends a second to one conversation get 429 with Retry-After', async () => {
    const { body } = await connector<{ id: string }>('POST', '/v3/conversations', {
      members: [{ id: at(users, 2).id }],
      tenantId: CONTOSO_TENANT_ID,
    });
    const conv = encodeURIComponent(body.id);
    const token = await appToken();
    const results = [];
    for (let i = 0; i < 8; i++) {
      const message = { type: 'message', text: `#${i}` };
      results.push(await connector('POST', `/v3/conversations/${conv}/activities`, message, token));
    }
    assert.deepEqual(
      results.slice(0, 7).map((r) => r.status),
      [201, 201, 201, 201, 201, 201, 201],
    );
    const throttled = at(results, 7);
    assert.equal(throttled.status, 429);
    assert.ok(Number(throttled.headers.get('retry-after')) >= 1);
    assert.equal(throttled.body.error.code, 'TooManyRequests');
  });

  test('malformed activities are refused with an ErrorResponse', async () => {
    const { body } = await connector<{ id: string }>('POST', '/v3/conversations', {
      members: [{ id: at(users, 3).id }],
      tenantId: CONTOSO_TENANT_ID,
    });
    const conv = encodeURIComponent(body.id);
    const noType = await connector('POST', `/v3/conversations/${conv}/activities`, { text: 'hi' });
    assert.equal(noType.status, 400);
    assert.equal(noType.body.error.code, 'BadArgument');
    const badCard = await connector('POST', `/v3/conversations/${conv}/activities`, {
      type: 'message',
      attachments: [{ contentType: ADAPTIVE_CARD, content: { body: [] } }],
    });
    assert.equal(badCard.status, 400);
    const huge = await connector('POST', `/v3/conversations/${conv}/activities`, {
      type: 'message',
      text: 'x'.repeat(30 * 1024),
    });
    assert.equal(huge.status, 413);
  });

  test('a user message reaches the HTTPS bot with a valid token and the activity Teams sends', async () => {
    const user = at(users, 0);
    const result = await act('message', { userId: user.id, text: 'status of 42' });
    assert.equal(result.status, 200);
    assert.equal(bot.rejected.length, 0, bot.rejected.join('\n'));
    assert.equal(bot.received.length, 1);
    const { activity, caller } = at(bot.received, 0);
    // Validated by Trellis's own validator: Bot Framework issuer, audience, serviceurl binding.
    assert.equal(caller.claims.iss, 'https://api.botframework.com');
    assert.equal(caller.claims.aud, TRELLIS_CLIENT_ID);
    assert.equal(caller.claims.serviceurl, `${sandbox.origin}/`);
    assert.equal(activity.type, 'message');
    assert.equal(activity.text, 'status of 42');
    assert.equal(activity.channelId, 'msteams');
    assert.equal(activity.serviceUrl, `${sandbox.origin}/`);
    assert.match(activity.id, /^\d+$/);
    assert.match(activity.from.id, /^29:/);
    assert.deepEqual(activity.from, { id: activity.from.id, name: user.displayName, aadObjectId: user.id });
    assert.deepEqual(activity.recipient, { id: `28:${TRELLIS_CLIENT_ID}`, name: 'Trellis' });
    assert.deepEqual(activity.conversation, {
      conversationType: 'personal',
      tenantId: CONTOSO_TENANT_ID,
      id: result.body.conversationId,
    });
    assert.deepEqual(activity.channelData, { tenant: { id: CONTOSO_TENANT_ID } });
    assert.equal(activity.entities?.[0]?.type, 'clientInfo');

    assert.equal(result.body.delivery.status, 200);
    assert.equal(result.body.replies.length, 1, 'the card the bot sent during the turn');
    const reply = at(result.body.replies, 0);
    assert.equal(reply.replyToId, activity.id);
    assert.equal(at(at(reply.activity.attachments, 0).content.body, 0).text, 'You said: status of 42');
  });

  test('pressing Action.Execute delivers adaptiveCard/action and returns the bot invoke response', async () => {
    const user = at(users, 0);
    const message = await act('message', { userId: user.id, text: 'approve please' });
    const cardActivity = at(message.body.replies, 0);
    bot.received.length = 0;
    const pressed = await act('card-action', {
      userId: user.id,
      conversationId: message.body.conversationId,
      activityId: cardActivity.id,
      verb: 'approve',
      data: { requestId: 42, comment: 'ok' },
    });
    assert.equal(pressed.status, 200);
    const { activity } = at(bot.received, 0);
    assert.equal(activity.type, 'invoke');
    assert.equal(activity.name, 'adaptiveCard/action');
    assert.equal(activity.replyToId, cardActivity.id);
    assert.match(activity.id, /^f:/);
    assert.deepEqual(activity.value, {
      action: { type: 'Action.Execute', verb: 'approve', data: { requestId: 42, comment: 'ok' } },
      trigger: 'manual',
    });
    assert.equal(pressed.body.delivery.status, 200);
    assert.partialDeepStrictEqual(pressed.body.delivery.body, {
      statusCode: 200,
      type: ADAPTIVE_CARD,
      value: { body: [{ text: 'Approved by you' }] },
    });
    // Universal Actions: the returned card replaces the one pressed.
    const conversation = await inspect<ConversationView>(
      `/conversations/${encodeURIComponent(message.body.conversationId)}`,
    );
    const card = conversation.body.activities.find((a) => a.id === cardActivity.id);
    assert.equal(card?.attachments[0]?.content.body[0]?.text, 'Approved by you');
    const missing = await act('card-action', {
      userId: user.id,
      conversationId: message.body.conversationId,
      activityId: '1',
      verb: 'approve',
    });
    assert.equal(missing.status, 404);
  });

  test('a message-extension search delivers composeExtension/query and returns the results', async () => {
    const result = await act('message-extension', {
      userId: at(users, 0).id,
      kind: 'query',
      commandId: 'searchTemplates',
      parameters: { searchQuery: 'project' },
    });
    assert.equal(result.status, 200);
    const { activity } = at(bot.received, 0);
    assert.equal(activity.name, 'composeExtension/query');
    assert.deepEqual(activity.value, {
      commandId: 'searchTemplates',
      parameters: [{ name: 'searchQuery', value: 'project' }],
      queryOptions: { skip: 0, count: 25 },
    });
    assert.deepEqual(activity.channelData.source, { name: 'compose' });
    assert.partialDeepStrictEqual(result.body.delivery.body, {
      composeExtension: { type: 'result', attachments: [{ contentType: ADAPTIVE_CARD }] },
    });

    await act('message-extension', {
      userId: at(users, 0).id,
      kind: 'submitAction',
      commandId: 'newRequest',
      data: { templateId: 't1' },
    });
    const submit = at(bot.received, 1).activity;
    assert.equal(submit.name, 'composeExtension/submitAction');
    assert.partialDeepStrictEqual(submit.value, { commandId: 'newRequest', data: { templateId: 't1' } });
    await act('message-extension', { userId: at(users, 0).id, kind: 'fetchTask', commandId: 'newRequest' });
    const fetchTask = at(bot.received, 2).activity;
    assert.equal(fetchTask.name, 'composeExtension/fetchTask');
    assert.partialDeepStrictEqual(fetchTask.value, { commandId: 'newRequest', commandContext: 'compose' });
  });

  test('installing the app sends conversationUpdate with the bot in membersAdded', async () => {
    const user = at(users, 3);
    await setInstallation(user.id, 'uninstalled');
    const refused = await act('message', { userId: user.id, text: 'hello?' });
    assert.equal(refused.status, 409);
    assert.equal(bot.received.length, 0);
    const installed = await act('install', { userId: user.id });
    assert.equal(installed.status, 200);
    const { activity } = at(bot.received, 0);
    assert.equal(activity.type, 'conversationUpdate');
    assert.deepEqual(activity.membersAdded, [{ id: `28:${TRELLIS_CLIENT_ID}` }]);
    assert.equal(activity.from.aadObjectId, user.id);
    assert.equal((await act('message', { userId: user.id, text: 'hello' })).status, 200);
  });

  test('an unreachable bot is reported, not lost', async () => {
    // A port that was free a moment ago: nothing listens there.
    const probe = https.createServer();
    await new Promise<void>((resolve) => probe.listen(0, 'localhost', resolve));
    const closedPort = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const register = (endpoint: string) =>
      sandbox.fetch(`/sandbox/api/bots/${TRELLIS_CLIENT_ID}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ endpoint }),
      });
    assert.equal((await register(`https://localhost:${closedPort}/api/messages`)).status, 200);
    try {
      const result = await act('message', { userId: at(users, 0).id, text: 'anyone?' });
      assert.equal(result.status, 200);
      assert.equal(result.body.delivery.status, 0);
      assert.match(result.body.delivery.error ?? '', /Could not reach the bot/);
    } finally {
      await register(bot.endpoint);
    }
    assert.equal((await register('http://localhost:8443/api/messages')).status, 400, 'HTTPS endpoints only');
  });

  test('in a channel: an @mention post, threads, team details', async () => {
    const summary = listTeams(tenant)[0];
    const tree = summary ? teamTree(tenant, summary.id) : undefined;
    const channel = tree?.channels.find((c) => c.membershipType === 'standard');
    const member = tree?.members[0];
    assert.ok(tree && channel && member, 'the Contoso seed has a team with a standard channel and a member');
    const result = await act('message', {
      userId: member.userId,
      text: 'new request',
      conversation: { teamId: tree.id, channelId: channel.id },
    });
    assert.equal(result.status, 200);
    const { activity } = at(bot.received, 0);
    assert.equal(activity.text, '<at>Trellis</at> new request');
    assert.equal(activity.conversation.conversationType, 'channel');
    assert.equal(activity.conversation.isGroup, true);
    assert.equal(activity.conversation.id, `${channel.id};messageid=${activity.id}`);
    assert.deepEqual(activity.entities?.[0], {
      type: 'mention',
      mentioned: { id: `28:${TRELLIS_CLIENT_ID}`, name: 'Trellis' },
      text: '<at>Trellis</at>',
    });
    const channelData = activity.channelData as {
      channel: { id: string };
      team: { id: string; aadGroupId: string };
    };
    assert.equal(channelData.channel.id, channel.id);
    assert.equal(channelData.team.aadGroupId, tree.id);
    assert.equal(result.body.replies.length, 1, 'the bot answered in the thread');

    const thread = await connector<{ id: string; activityId: string }>('POST', '/v3/conversations', {
      isGroup: true,
      channelData: { channel: { id: channel.id }, tenant: { id: CONTOSO_TENANT_ID } },
      activity: { type: 'message', text: 'Team provisioned' },
    });
    assert.equal(thread.status, 201);
    assert.equal(thread.body.id, `${channel.id};messageid=${thread.body.activityId}`);
    const teamId = encodeURIComponent(channelData.team.id);
    const team = await connector<{ aadGroupId: string }>('GET', `/v3/teams/${teamId}`);
    assert.equal(team.body.aadGroupId, tree.id);
    const channels = await connector<{ conversations: { id: string }[] }>(
      'GET',
      `/v3/teams/${teamId}/conversations`,
    );
    assert.ok(channels.body.conversations.some((c) => c.id === channel.id));
  });
});
