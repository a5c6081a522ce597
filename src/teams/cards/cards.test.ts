import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { AdaptiveCard } from '@microsoft/teams.cards';
import type { RunView } from '../../provisioning/index.ts';
import type { RequestView } from '../../requests/request-types.ts';
import type { CatalogEntry } from '../../templates/index.ts';
import { type Locale, translator } from '../i18n.ts';
import { helpCard, newTeamCard, noticeCard, templatesCard, welcomeCard } from './bot-cards.ts';
import { cardJson } from './card-kit.ts';
import {
  approvalCard,
  type CardContext,
  editCard,
  metadataFromInputs,
  requestListCard,
  requestSummaryCard,
  statusCard,
} from './request-cards.ts';
import { validateCard } from './validate-card.ts';

const APPROVER = '3b4c5d6e-0000-4000-8000-00000000000a';

function view(overrides: Partial<RequestView> = {}): RequestView {
  return {
    requestId: '9a8b7c6d-1111-4222-8333-444455556666',
    status: 'pending_approval',
    template: { templateId: 't-1', slug: 'project', version: 3 },
    requester: { id: 'u-1', name: 'Adele Vance' },
    createdBy: { type: 'user', id: 'u-1' },
    name: 'Orion',
    description: 'Launch of the Orion product line',
    welcomeMessage: null,
    metadata: { costCenter: 'CC-1234', tags: ['a', 'b'], confidential: false },
    owners: ['adele.vance@contoso.onmicrosoft.com'],
    members: ['megan.bowen@contoso.onmicrosoft.com'],
    names: { displayName: 'PRJ - Orion', mailNickname: 'prj-orion' },
    currentStage: 0,
    stages: [
      {
        stage: 0,
        name: 'Manager',
        status: 'pending',
        allowEdit: true,
        approvers: [
          {
            id: APPROVER,
            userPrincipalName: 'grady.archie@contoso.onmicrosoft.com',
            displayName: 'Grady Archie',
            via: 'manager',
          },
        ],
        openedAt: '2026-12-01T10:00:00Z',
        decidedAt: null,
        decidedBy: null,
        comment: null,
        remindersSent: 0,
      },
    ],
    revision: 2,
    submittedAt: '2026-12-01T10:00:00Z',
    decidedAt: null,
    expiresAt: null,
    closedReason: null,
    teamId: null,
    createdAt: '2026-12-01T10:00:00Z',
    updatedAt: '2026-12-01T10:00:00Z',
    ...overrides,
  } as RequestView;
}

function decided(status: RequestView['status'], comment: string | null = 'ok'): RequestView {
  const base = view({ status, currentStage: null });
  const stage = base.stages[0];
  if (stage) {
    stage.status = status === 'rejected' ? 'rejected' : 'approved';
    stage.decidedBy = { type: 'user', id: APPROVER, name: 'Grady Archie' };
    stage.comment = comment;
  }
  return base;
}

const run = (overrides: Partial<RunView>): RunView =>
  ({
    runId: 'r-1',
    requestId: 'x',
    status: 'running',
    progress: 40,
    currentStep: 'channels',
    teamId: 'group-1',
    attempt: 1,
    template: { templateId: 't-1', version: 3 },
    steps: [
      {
        name: 'channels',
        title: 'Channels',
        status: 'running',
        attempts: 1,
        version: 1,
        startedAt: null,
        finishedAt: null,
        error: null,
      },
    ],
    error: null,
    conformance: null,
    cleanup: null,
    createdAt: '',
    startedAt: null,
    finishedAt: null,
    updatedAt: '',
    ...overrides,
  }) as RunView;

const template: CatalogEntry = {
  templateId: 't-1',
  slug: 'project',
  name: 'Project',
  description: 'A delivery team',
  category: 'Projects',
  language: 'en',
  tags: [],
  version: 3,
  icon: null,
  screenshots: [],
  approvalStages: 1,
  metadataFields: [
    { key: 'costCenter', label: 'Cost center', type: 'text', required: true, validation: { maxLength: 20 } },
    { key: 'budget', label: 'Budget', type: 'number', required: false, validation: { min: 0, max: 1e6 } },
    { key: 'endDate', label: 'End date', type: 'date', required: false },
    { key: 'confidential', label: 'Confidential', type: 'boolean', required: false },
    {
      key: 'region',
      label: 'Region',
      type: 'choice',
      required: true,
      choices: [
        { value: 'emea', label: 'EMEA' },
        { value: 'amer', label: 'Americas' },
      ],
    },
    {
      key: 'tags',
      label: 'Tags',
      type: 'multi_choice',
      required: false,
      choices: [
        { value: 'a', label: 'A' },
        { value: 'b', label: 'B' },
      ],
    },
    { key: 'sponsor', label: 'Sponsor', type: 'person', required: false },
  ],
  updatedAt: '',
} as CatalogEntry;

const ctxOf = (locale: Locale): CardContext => ({
  t: translator(locale),
  appId: 'app-id',
  entraTenantId: 'tenant-id',
  publicUrl: 'https://trellis.contoso.com',
});

const json = (card: AdaptiveCard) => cardJson(card);
const text = (card: AdaptiveCard) => JSON.stringify(json(card));

function everyCard(locale: Locale): [string, AdaptiveCard, boolean?][] {
  const ctx = ctxOf(locale);
  const team = {
    groupId: 'group-1',
    generalChannelId: '19:general@thread.tacv2',
    generalChannelName: 'General',
  };
  const failed = run({
    status: 'failed',
    error: { code: 'step_failed', message: 'Graph answered 403', step: 'apps' } as RunView['error'],
  });
  return [
    ['approval (approvers)', approvalCard(ctx, view(), { approverMris: ['29:a', '29:b'] })],
    [
      'approval (approver view)',
      approvalCard(ctx, view(), { viewerId: APPROVER, notice: { text: 'x', error: true } }),
    ],
    ['approval (someone else)', approvalCard(ctx, view(), { viewerId: 'someone' })],
    ['approval (approved)', approvalCard(ctx, decided('approved'))],
    ['approval (rejected)', approvalCard(ctx, decided('rejected', 'No budget'))],
    ['edit dialog', editCard(ctx, view(), 'Name taken'), true],
    ['status approved', statusCard(ctx, decided('approved'), { requesterMri: '29:r' })],
    [
      'status rejected',
      statusCard(ctx, decided('rejected', 'No budget'), {
        helpUpns: ['grady.archie@contoso.onmicrosoft.com'],
      }),
    ],
    ['status provisioning', statusCard(ctx, decided('provisioning'), { run: run({}), requesterMri: '29:r' })],
    [
      'status completed',
      statusCard(ctx, decided('completed'), { run: run({ status: 'completed', progress: 100 }), team }),
    ],
    [
      'status drift',
      statusCard(ctx, decided('completed_with_drift'), {
        run: run({ conformance: { differences: [{}, {}] } as unknown as RunView['conformance'] }),
        team,
      }),
    ],
    [
      'status failed',
      statusCard(ctx, decided('failed'), { run: failed, helpUpns: ['grady.archie@contoso.onmicrosoft.com'] }),
    ],
    ['status cancelled', statusCard(ctx, decided('cancelled'))],
    ['status expired', statusCard(ctx, decided('expired'))],
    ['summary', requestSummaryCard(ctx, view())],
    ['list', requestListCard(ctx, 'Mine', 'none', [view(), decided('completed')])],
    ['list empty', requestListCard(ctx, 'Mine', 'none', [])],
    ['help', helpCard(ctx, 'intro')],
    ['welcome', welcomeCard(ctx)],
    ['welcome team', welcomeCard(ctx, 'Marketing')],
    ['templates', templatesCard(ctx, [template])],
    ['templates empty', templatesCard(ctx, [])],
    [
      'form',
      newTeamCard(ctx, template, {
        mode: 'execute',
        prefill: {
          name: 'Orion',
          members: ['a@b.c'],
          metadata: { budget: 10, confidential: true, region: 'emea' },
        },
      }),
    ],
    [
      'dialog form',
      newTeamCard(ctx, template, { mode: 'dialog', error: 'bad', note: 'From a message' }),
      true,
    ],
    ['notice', noticeCard('Oops', true)],
  ];
}

describe('cards', () => {
  for (const locale of ['en', 'fr'] as const) {
    test(`every card validates as Adaptive Cards 1.5 (${locale})`, () => {
      for (const [name, card, dialog] of everyCard(locale)) {
        assert.deepEqual(
          validateCard(json(card), { dialog: dialog ?? false }),
          [],
          `${name}: ${text(card).slice(0, 400)}`,
        );
      }
    });
  }

  test('an approver gets decision buttons, others and decided requests get none', () => {
    const ctx = ctxOf('en');
    const verbs = (card: AdaptiveCard) => [...text(card).matchAll(/"verb":"(\w+)"/g)].map((m) => m[1]);
    const forApprover = approvalCard(ctx, view(), { viewerId: APPROVER });
    assert.deepEqual(verbs(forApprover), ['approve', 'reject']);
    assert.match(
      text(forApprover),
      /"title":"Edit","data":\{[^}]*"dialog":"editRequest","msteams":\{"type":"task\/fetch"\}/,
    );
    assert.match(text(approvalCard(ctx, view(), { viewerId: 'someone' })), /not an approver/);
    assert.deepEqual(verbs(approvalCard(ctx, decided('approved'))), []);
    assert.match(
      text(approvalCard(ctx, decided('rejected', 'No budget'))),
      /Rejected by Grady Archie: No budget/,
    );
    const noEdit = view();
    if (noEdit.stages[0]) noEdit.stages[0].allowEdit = false;
    assert.doesNotMatch(text(approvalCard(ctx, noEdit, { viewerId: APPROVER })), /editRequest/);
  });

  test('refresh covers at most 60 approvers and only open requests', () => {
    const ctx = ctxOf('en');
    const mris = Array.from({ length: 80 }, (_, i) => `29:${i}`);
    const open = json(approvalCard(ctx, view(), { approverMris: mris })) as {
      refresh?: { userIds: string[] };
    };
    assert.equal(open.refresh?.userIds.length, 60);
    const closed = json(approvalCard(ctx, decided('approved'), { approverMris: mris })) as {
      refresh?: unknown;
    };
    assert.equal(closed.refresh, undefined);
  });

  test('status cards say what happened and link where to go next', () => {
    const ctx = ctxOf('en');
    const [, failed] = everyCard('en').find(([n]) => n === 'status failed') ?? [];
    assert.ok(failed);
    assert.match(text(failed), /failed at step \\"apps\\": Graph answered 403/);
    assert.match(
      text(failed),
      /l\/chat\/0\/0\?tenantId=tenant-id&users=grady.archie%40contoso.onmicrosoft.com/,
    );
    const [, completed] = everyCard('en').find(([n]) => n === 'status completed') ?? [];
    assert.ok(completed);
    assert.match(text(completed), /l\/team\/19%3Ageneral%40thread.tacv2\/conversations\?groupId=group-1/);
    assert.match(text(completed), /l\/entity\/app-id\/requests\?/);
    assert.match(text(statusCard(ctx, decided('provisioning'), { run: run({}) })), /40% \(Channels\)/);
    assert.match(
      text(statusCard(ctxOf('fr'), decided('provisioning'), { run: run({}) })),
      /Création de l’équipe : 40 %/,
    );
  });

  test('metadata inputs are typed as their fields and read back as the field types', () => {
    const card = text(newTeamCard(ctxOf('en'), template, { mode: 'execute' }));
    for (const type of ['Input.Number', 'Input.Date', 'Input.Toggle', 'Input.ChoiceSet'])
      assert.ok(card.includes(type), type);
    const body = (json(newTeamCard(ctxOf('en'), template, { mode: 'execute' })).body ?? []) as {
      id?: string;
      isMultiSelect?: boolean;
    }[];
    assert.equal(body.find((e) => e.id === 'metadata.tags')?.isMultiSelect, true);
    assert.equal(body.find((e) => e.id === 'metadata.region')?.isMultiSelect, false);
    assert.deepEqual(
      metadataFromInputs(template.metadataFields, {
        'metadata.costCenter': 'CC-1',
        'metadata.budget': '1200.5',
        'metadata.confidential': 'true',
        'metadata.tags': 'a,b',
        'metadata.region': 'emea',
        'metadata.endDate': '',
      }),
      { costCenter: 'CC-1', budget: 1200.5, confidential: true, tags: ['a', 'b'], region: 'emea' },
    );
  });
});

describe('validateCard', () => {
  test('reports what Teams would refuse', () => {
    const problems = validateCard({
      type: 'AdaptiveCard',
      version: '1.6',
      body: [{ type: 'Bogus' }, { type: 'Input.Text' }, { type: 'TextBlock', text: 'x', color: 'purple' }],
      actions: [
        { type: 'Action.Submit', title: 'Send' },
        { type: 'Action.Execute', title: 'Go' },
      ],
      refresh: {
        action: { type: 'Action.Execute', verb: 'r' },
        userIds: Array.from({ length: 61 }, (_, i) => `29:${i}`),
      },
    });
    const all = problems.join('\n');
    for (const expected of [
      /version must be "1.5"/,
      /Unknown element type "Bogus"/,
      /Input.Text needs an id/,
      /Invalid value "purple"/,
      /Action.Submit is not routed/,
      /Action.Execute needs a verb/,
      /more than 60/,
    ]) {
      assert.match(all, expected);
    }
    assert.deepEqual(validateCard('nope'), ['a card must be a JSON object']);
    assert.match(
      validateCard({
        type: 'AdaptiveCard',
        version: '1.5',
        body: [{ type: 'TextBlock', text: 'x'.repeat(30_000) }],
      }).join(),
      /28 KB/,
    );
  });
});
