import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { issueAccessToken, RESOURCES } from '../../sandbox/entra/access-tokens.ts';
import { CONTOSO_TENANT_ID, TRELLIS_CLIENT_ID } from '../../sandbox/state/seed-contoso.ts';
import type { DirectoryUser, TenantState } from '../../sandbox/state/types.ts';
import { startTestSandbox, type TestSandbox } from '../helpers/sandbox.ts';
import { addTestUser } from '../helpers/directory.ts';

/*
 * The acceptance scenario: under the `strict` fault profile (429s, transient 5xx some of which land after
 * the write, replication lag, latency), a small client provisions a complete team through Graph calls
 * alone, then reads everything back: it must match exactly, with nothing missing and nothing twice.
 */

// biome-ignore lint/suspicious/noExplicitAny: Graph JSON bodies, asserted field by field.
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

interface Reply {
  status: number;
  headers: Headers;
  json: Json;
  text: string;
}

const TRANSIENT = new Set([500, 502, 503, 504]);

/** The client an engine needs against Graph: honours Retry-After, backs off, and never repeats a POST blindly. */
class Client {
  readonly seen = { throttled: 0, transient: 0, notFoundWhileReplicating: 0, requests: 0 };
  readonly #sb: TestSandbox;
  readonly #token: string;
  constructor(sb: TestSandbox, token: string) {
    this.#sb = sb;
    this.#token = token;
  }

  /**
   * One Graph call. 429 and 503 were not processed: wait (Retry-After) and send again. Other 5xx may hide an
   * applied write, so only reads and idempotent writes are resent here; a POST hands them to its caller.
   */
  async send(
    method: string,
    path: string,
    options: { body?: unknown; headers?: Record<string, string> } = {},
  ): Promise<Reply> {
    const idempotent = method === 'GET' || method === 'PUT' || method === 'DELETE';
    for (let attempt = 0; attempt < 50; attempt++) {
      this.seen.requests++;
      const isText = typeof options.body === 'string';
      const response = await this.#sb.fetch(path.startsWith('http') ? path : `/v1.0${path}`, {
        method,
        headers: {
          authorization: `Bearer ${this.#token}`,
          'client-request-id': randomUUID(),
          ...(options.body === undefined
            ? {}
            : { 'content-type': isText ? 'text/plain' : 'application/json' }),
          ...(options.headers ?? {}),
        },
        ...(options.body === undefined
          ? {}
          : { body: isText ? (options.body as string) : JSON.stringify(options.body) }),
      });
      const text = await response.text();
      const reply: Reply = {
        status: response.status,
        headers: response.headers as unknown as Headers,
        json:
          text && /json/.test(response.headers.get('content-type') ?? '') ? (JSON.parse(text) as Json) : {},
        text,
      };
      const retryAfter = Number(response.headers.get('retry-after'));
      if (reply.status === 429) {
        this.seen.throttled++;
        await sleep((retryAfter || 1) * 1000);
        continue;
      }
      if (TRANSIENT.has(reply.status)) {
        this.seen.transient++;
        if (reply.status !== 503 && !idempotent) return reply;
        await sleep(retryAfter ? retryAfter * 1000 : Math.min(800, 50 * 2 ** attempt));
        continue;
      }
      return reply;
    }
    throw new Error(`${method} ${path}: still failing after 50 attempts`);
  }

  /** GET that must succeed; 404s are retried for a while when the resource is known to be replicating. */
  async get(path: string, options: { replicating?: boolean } = {}): Promise<Json> {
    for (let i = 0; i < 60; i++) {
      const reply = await this.send('GET', path);
      if (reply.status === 404 && options.replicating) {
        this.seen.notFoundWhileReplicating++;
        await sleep(200);
        continue;
      }
      assert.equal(reply.status, 200, `GET ${path}: ${reply.text}`);
      return reply.json;
    }
    throw new Error(`GET ${path} stayed 404`);
  }

  /** Every page of a collection. */
  async all(path: string): Promise<Json[]> {
    const items: Json[] = [];
    let next: string | undefined = path;
    while (next) {
      const page = await this.get(next);
      items.push(...(page.value as Json[]));
      next = page['@odata.nextLink'];
    }
    return items;
  }

  /**
   * Look before you create, and look again after any doubt (5xx after a write, 409): each object exists once.
   * `create` returns the reply of the POST.
   */
  async ensure<T>(
    find: () => Promise<T | undefined>,
    create: () => Promise<Reply>,
    what: string,
  ): Promise<T> {
    for (let i = 0; i < 30; i++) {
      const existing = await find();
      if (existing !== undefined) return existing;
      const reply = await create();
      if (reply.status >= 200 && reply.status < 300) continue; // found on the next look, whatever the body
      if (TRANSIENT.has(reply.status) || reply.status === 409) continue;
      if (reply.status === 404) {
        this.seen.notFoundWhileReplicating++;
        await sleep(200);
        continue;
      }
      assert.fail(`${what}: ${reply.status} ${reply.text}`);
    }
    throw new Error(`${what}: not created after 30 attempts`);
  }

  /** PATCH with If-Match until `done` holds: a stale etag (412) or a doubtful 5xx means read and decide again. */
  async patchUntil(
    path: string,
    done: (current: Json) => boolean,
    body: (current: Json) => Json,
  ): Promise<Json> {
    for (let i = 0; i < 30; i++) {
      const current = await this.get(path);
      if (done(current)) return current;
      const reply = await this.send('PATCH', path, {
        body: body(current),
        headers: { 'If-Match': current['@odata.etag'] },
      });
      if (reply.status === 204 || reply.status === 200 || reply.status === 412 || TRANSIENT.has(reply.status))
        continue;
      assert.fail(`PATCH ${path}: ${reply.status} ${reply.text}`);
    }
    throw new Error(`PATCH ${path} never took`);
  }
}

let sb: TestSandbox;
let tenant: TenantState;
let people: { owner: DirectoryUser; grace: DirectoryUser; alan: DirectoryUser; katherine: DirectoryUser };

function person(name: string): DirectoryUser {
  return addTestUser(tenant, name, {
    department: 'Launch',
    country: 'Canada',
    usageLocation: 'CA',
    preferredLanguage: 'en-CA',
    jobTitle: null,
  });
}

before(async () => {
  sb = await startTestSandbox({ faults: 'strict' });
  const found = sb.sandbox.ctx.store.tenant(CONTOSO_TENANT_ID);
  assert.ok(found);
  tenant = found;
  people = {
    owner: person('Olivia Owner'),
    grace: person('Grace Scenario'),
    alan: person('Alan Scenario'),
    katherine: person('Katherine Scenario'),
  };
});

after(async () => {
  await sb?.close();
});

/** Provisions, reads back, checks the fault counters. */
async function scenario(): Promise<void> {
  const started = Date.now();
  const token = await issueAccessToken(sb.sandbox.ctx, {
    tenant,
    clientId: TRELLIS_CLIENT_ID,
    audience: RESOURCES.graph.uri,
    roles: [
      'User.Read.All',
      'Group.ReadWrite.All',
      'Team.Create',
      'TeamMember.ReadWrite.All',
      'ChannelMember.ReadWrite.All',
      'TeamsAppInstallation.ReadWriteForTeam.All',
      'TeamsTab.ReadWrite.All',
      'Files.ReadWrite.All',
      'Tasks.ReadWrite.All',
      'AppCatalog.Read.All',
    ],
  });
  const c = new Client(sb, token.token);
  const { owner, grace, alan, katherine } = people;
  const userRef = (u: DirectoryUser) => `https://graph.microsoft.com/v1.0/users('${u.id}')`;
  const member = (u: DirectoryUser, roles: string[]) => ({
    '@odata.type': '#microsoft.graph.aadUserConversationMember',
    roles,
    'user@odata.bind': userRef(u),
  });
  const nickname = `launch${randomUUID().slice(0, 6)}`;

  // 1. The group (eventually consistent: Teams and SharePoint learn of it after a lag).
  const group = await c.ensure(
    async () => (await c.get(`/groups?$filter=mailNickname eq '${nickname}'`)).value[0] as Json | undefined,
    () =>
      c.send('POST', '/groups', {
        body: {
          displayName: 'Northwind Launch',
          description: 'Launch of the Northwind product line',
          mailNickname: nickname,
          mailEnabled: true,
          securityEnabled: false,
          groupTypes: ['Unified'],
          visibility: 'Private',
          'owners@odata.bind': [`https://graph.microsoft.com/v1.0/users/${owner.id}`],
          'members@odata.bind': [`https://graph.microsoft.com/v1.0/users/${owner.id}`],
        },
      }),
    'group',
  );
  const teamId = group.id as string;

  // 2. Its team: 404 while the group replicates, 409 if an earlier attempt got through, then the operation.
  let done = false;
  while (!done) {
    const reply = await c.send('POST', '/teams', {
      body: {
        'template@odata.bind': "https://graph.microsoft.com/v1.0/teamsTemplates('standard')",
        'group@odata.bind': `https://graph.microsoft.com/v1.0/groups('${teamId}')`,
        memberSettings: { allowCreatePrivateChannels: true },
      },
    });
    if (reply.status === 202) {
      const location = reply.headers.get('location') ?? '';
      for (;;) {
        const op = await c.get(location);
        if (op.status === 'succeeded') break;
        assert.ok(['notStarted', 'inProgress'].includes(op.status), JSON.stringify(op));
        await sleep(250);
      }
      done = true;
    } else if (reply.status === 404) {
      c.seen.notFoundWhileReplicating++;
      await sleep(250);
    } else if (reply.status === 409) {
      await c.get(`/teams/${teamId}`, { replicating: true });
      done = true;
    } else {
      assert.ok(TRANSIENT.has(reply.status), `POST /teams: ${reply.status} ${reply.text}`);
    }
  }
  const team = await c.get(`/teams/${teamId}`, { replicating: true });
  assert.equal(team.displayName, 'Northwind Launch');

  // 3. Members (the group follows), one in bulk.
  for (const [u, roles] of [
    [grace, ['owner']],
    [alan, []],
  ] as const) {
    await c.ensure(
      async () =>
        (
          await c.get(
            `/teams/${teamId}/members?$filter=(microsoft.graph.aadUserConversationMember/userId eq '${u.id}')`,
          )
        ).value.find((m: Json) => JSON.stringify(m.roles) === JSON.stringify(roles)),
      () => c.send('POST', `/teams/${teamId}/members`, { body: member(u, [...roles]) }),
      `member ${u.displayName}`,
    );
  }
  await c.ensure(
    async () => (await c.all(`/teams/${teamId}/members`)).find((m) => m.userId === katherine.id),
    () => c.send('POST', `/teams/${teamId}/members/add`, { body: { values: [member(katherine, [])] } }),
    'bulk member',
  );

  // 4. One channel of each kind (plus a second standard one for the plan).
  const channel = (displayName: string, body: Json) =>
    c.ensure(
      async (): Promise<Json | undefined> =>
        (await c.get(`/teams/${teamId}/channels?$filter=displayName eq '${displayName}'`)).value[0],
      () => c.send('POST', `/teams/${teamId}/channels`, { body: { displayName, ...body } }),
      `channel ${displayName}`,
    );
  const announcements = await channel('Announcements', { description: 'News', membershipType: 'standard' });
  const planning = await channel('Planning', { membershipType: 'standard' });
  const leadership = await channel('Leadership', {
    membershipType: 'private',
    members: [member(owner, ['owner']), member(grace, [])],
  });
  const partners = await channel('Partners', {
    membershipType: 'shared',
    members: [member(grace, ['owner'])],
  });
  const cid = (ch: Json) => encodeURIComponent(ch.id as string);
  await c.ensure(
    async () =>
      (await c.get(`/teams/${teamId}/channels/${cid(leadership)}/members`)).value.find(
        (m: Json) => m.userId === alan.id,
      ),
    () => c.send('POST', `/teams/${teamId}/channels/${cid(leadership)}/members`, { body: member(alan, []) }),
    'private channel member',
  );

  // 5. Apps (Trellis from the org catalog by its manifest id), then their tabs.
  const trellis = (await c.get(`/appCatalogs/teamsApps?$filter=externalId eq '${TRELLIS_CLIENT_ID}'`))
    .value[0] as Json;
  const apps = [
    'com.microsoft.teamspace.tab.planner',
    'com.microsoft.teamspace.tab.web',
    '0d820ecd-def2-4297-adad-78056cde7c78',
    trellis.id,
  ];
  for (const appId of apps) {
    await c.ensure(
      async () =>
        (await c.get(`/teams/${teamId}/installedApps?$expand=teamsApp&$filter=teamsApp/id eq '${appId}'`))
          .value[0],
      () =>
        c.send('POST', `/teams/${teamId}/installedApps`, {
          body: { 'teamsApp@odata.bind': `https://graph.microsoft.com/v1.0/appCatalogs/teamsApps/${appId}` },
        }),
      `app ${appId}`,
    );
  }

  // 6. Files: a folder at the root, a folder and a file in a channel's folder, a file by path.
  const drive = await c.get(`/groups/${teamId}/drive`, { replicating: true });
  const contracts = await c.ensure(
    async () => {
      const reply = await c.send('GET', `/groups/${teamId}/drive/root:/Contracts`);
      return reply.status === 200 ? reply.json : undefined;
    },
    () =>
      c.send('POST', `/groups/${teamId}/drive/root/children`, {
        body: { name: 'Contracts', folder: {}, '@microsoft.graph.conflictBehavior': 'fail' },
      }),
    'Contracts folder',
  );
  const announcementsFolder = await c.get(`/teams/${teamId}/channels/${cid(announcements)}/filesFolder`);
  const briefs = await c.ensure(
    async () =>
      (await c.all(`/drives/${drive.id}/items/${announcementsFolder.id}/children`)).find(
        (i) => i.name === 'Briefs',
      ),
    () =>
      c.send('POST', `/drives/${drive.id}/items/${announcementsFolder.id}/children`, {
        body: { name: 'Briefs', folder: {}, '@microsoft.graph.conflictBehavior': 'fail' },
      }),
    'Briefs folder',
  );
  const welcome = 'Welcome to the Northwind launch.\n';
  const uploaded = await c.send('PUT', `/drives/${drive.id}/items/${briefs.id}:/Welcome.txt:/content`, {
    body: welcome,
  });
  assert.ok(uploaded.status === 201 || uploaded.status === 200, uploaded.text);
  const nda = await c.send('PUT', `/groups/${teamId}/drive/root:/Contracts/NDA template.txt:/content`, {
    body: 'NDA v1\n',
  });
  assert.ok(nda.status === 201 || nda.status === 200, nda.text);

  // 7. Planner: plan, labels, buckets, tasks with labels and assignees, a checklist.
  const plan = await c.ensure(
    async () => (await c.all(`/groups/${teamId}/planner/plans`)).find((p) => p.title === 'Launch plan'),
    () =>
      c.send('POST', '/planner/plans', {
        body: {
          container: { url: `https://graph.microsoft.com/v1.0/groups/${teamId}` },
          title: 'Launch plan',
        },
      }),
    'plan',
  );
  await c.patchUntil(
    `/planner/plans/${plan.id}/details`,
    (d) => d.categoryDescriptions.category1 === 'Marketing' && d.categoryDescriptions.category2 === 'Risk',
    () => ({ categoryDescriptions: { category1: 'Marketing', category2: 'Risk' } }),
  );
  const bucket = (name: string) =>
    c.ensure(
      async () => (await c.all(`/planner/plans/${plan.id}/buckets`)).find((b) => b.name === name),
      () => c.send('POST', '/planner/buckets', { body: { name, planId: plan.id, orderHint: ' !' } }),
      `bucket ${name}`,
    );
  const todo = await bucket('To do');
  const doing = await bucket('Doing');
  const taskSpecs = [
    { title: 'Write the announcement', bucket: todo, categories: ['category1'], assignee: grace },
    { title: 'Risk review', bucket: doing, categories: ['category2'], assignee: alan },
    { title: 'Book the venue', bucket: todo, categories: [], assignee: katherine },
  ];
  const tasks: Json[] = [];
  for (const spec of taskSpecs) {
    tasks.push(
      await c.ensure(
        async () => (await c.all(`/planner/plans/${plan.id}/tasks`)).find((t) => t.title === spec.title),
        () =>
          c.send('POST', '/planner/tasks', {
            body: {
              planId: plan.id,
              bucketId: spec.bucket.id,
              title: spec.title,
              appliedCategories: Object.fromEntries(spec.categories.map((k) => [k, true])),
              assignments: {
                [spec.assignee.id]: { '@odata.type': '#microsoft.graph.plannerAssignment', orderHint: ' !' },
              },
            },
          }),
        `task ${spec.title}`,
      ),
    );
  }
  const checklist = ['Draft', 'Review', 'Publish'];
  await c.patchUntil(
    `/planner/tasks/${tasks[0]?.id}/details`,
    (d) =>
      JSON.stringify(
        Object.values(d.checklist as Record<string, Json>)
          .map((i: Json) => i.title)
          .sort(),
      ) === JSON.stringify([...checklist].sort()),
    (d) => ({
      checklist: Object.fromEntries(
        checklist
          .filter(
            (title) =>
              !Object.values(d.checklist as Record<string, Json>).some((i: Json) => i.title === title),
          )
          .map((title) => [
            randomUUID(),
            { '@odata.type': 'microsoft.graph.plannerChecklistItem', title, isChecked: false },
          ]),
      ),
    }),
  );

  // 8. Tabs (their apps are installed): the website and the plan.
  const tab = (ch: Json, displayName: string, appId: string, configuration: Json) =>
    c.ensure(
      async () =>
        (await c.get(`/teams/${teamId}/channels/${cid(ch)}/tabs?$filter=displayName eq '${displayName}'`))
          .value[0],
      () =>
        c.send('POST', `/teams/${teamId}/channels/${cid(ch)}/tabs`, {
          body: {
            displayName,
            'teamsApp@odata.bind': `https://graph.microsoft.com/v1.0/appCatalogs/teamsApps/${appId}`,
            configuration,
          },
        }),
      `tab ${displayName}`,
    );
  await tab(announcements, 'Launch site', 'com.microsoft.teamspace.tab.web', {
    entityId: null,
    contentUrl: 'https://northwind.example/launch',
    websiteUrl: 'https://northwind.example/launch',
    removeUrl: null,
  });
  const plannerUrl = `https://tasks.office.com/${tenant.domain}/Home/PlannerFrame?page=7&planId=${plan.id}`;
  await tab(planning, 'Plan', 'com.microsoft.teamspace.tab.planner', {
    entityId: plan.id,
    contentUrl: plannerUrl,
    websiteUrl: plannerUrl,
    removeUrl: plannerUrl,
  });

  // ---- Read everything back: exactly what was asked for. ----
  const channels = await c.all(`/teams/${teamId}/channels`);
  assert.deepEqual(channels.map((ch) => [ch.displayName, ch.membershipType]).sort(), [
    ['Announcements', 'standard'],
    ['General', 'standard'],
    ['Leadership', 'private'],
    ['Partners', 'shared'],
    ['Planning', 'standard'],
  ]);
  const roster = (members: Json[]) => members.map((m) => [m.userId, [...m.roles].sort()]).sort();
  assert.deepEqual(
    roster(await c.all(`/teams/${teamId}/members`)),
    [
      [owner.id, ['owner']],
      [grace.id, ['owner']],
      [alan.id, []],
      [katherine.id, []],
    ].sort(),
  );
  const groupOwners = (await c.all(`/groups/${teamId}/owners?$select=id`)).map((u) => u.id).sort();
  assert.deepEqual(groupOwners, [owner.id, grace.id].sort());
  const groupMembers = (await c.all(`/groups/${teamId}/members?$select=id`)).map((u) => u.id).sort();
  assert.deepEqual(groupMembers, [owner.id, grace.id, alan.id, katherine.id].sort());
  assert.deepEqual(
    roster(await c.all(`/teams/${teamId}/channels/${cid(leadership)}/members`)),
    [
      [owner.id, ['owner']],
      [grace.id, []],
      [alan.id, []],
    ].sort(),
  );
  assert.deepEqual(roster(await c.all(`/teams/${teamId}/channels/${cid(partners)}/members`)), [
    [grace.id, ['owner']],
  ]);

  const installed = await c.all(`/teams/${teamId}/installedApps?$expand=teamsApp`);
  assert.deepEqual(installed.map((i) => i.teamsApp.id).sort(), [...apps].sort());

  const tabsOf = async (ch: Json) =>
    (await c.all(`/teams/${teamId}/channels/${cid(ch)}/tabs?$expand=teamsApp`)).map((t) => [
      t.displayName,
      t.teamsApp.id,
      t.configuration.entityId,
    ]);
  assert.deepEqual(await tabsOf(announcements), [['Launch site', 'com.microsoft.teamspace.tab.web', null]]);
  assert.deepEqual(await tabsOf(planning), [['Plan', 'com.microsoft.teamspace.tab.planner', plan.id]]);
  assert.deepEqual(await tabsOf(leadership), []);

  const names = async (path: string) => (await c.all(path)).map((i) => i.name).sort();
  assert.deepEqual(await names(`/groups/${teamId}/drive/root/children`), [
    'Announcements',
    'Contracts',
    'General',
    'Planning',
  ]);
  assert.deepEqual(await names(`/drives/${drive.id}/items/${contracts.id}/children`), ['NDA template.txt']);
  assert.deepEqual(await names(`/drives/${drive.id}/items/${announcementsFolder.id}/children`), ['Briefs']);
  const briefsChildren = await c.all(`/drives/${drive.id}/items/${briefs.id}/children`);
  assert.deepEqual(
    briefsChildren.map((i) => [i.name, i.size]),
    [['Welcome.txt', Buffer.byteLength(welcome)]],
  );
  const downloaded = await sb.fetch(briefsChildren[0]?.['@microsoft.graph.downloadUrl']);
  assert.equal(await downloaded.text(), welcome);

  const plans = await c.all(`/groups/${teamId}/planner/plans`);
  assert.deepEqual(
    plans.map((p) => p.title),
    ['Launch plan'],
  );
  const details = await c.get(`/planner/plans/${plan.id}/details`);
  assert.equal(details.categoryDescriptions.category1, 'Marketing');
  assert.equal(details.categoryDescriptions.category2, 'Risk');
  const buckets = await c.all(`/planner/plans/${plan.id}/buckets`);
  assert.deepEqual(buckets.map((b) => b.name).sort(), ['Doing', 'To do']);
  const bucketName = new Map(buckets.map((b) => [b.id, b.name]));
  const readTasks = await c.all(`/planner/plans/${plan.id}/tasks`);
  assert.deepEqual(
    readTasks
      .map((t) => [
        t.title,
        bucketName.get(t.bucketId),
        Object.keys(t.appliedCategories).sort(),
        Object.keys(t.assignments),
      ])
      .sort(),
    [
      ['Book the venue', 'To do', [], [katherine.id]],
      ['Risk review', 'Doing', ['category2'], [alan.id]],
      ['Write the announcement', 'To do', ['category1'], [grace.id]],
    ],
  );
  const taskDetails = await c.get(`/planner/tasks/${tasks[0]?.id}/details`);
  assert.deepEqual(
    Object.values(taskDetails.checklist as Record<string, Json>)
      .map((i: Json) => i.title)
      .sort(),
    [...checklist].sort(),
  );
  assert.equal(readTasks.find((t) => t.id === tasks[0]?.id)?.checklistItemCount, 3);

  // The faults were real: throttling, transient errors and replication lag were all served and survived.
  const faults = (await (await sb.fetch('/sandbox/api/faults')).json()) as Json;
  assert.equal(faults.profile, 'strict');
  assert.ok(faults.counters.throttled > 0, JSON.stringify(faults.counters));
  assert.ok(faults.counters.transient > 0, JSON.stringify(faults.counters));
  assert.ok(faults.counters.replicationLag > 0, JSON.stringify(faults.counters));
  assert.equal(c.seen.throttled, faults.counters.throttled);
  assert.equal(c.seen.transient, faults.counters.transient);
  const elapsed = Date.now() - started;
  process.stderr.write(
    `scenario: ${c.seen.requests} requests in ${elapsed} ms; served ${JSON.stringify(faults.counters)}\n`,
  );
}

test(
  'strict faults: a full team provisioned through Graph reads back exactly, and the faults were real',
  { timeout: 120_000 },
  scenario,
);
