import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CONTOSO_TENANT_ID, TRELLIS_CLIENT_ID } from '../../sandbox/state/seed-contoso.ts';
import { validateCard } from '../../src/teams/index.ts';
import { METADATA, startProvisioningRig, type ProvisioningRig, upn } from '../helpers/provisioning.ts';
import {
  type ActAnswer,
  cardsOf,
  type RecordedActivity,
  teamsClient,
  textOf,
  verbsOf,
} from '../helpers/teams.ts';

// The Trellis bot driven only through the sandbox, as Teams would drive it: users install the app,
// talk to it, press card buttons and run message-extension commands; the sandbox's Connector mints
// the inbound tokens and records what the bot sends.

const ADELE = upn('adele.vance'); // requester, Engineering
const GRADY = upn('grady.archie'); // Adele's manager: approves the Project template's first stage
const CHRISTIE = upn('christie.cline'); // in Paris: Teams in French

/** Every card seen in the file, checked against the Adaptive Cards schema at the end. */
const seenCards: { where: string; card: unknown; dialog?: boolean }[] = [];
function collect(where: string, activity: Record<string, unknown>) {
  for (const card of cardsOf(activity)) seenCards.push({ where, card });
}
function invokeCard(answer: ActAnswer): Record<string, unknown> {
  assert.equal(answer.delivery.status, 200, JSON.stringify(answer.delivery));
  const body = answer.delivery.body as { statusCode: number; type: string; value: Record<string, unknown> };
  assert.equal(body.statusCode, 200, JSON.stringify(body));
  assert.equal(body.type, 'application/vnd.microsoft.card.adaptive', JSON.stringify(body));
  seenCards.push({ where: `invoke ${String(answer.activity.name)}`, card: body.value });
  return body.value;
}
function onlyCard(answer: ActAnswer): Record<string, unknown> {
  assert.equal(answer.delivery.status, 200, JSON.stringify(answer.delivery));
  assert.equal(answer.replies.length, 1, JSON.stringify(answer.replies.map((r) => r.activity.text)));
  const reply = answer.replies[0] as { activity: Record<string, unknown> };
  collect('reply', reply.activity);
  const [card] = cardsOf(reply.activity);
  assert.ok(card, 'the reply carries an Adaptive Card');
  return card;
}
const lastCard = (a: RecordedActivity) => cardsOf(a.activity)[0] ?? {};

describe('the Teams bot, through the sandbox', () => {
  let rig: ProvisioningRig;
  let teams: ReturnType<typeof teamsClient>;
  const chats: Record<string, string> = {};
  /** The team made in the card-to-team test, and the request behind it. */
  let orion: { teamId: string; requestId: string } | undefined;

  before(async () => {
    rig = await startProvisioningRig();
    teams = teamsClient(rig);
    await teams.register();
  });
  after(() => rig.close());

  test('installing the app greets the user in their language and remembers the chat', async () => {
    for (const user of [ADELE, GRADY, CHRISTIE]) {
      const answer = await teams.install(user);
      chats[user] = answer.conversationId;
      const card = onlyCard(answer);
      assert.match(textOf(card), user === CHRISTIE ? /Bienvenue dans Trellis/ : /Welcome to Trellis/);
    }
    const tenantId = rig.tenant.tenantId;
    const ref = await rig.trellis.running.domain.teams.store.byId(tenantId, chats[GRADY] ?? '');
    assert.equal(ref?.kind, 'personal');
    assert.match(ref?.memberId ?? '', /^29:/, 'the user’s Teams id is kept for card refresh');
    assert.equal(ref?.serviceUrl.replace(/\/$/, ''), rig.sb.origin);
  });

  test('personal commands answer with cards: help, templates, my requests, approvals, status, unknown', async () => {
    assert.match(textOf(onlyCard(await teams.message(ADELE, 'help'))), /my requests/);
    const templates = onlyCard(await teams.message(ADELE, 'templates'));
    assert.match(textOf(templates), /Project/);
    assert.ok(verbsOf(templates).includes('newTeamForm'));
    assert.match(textOf(onlyCard(await teams.message(ADELE, 'my requests'))), /no request yet/);
    assert.match(textOf(onlyCard(await teams.message(GRADY, 'approvals'))), /Nothing is waiting/);
    const unknown = onlyCard(await teams.message(ADELE, 'make me a sandwich'));
    assert.match(textOf(unknown), /did not understand "make me a sandwich"/);
    const french = onlyCard(await teams.message(CHRISTIE, 'aide'));
    assert.match(textOf(french), /Ce que je sais faire/);
    const status = await teams.message(ADELE, 'status 00000000-0000-4000-8000-000000000000');
    assert.match(String(status.replies[0]?.activity.text), /could not find request/);
  });

  test(
    'from card to team: request in chat, approve from the proactive card, status card follows to the link',
    { timeout: 180_000 },
    async () => {
      // Adele asks for a new team. Only the Project template is open to her, so the form comes at once;
      // the Request button of the templates list opens the same form.
      const direct = onlyCard(await teams.message(ADELE, 'new team'));
      assert.deepEqual(verbsOf(direct), ['createRequest']);
      const listActivity = (await teams.conversation(chats[ADELE] ?? '')).activities.at(
        -1,
      ) as RecordedActivity;
      assert.equal(listActivity.direction, 'fromBot');
      const form = invokeCard(
        await teams.cardAction({
          userId: ADELE,
          conversationId: chats[ADELE] ?? '',
          activityId: listActivity.id,
          verb: 'newTeamForm',
          data: { template: 'project' },
        }),
      );
      const inputs = JSON.stringify(form);
      for (const id of ['name', 'description', 'metadata.costCenter', 'metadata.endDate', 'members']) {
        assert.ok(inputs.includes(`"id":"${id}"`), `the form has ${id}`);
      }
      const formData: Record<string, unknown> = { template: 'project', name: 'Orion', description: 'Launch' };
      for (const [key, value] of Object.entries(METADATA.project ?? {}))
        formData[`metadata.${key}`] = String(value);

      // A missing required field keeps the form, with the error and what was typed.
      const refused = invokeCard(
        await teams.cardAction({
          userId: ADELE,
          conversationId: chats[ADELE] ?? '',
          activityId: listActivity.id,
          verb: 'createRequest',
          data: { ...formData, 'metadata.costCenter': '' },
        }),
      );
      assert.match(textOf(refused), /could not be submitted/);
      assert.match(JSON.stringify(refused), /"value":"Orion"/);

      const submitted = invokeCard(
        await teams.cardAction({
          userId: ADELE,
          conversationId: chats[ADELE] ?? '',
          activityId: listActivity.id,
          verb: 'createRequest',
          data: formData,
        }),
      );
      assert.match(textOf(submitted), /Your request: .*Orion/);
      assert.match(textOf(submitted), /Waiting for approval/);
      const requestId = /Request id\n([0-9a-f-]{36})/.exec(textOf(submitted))?.[1] ?? '';
      const request = await rig.tenant.call('GET', `/api/v1/requests/${requestId}`);
      assert.equal(request.body.status, 'pending_approval');
      assert.equal(
        request.body.requester.id,
        (await rig.trellis.running.domain.directory.forTenant(CONTOSO_TENANT_ID).getUser(ADELE))?.id,
      );

      // Grady, Adele's manager, gets the approval card without asking.
      const approvalActivity = await teams.waitFor(
        chats[GRADY] ?? '',
        (a) => textOf(lastCard(a)).includes('Approval needed') && textOf(lastCard(a)).includes(requestId),
        'approval card',
      );
      const approvalCard = lastCard(approvalActivity);
      collect('approval card', approvalActivity.activity);
      assert.deepEqual(verbsOf(approvalCard).sort(), ['approve', 'reject']);
      assert.match(JSON.stringify(approvalCard), /"dialog":"editRequest"/, 'and Edit opens a dialog');
      const refresh = approvalCard.refresh as { action: { verb: string }; userIds: string[] };
      assert.equal(refresh.action.verb, 'refresh');
      assert.equal(refresh.userIds.length, 1, 'refreshed for the stage’s approvers');

      // Nobody but Grady sees his chat with the bot: the sandbox refuses, as Teams would.
      const peek = await rig.sb.fetch(`/sandbox/api/tenants/${CONTOSO_TENANT_ID}/act/card-action`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          userId: ADELE,
          conversationId: chats[GRADY],
          activityId: approvalActivity.id,
          verb: 'approve',
          data: { requestId },
        }),
      });
      assert.equal(peek.status, 403, await peek.text());

      const approved = invokeCard(
        await teams.cardAction({
          userId: GRADY,
          conversationId: chats[GRADY] ?? '',
          activityId: approvalActivity.id,
          verb: 'approve',
          data: { requestId, comment: 'Go ahead' },
        }),
      );
      assert.match(textOf(approved), /Approved by Grady Archie/);
      assert.deepEqual(verbsOf(approved), [], 'a decided card has no buttons');

      const run = await rig.waitForRun(requestId);
      orion = { teamId: run.teamId ?? '', requestId };
      assert.equal(run.status, 'completed', JSON.stringify(run.error ?? run.conformance));

      // The form Adele pressed became her status card, and it followed the request to the team.
      const done = await teams.waitFor(
        chats[ADELE] ?? '',
        (a) => a.id === listActivity.id && /is ready/.test(textOf(lastCard(a))),
        'completed status card',
      );
      collect('status card', done.activity);
      const links = JSON.stringify(lastCard(done));
      assert.ok(links.includes(`groupId=${run.teamId}`), 'links to the new team');
      assert.match(links, /https:\/\/teams\.microsoft\.com\/l\/team\/19%3A/);
      assert.match(links, /https:\/\/teams\.microsoft\.com\/l\/channel\/19%3A[^"]+\/General\?/);
      assert.match(links, /\/l\/entity\/[^"]+\/requests\?[^"]*context=/);

      // The approval card in Grady's chat shows the outcome for anyone who looks at it again.
      const closed = await teams.waitFor(
        chats[GRADY] ?? '',
        (a) => a.id === approvalActivity.id && /Approved by Grady Archie/.test(textOf(lastCard(a))),
        'approval card updated',
      );
      assert.deepEqual(verbsOf(lastCard(closed)), []);
    },
  );

  test('in a team: added, it greets the channel; mentioned, it answers there', async () => {
    assert.ok(orion, 'the card-to-team test made a team');
    const tree = await rig.tree(orion.teamId);
    const general = tree.channels.find((c) => c.displayName === 'General');
    assert.ok(general);
    const added = await teams.install(ADELE, orion.teamId);
    assert.equal(added.delivery.status, 200, JSON.stringify(added.delivery));
    // The greeting is a new post in the channel: a thread of its own in the Connector's record.
    const listed = (await (
      await rig.sb.fetch(`/sandbox/api/tenants/${CONTOSO_TENANT_ID}/conversations`)
    ).json()) as { value: { id: string; teamId: string | null }[] };
    const threads = await Promise.all(
      listed.value.filter((c) => c.teamId === orion?.teamId).map((c) => teams.conversation(c.id)),
    );
    const greeting = threads
      .flatMap((c) => c.activities)
      .find((a) => a.direction === 'fromBot' && /Trellis is now in PRJ - Orion/.test(textOf(lastCard(a))));
    assert.ok(greeting, 'the bot greeted the channel');
    collect('channel greeting', greeting.activity);
    const ref = await rig.trellis.running.domain.teams.store.byId(rig.tenant.tenantId, added.conversationId);
    assert.equal(ref?.kind, 'channel');
    assert.equal(ref?.teamId, orion.teamId);

    const asked = await teams.message(ADELE, `status ${orion.requestId}`, {
      teamId: orion.teamId,
      channelId: general.id,
    });
    const answer = onlyCard(asked);
    assert.match(textOf(answer), /Team request: PRJ - Orion/);
    assert.match(textOf(answer), /Ready/);
    assert.deepEqual(
      verbsOf(answer),
      [],
      'a channel gets the read-only card, never someone’s decision buttons',
    );
    assert.equal(
      (asked.replies[0]?.activity as { replyToId?: string }).replyToId ?? asked.activity.id,
      asked.activity.id,
    );
  });

  test(
    'reject needs a comment; a decision made elsewhere updates every approver’s card',
    { timeout: 60_000 },
    async () => {
      const created = await rig.tenant.call('POST', '/api/v1/requests', {
        template: 'project',
        name: 'Vega',
        requester: ADELE,
        metadata: METADATA.project,
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const requestId = created.body.requestId as string;
      const card = await teams.waitFor(
        chats[GRADY] ?? '',
        (a) => textOf(lastCard(a)).includes(requestId),
        'approval card',
      );
      const noComment = invokeCard(
        await teams.cardAction({
          userId: GRADY,
          conversationId: chats[GRADY] ?? '',
          activityId: card.id,
          verb: 'reject',
          data: { requestId, comment: '  ' },
        }),
      );
      assert.match(textOf(noComment), /A comment is required/);
      assert.ok(verbsOf(noComment).includes('reject'), 'the buttons stay');
      assert.equal(
        (await rig.tenant.call('GET', `/api/v1/requests/${requestId}`)).body.status,
        'pending_approval',
      );

      // Someone decides in the tab (here through the API): Grady's card catches up on its own.
      const rejected = await rig.tenant.call('POST', `/api/v1/requests/${requestId}/reject`, {
        comment: 'Duplicate of Orion',
      });
      assert.equal(rejected.status, 200, JSON.stringify(rejected.body));
      const updated = await teams.waitFor(
        chats[GRADY] ?? '',
        (a) => a.id === card.id && /Rejected by/.test(textOf(lastCard(a))),
        'card updated after a decision elsewhere',
      );
      assert.match(textOf(lastCard(updated)), /Duplicate of Orion/);
      assert.deepEqual(verbsOf(lastCard(updated)), []);
      // And the refresh Teams does when Grady opens the chat shows the same.
      const refreshed = invokeCard(
        await teams.cardAction({
          userId: GRADY,
          conversationId: chats[GRADY] ?? '',
          activityId: card.id,
          verb: 'refresh',
          data: { requestId, card: 'approval' },
        }),
      );
      assert.match(textOf(refreshed), /Rejected by/);
      // Adele hears about it from her status card (sent proactively: she did not ask in chat).
      await teams.waitFor(
        chats[ADELE] ?? '',
        (a) => textOf(lastCard(a)).includes(requestId) && /Rejected by/.test(textOf(lastCard(a))),
        'rejection status card',
      );
    },
  );

  test(
    'an approver edits the request in a dialog opened from the card, then approves',
    { timeout: 60_000 },
    async () => {
      const created = await rig.tenant.call('POST', '/api/v1/requests', {
        template: 'project',
        name: 'Lyra draft',
        requester: ADELE,
        metadata: METADATA.project,
      });
      const requestId = created.body.requestId as string;
      const card = await teams.waitFor(
        chats[GRADY] ?? '',
        (a) => textOf(lastCard(a)).includes(requestId),
        'approval card',
      );
      // The Edit button is an Action.Submit that asks Teams for a dialog (task/fetch) with its data.
      const editButton = (lastCard(card).actions as { title: string; data?: Record<string, unknown> }[]).find(
        (a) => a.title === 'Edit',
      );
      assert.deepEqual(editButton?.data?.msteams, { type: 'task/fetch' });
      const where = { userId: GRADY, conversationId: chats[GRADY] ?? '', activityId: card.id };
      const opened = await teams.dialog({ ...where, kind: 'fetch', data: editButton?.data ?? {} });
      const task = (
        opened.delivery.body as {
          task: { type: string; value: { card: { content: Record<string, unknown> } } };
        }
      ).task;
      assert.equal(task.type, 'continue', JSON.stringify(opened.delivery.body));
      const form = task.value.card.content;
      seenCards.push({ where: 'edit dialog', card: form, dialog: true });
      assert.match(JSON.stringify(form), /"value":"Lyra draft"/);
      const submit = (form.actions as { type: string; data: Record<string, unknown> }[])[0];
      assert.equal(submit?.type, 'Action.Submit');

      // Someone else cannot open it: only an approver of the open stage edits.
      const other = await teams.dialog({
        ...where,
        userId: GRADY,
        kind: 'fetch',
        data: { ...editButton?.data, requestId: '00000000-0000-4000-8000-000000000000' },
      });
      assert.match(JSON.stringify(other.delivery.body), /"type":"message"/);

      const saved = await teams.dialog({
        ...where,
        kind: 'submit',
        data: {
          ...submit?.data,
          name: 'Lyra',
          description: 'Renamed by the manager',
          comment: 'Better name',
        },
      });
      const closed = (saved.delivery.body as { task: { type: string; value: string } }).task;
      assert.equal(closed.type, 'message');
      assert.match(closed.value, /Approved by Grady Archie/);
      const view = await rig.tenant.call('GET', `/api/v1/requests/${requestId}`);
      assert.equal(view.body.name, 'Lyra');
      assert.equal(view.body.description, 'Renamed by the manager');
      assert.equal(view.body.stages[0].comment, 'Better name');
      // The card the approver opened the dialog from shows the decision.
      await teams.waitFor(
        chats[GRADY] ?? '',
        (a) => a.id === card.id && /Approved by Grady Archie/.test(textOf(lastCard(a))),
        'card updated after the dialog',
      );
      await rig.waitForRun(requestId);
    },
  );

  test(
    'message extension: search, request a team from a message, share a request',
    { timeout: 60_000 },
    async () => {
      const search = await teams.extension({
        userId: ADELE,
        kind: 'query',
        commandId: 'searchTrellis',
        parameters: { query: 'orion' },
      });
      assert.equal(search.delivery.status, 200, JSON.stringify(search.delivery));
      const results = (
        search.delivery.body as {
          composeExtension: {
            type: string;
            attachments: { content: unknown; preview: { content: { title: string } } }[];
          };
        }
      ).composeExtension;
      assert.equal(results.type, 'result');
      assert.ok(results.attachments.length >= 1);
      assert.match(results.attachments[0]?.preview.content.title ?? '', /^Team: .*Orion/);
      for (const a of results.attachments) seenCards.push({ where: 'search result', card: a.content });
      const catalog = await teams.extension({
        userId: ADELE,
        kind: 'query',
        commandId: 'searchTrellis',
        parameters: { query: 'project' },
      });
      const titles = (
        catalog.delivery.body as {
          composeExtension: { attachments: { preview: { content: { title: string } } }[] };
        }
      ).composeExtension.attachments.map((a) => a.preview.content.title);
      assert.ok(
        titles.some((t) => /^Template: Project/.test(t)),
        titles.join(' | '),
      );

      // A message in the chat mentions Megan; Adele runs "Request a team" on it.
      const posted = await teams.message(ADELE, 'We need a space for the <at>Megan Bowen</at> launch review');
      const messageId = String(posted.activity.id);
      const open = await teams.extension({
        userId: ADELE,
        kind: 'fetchTask',
        commandId: 'requestTeam',
        messageId,
      });
      const task = (
        open.delivery.body as {
          task: { type: string; value: { card: { content: Record<string, unknown> } } };
        }
      ).task;
      assert.equal(task.type, 'continue', JSON.stringify(open.delivery.body));
      // Only the Project template is open to Adele: the dialog is its form, filled from the message.
      const form = task.value.card.content;
      seenCards.push({ where: 'dialog: form', card: form, dialog: true });
      const formJson = JSON.stringify(form);
      assert.match(textOf(form), /From a message by Adele Vance/);
      assert.match(formJson, /"id":"members"[^}]*"value":"megan\.bowen@contoso\.onmicrosoft\.com"/);
      assert.match(
        formJson,
        /"id":"description"[^}]*"value":"We need a space for the Megan Bowen launch review"/,
      );
      assert.ok(formJson.includes('"type":"Action.Submit"'), 'a dialog submits with Action.Submit');
      const formData: Record<string, unknown> = {
        template: 'project',
        name: 'Launch review',
        description: 'From chat',
        members: upn('megan.bowen'),
      };
      for (const [key, value] of Object.entries(METADATA.project ?? {}))
        formData[`metadata.${key}`] = String(value);
      const submitted = await teams.extension({
        userId: ADELE,
        kind: 'submitAction',
        commandId: 'requestTeam',
        data: formData,
      });
      const inserted = (
        submitted.delivery.body as { composeExtension: { type: string; attachments: { content: unknown }[] } }
      ).composeExtension;
      assert.equal(inserted.type, 'result');
      assert.match(textOf(inserted.attachments[0]?.content), /Launch review/);
      const requestId =
        /Request id\n([0-9a-f-]{36})/.exec(textOf(inserted.attachments[0]?.content))?.[1] ?? '';
      const view = await rig.tenant.call('GET', `/api/v1/requests/${requestId}`);
      assert.equal(view.status, 200);
      const megan = await rig.trellis.running.domain.directory
        .forTenant(CONTOSO_TENANT_ID)
        .getUser(upn('megan.bowen'));
      assert.deepEqual(view.body.members, [megan?.id], 'the member named in the message');

      const share = await teams.extension({ userId: ADELE, kind: 'fetchTask', commandId: 'shareRequest' });
      const shareCard = (
        share.delivery.body as { task: { value: { card: { content: Record<string, unknown> } } } }
      ).task.value.card.content;
      seenCards.push({ where: 'dialog: share', card: shareCard, dialog: true });
      assert.match(JSON.stringify(shareCard), new RegExp(requestId));
      const shared = await teams.extension({
        userId: ADELE,
        kind: 'submitAction',
        commandId: 'shareRequest',
        data: { requestId },
      });
      const sharedCard = (
        shared.delivery.body as {
          composeExtension: { attachments: { content: unknown; preview: unknown }[] };
        }
      ).composeExtension.attachments[0];
      assert.ok(sharedCard?.preview, 'shared cards carry a preview');
      assert.match(textOf(sharedCard?.content), /Launch review/);
    },
  );

  test('Connector tokens with a wrong issuer, audience, serviceUrl or expiry are refused with 401', async () => {
    const signer = rig.sb.sandbox.ctx.signers.botframework;
    const serviceUrl = `${rig.sb.origin}/`;
    const adele = await rig.trellis.running.domain.directory.forTenant(CONTOSO_TENANT_ID).getUser(ADELE);
    const ref = await rig.trellis.running.domain.teams.store.byId(rig.tenant.tenantId, chats[ADELE] ?? '');
    const activity = {
      type: 'message',
      id: '1',
      channelId: 'msteams',
      serviceUrl,
      text: 'help',
      from: { id: ref?.memberId ?? '', aadObjectId: adele?.id ?? '' },
      recipient: { id: `28:${TRELLIS_CLIENT_ID}` },
      conversation: { id: chats[ADELE] ?? '', conversationType: 'personal', tenantId: CONTOSO_TENANT_ID },
    };
    const post = (token: string | null, body: unknown = activity) =>
      rig.trellis.fetch('/api/messages', {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: JSON.stringify(body),
      });
    const good = { iss: 'https://api.botframework.com', aud: TRELLIS_CLIENT_ID, serviceurl: serviceUrl };
    const cases: [string, string | null][] = [
      ['no token', null],
      [
        'wrong issuer',
        await signer.sign({ ...good, iss: 'https://sts.windows.net/evil/' }, { expiresInSeconds: 300 }),
      ],
      ['wrong audience', await signer.sign({ ...good, aud: 'another-bot' }, { expiresInSeconds: 300 })],
      [
        'wrong serviceUrl',
        await signer.sign({ ...good, serviceurl: 'https://evil.example.com/' }, { expiresInSeconds: 300 }),
      ],
      ['expired', await signer.sign(good, { expiresInSeconds: -900 })],
      ['not a JWT', 'abc.def'],
    ];
    for (const [name, token] of cases) {
      const res = await post(token);
      const body = await res.text();
      assert.equal(res.status, 401, `${name}: ${body}`);
      assert.match(res.headers.get('content-type') ?? '', /problem\+json/, name);
    }
    const before = (await teams.conversation(chats[ADELE] ?? '')).activities.length;
    const ok = await post(await signer.sign(good, { expiresInSeconds: 300 }));
    assert.equal(ok.status, 200, await ok.text());
    const after = (await teams.conversation(chats[ADELE] ?? '')).activities;
    assert.equal(after.length, before + 1, 'the accepted activity got its answer');
    assert.match(textOf(lastCard(after.at(-1) as RecordedActivity)), /What I can do/);
  });

  test('every card the bot sent or answered validates against the Adaptive Cards schema (1.5)', async () => {
    for (const user of [ADELE, GRADY, CHRISTIE]) {
      for (const a of (await teams.conversation(chats[user] ?? '')).activities) {
        if (a.direction === 'fromBot') collect(`chat of ${user}`, a.activity);
      }
    }
    assert.ok(seenCards.length >= 20, `${seenCards.length} cards`);
    for (const { where, card, dialog } of seenCards) {
      assert.deepEqual(
        validateCard(card, { dialog: dialog ?? false }),
        [],
        `${where}: ${JSON.stringify(card).slice(0, 300)}`,
      );
    }
  });
});
