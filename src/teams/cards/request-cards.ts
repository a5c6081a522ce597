import {
  ActionSet,
  type AdaptiveCard,
  type CardElement,
  ChoiceSetInput,
  Choice,
  Container,
  DateInput,
  NumberInput,
  TextInput,
  ToggleInput,
} from '@microsoft/teams.cards';
import type { RunView } from '../../provisioning/index.ts';
import type { RequestView } from '../../requests/index.ts';
import type { MetadataFieldDefinition } from '../../templates/index.ts';
import { channelLink, chatLink, entityLink, teamLink } from '../deep-links.ts';
import type { MessageKey, Translate } from '../i18n.ts';
import { execute, facts, newCard, openUrl, paragraph, title } from './card-kit.ts';

/** What every card needs to know about where it is shown. */
export interface CardContext {
  t: Translate;
  /** The Teams app id (for entity deep links into the Trellis tabs). */
  appId: string;
  entraTenantId: string;
  publicUrl: string;
}

/** Dialogs a card opens (Action.Submit with `msteams.type: "task/fetch"`). */
export const DIALOGS = { editRequest: 'editRequest' } as const;

/** Teams refreshes a card for at most 60 users (their MRIs). */
export const MAX_REFRESH_USERS = 60;

/** Verbs of the Action.Execute buttons, as the bot routes them. */
export const VERBS = {
  refresh: 'refresh',
  approve: 'approve',
  reject: 'reject',
  showRequest: 'showRequest',
  newTeamForm: 'newTeamForm',
  createRequest: 'createRequest',
} as const;

export function displayNameOf(view: RequestView): string {
  return view.names?.displayName ?? view.name;
}

export function statusLabel(t: Translate, status: string): string {
  const key = `status.label.${status}` as MessageKey;
  return t(key) === key ? status : t(key);
}

function requestLink(ctx: CardContext, view: RequestView): string {
  return entityLink({
    appId: ctx.appId,
    entityId: 'requests',
    tenantId: ctx.entraTenantId,
    subEntityId: view.requestId,
    label: displayNameOf(view),
    webUrl: `${ctx.publicUrl}/tabs/requests?request=${encodeURIComponent(view.requestId)}`,
  });
}

function metadataFacts(view: RequestView): [string, string][] {
  return Object.entries(view.metadata)
    .filter(([, value]) => value !== null && value !== undefined && value !== '')
    .slice(0, 10)
    .map(([key, value]) => [key, Array.isArray(value) ? value.join(', ') : String(value)]);
}

function requestFacts(ctx: CardContext, view: RequestView): CardElement {
  const { t } = ctx;
  const stage = view.currentStage !== null ? view.stages[view.currentStage] : undefined;
  return facts([
    [t('card.request.requester'), view.requester.name ?? view.requester.id],
    [t('card.request.template'), `${view.template.slug} (v${view.template.version})`],
    [t('card.request.status'), statusLabel(t, view.status)],
    [t('card.request.stage'), stage ? `${stage.stage + 1}/${view.stages.length} · ${stage.name}` : null],
    [t('card.request.owners'), view.owners.join(', ')],
    [t('card.request.members'), view.members.length > 0 ? String(view.members.length) : null],
    [t('card.request.submitted'), view.submittedAt ? view.submittedAt.slice(0, 10) : null],
    ...metadataFacts(view),
    [t('card.request.id'), view.requestId],
  ]);
}

/** Whether the request waits on a stage the given user may decide. */
export function awaitsDecisionBy(view: RequestView, userId: string | undefined): boolean {
  if (view.status !== 'pending_approval' || view.currentStage === null || !userId) return false;
  const stage = view.stages[view.currentStage];
  return (
    !!stage &&
    stage.status === 'pending' &&
    stage.approvers.some((a) => a.id.toLowerCase() === userId.toLowerCase())
  );
}

function outcomeLine(ctx: CardContext, view: RequestView): string {
  const { t } = ctx;
  const decided = [...view.stages].reverse().find((s) => s.decidedBy);
  const by = decided?.decidedBy?.name ?? decided?.decidedBy?.id ?? '';
  if (view.status === 'rejected')
    return t('card.approval.rejectedBy', { name: by, comment: decided?.comment ?? '' });
  if (view.status === 'pending_approval') {
    return decided
      ? t('card.approval.stageApproved', { stage: decided.name, name: by })
      : statusLabel(t, view.status);
  }
  if (['approved', 'provisioning', 'completed', 'completed_with_drift', 'failed'].includes(view.status)) {
    return t('card.approval.approvedBy', { name: by });
  }
  return t('card.approval.closed', { status: statusLabel(t, view.status).toLowerCase() });
}

/**
 * The approval card: the request, and for an approver of the open stage a comment box with approve,
 * reject and edit. It refreshes itself for every approver (Universal Actions), so whoever looks at
 * it sees the current state; once decided it shows the outcome and no buttons.
 */
export function approvalCard(
  ctx: CardContext,
  view: RequestView,
  options: {
    viewerId?: string;
    approverMris?: readonly string[];
    notice?: { text: string; error?: boolean };
  } = {},
): AdaptiveCard {
  const { t } = ctx;
  const body: CardElement[] = [title(t('card.approval.title', { name: displayNameOf(view) }))];
  if (options.notice)
    body.push(paragraph(options.notice.text, { color: options.notice.error ? 'Attention' : 'Good' }));
  if (view.description) body.push(paragraph(view.description));
  body.push(requestFacts(ctx, view));
  const open = view.status === 'pending_approval';
  const canDecide = options.viewerId === undefined ? open : awaitsDecisionBy(view, options.viewerId);
  const data = { requestId: view.requestId, revision: view.revision };
  const card = newCard();
  if (canDecide) {
    body.push(
      new TextInput({ id: 'comment', label: t('card.approval.comment'), isMultiline: true, maxLength: 2000 }),
    );
    const stage = view.currentStage !== null ? view.stages[view.currentStage] : undefined;
    card.withActions(
      execute(t('card.approval.approve'), VERBS.approve, data, 'positive'),
      execute(t('card.approval.reject'), VERBS.reject, data, 'destructive'),
      ...(stage?.allowEdit
        ? [
            // Teams opens a dialog for this button (task/fetch); Universal Actions cannot open one.
            dialogAction(t('card.approval.edit'), { ...data, dialog: DIALOGS.editRequest }),
          ]
        : []),
      openUrl(t('card.request.openInTrellis'), requestLink(ctx, view)),
    );
  } else {
    body.push(
      paragraph(open && options.viewerId ? t('card.approval.notApprover') : outcomeLine(ctx, view), {
        subtle: !open,
      }),
    );
    card.withActions(openUrl(t('card.request.openInTrellis'), requestLink(ctx, view)));
  }
  card.withBody(...body);
  if (open && options.approverMris && options.approverMris.length > 0) {
    card.withRefresh({
      action: execute(t('card.status.refresh'), VERBS.refresh, { ...data, card: 'approval' }),
      userIds: options.approverMris.slice(0, MAX_REFRESH_USERS),
    });
  }
  return card;
}

/** The approver's edit dialog: name and description, a comment, then approve (the tab edits the rest). */
export function editCard(ctx: CardContext, view: RequestView, notice?: string): AdaptiveCard {
  const { t } = ctx;
  return newCard(
    title(t('card.edit.title', { name: displayNameOf(view) })),
    ...(notice ? [paragraph(notice, { color: 'Attention' })] : []),
    new TextInput({
      id: 'name',
      label: t('newTeam.name'),
      value: view.name,
      isRequired: true,
      errorMessage: t('newTeam.name'),
      maxLength: 256,
    }),
    new TextInput({
      id: 'description',
      label: t('newTeam.description'),
      value: view.description ?? '',
      isMultiline: true,
      maxLength: 1024,
    }),
    new TextInput({ id: 'comment', label: t('card.approval.comment'), isMultiline: true, maxLength: 2000 }),
  ).withActions({
    type: 'Action.Submit',
    title: t('card.edit.save'),
    data: { requestId: view.requestId, revision: view.revision },
  });
}

/** A button that opens a dialog: Teams sends `task/fetch` with this data. */
export function dialogAction(titleText: string, data: Record<string, unknown>) {
  return {
    type: 'Action.Submit' as const,
    title: titleText,
    data: { ...data, msteams: { type: 'task/fetch' } },
  };
}

/** The team a completed request produced, for its links. */
export interface TeamLinkTarget {
  groupId: string;
  generalChannelId: string;
  generalChannelName: string;
}

/**
 * The requester's status card, updated in place as the request moves: approved, rejected,
 * provisioning progress, completed with links to the team, failed with what to do.
 */
export function statusCard(
  ctx: CardContext,
  view: RequestView,
  options: {
    run?: RunView | null;
    team?: TeamLinkTarget | null;
    requesterMri?: string;
    helpUpns?: readonly string[];
  } = {},
): AdaptiveCard {
  const { t } = ctx;
  const run = options.run ?? null;
  const name = displayNameOf(view);
  const body: CardElement[] = [title(t('card.status.title', { name }))];
  const actions = [];
  const decided = [...view.stages].reverse().find((s) => s.decidedBy);
  switch (view.status) {
    case 'approved':
      body.push(paragraph(t('card.status.approved'), { color: 'Good' }));
      break;
    case 'rejected':
      body.push(
        paragraph(
          t('card.status.rejected', {
            name: decided?.decidedBy?.name ?? decided?.decidedBy?.id ?? '',
            comment: decided?.comment ?? view.closedReason ?? '',
          }),
          { color: 'Attention' },
        ),
      );
      break;
    case 'provisioning': {
      const step = run?.steps.find((s) => s.name === run.currentStep)?.title ?? run?.currentStep ?? '…';
      body.push(paragraph(t('card.status.provisioning', { progress: run?.progress ?? 0, step })));
      break;
    }
    case 'completed':
    case 'completed_with_drift':
      body.push(
        paragraph(
          view.status === 'completed'
            ? t('card.status.completed', { name })
            : t('card.status.drift', { name, count: run?.conformance?.differences.length ?? 0 }),
          { color: view.status === 'completed' ? 'Good' : 'Warning' },
        ),
      );
      if (options.team) {
        const target = { groupId: options.team.groupId, tenantId: ctx.entraTenantId };
        actions.push(
          openUrl(
            t('card.status.openTeam'),
            teamLink({ ...target, generalChannelId: options.team.generalChannelId }),
          ),
          openUrl(
            t('card.status.openChannel', { channel: options.team.generalChannelName }),
            channelLink({
              ...target,
              channelId: options.team.generalChannelId,
              channelName: options.team.generalChannelName,
            }),
          ),
        );
      }
      break;
    case 'failed':
      body.push(
        paragraph(
          t('card.status.failed', {
            step: run?.error?.step ?? run?.currentStep ?? '?',
            message: run?.error?.message ?? view.closedReason ?? '',
          }),
          { color: 'Attention' },
        ),
      );
      break;
    case 'cancelled':
      body.push(paragraph(t('card.status.cancelled'), { subtle: true }));
      break;
    case 'expired':
      body.push(paragraph(t('card.status.expired'), { subtle: true }));
      break;
    default:
      body.push(paragraph(statusLabel(t, view.status)));
  }
  body.push(requestFacts(ctx, view));
  actions.push(openUrl(t('card.request.openInTrellis'), requestLink(ctx, view)));
  if (
    (view.status === 'failed' || view.status === 'rejected') &&
    options.helpUpns &&
    options.helpUpns.length > 0
  ) {
    actions.push(
      openUrl(
        t('card.status.askAdmin'),
        chatLink({
          tenantId: ctx.entraTenantId,
          users: options.helpUpns.slice(0, 8),
          topicName: name,
          message: t('card.status.message', { name, id: view.requestId }),
        }),
      ),
    );
  }
  const card = newCard(...body).withActions(...actions);
  if (view.status === 'provisioning' || view.status === 'approved') {
    const data = { requestId: view.requestId, card: 'status' };
    body.push(new ActionSet(execute(t('card.status.refresh'), VERBS.refresh, data)));
    card.withBody(...body);
    if (options.requesterMri) {
      card.withRefresh({
        action: execute(t('card.status.refresh'), VERBS.refresh, data),
        userIds: [options.requesterMri],
      });
    }
  }
  return card;
}

/** A compact, read-only card of one request (shared into a conversation, or a search result). */
export function requestSummaryCard(ctx: CardContext, view: RequestView): AdaptiveCard {
  const { t } = ctx;
  return newCard(
    title(t('card.request.title', { name: displayNameOf(view) })),
    ...(view.description ? [paragraph(view.description)] : []),
    requestFacts(ctx, view),
  ).withActions(openUrl(t('card.request.openInTrellis'), requestLink(ctx, view)));
}

/** A list of requests, each with a button that shows it. */
export function requestListCard(
  ctx: CardContext,
  heading: string,
  empty: string,
  views: readonly RequestView[],
): AdaptiveCard {
  const { t } = ctx;
  if (views.length === 0) return newCard(title(heading), paragraph(empty));
  return newCard(
    title(heading),
    ...views
      .slice(0, 20)
      .map((view) =>
        new Container(
          paragraph(`**${displayNameOf(view)}** · ${statusLabel(t, view.status)}`),
          paragraph(`${view.template.slug} · ${view.requestId}`, { subtle: true }),
          new ActionSet(execute(t('approvals.open'), VERBS.showRequest, { requestId: view.requestId })),
        ).withSeparator(true),
      ),
  );
}

/** The input of one metadata field, typed as the field is. */
export function metadataInput(field: MetadataFieldDefinition, value?: unknown): CardElement {
  const id = `metadata.${field.key}`;
  const common = {
    id,
    label: field.label,
    isRequired: field.required,
    ...(field.required ? { errorMessage: field.label } : {}),
  };
  const initial = value === undefined || value === null ? undefined : String(value);
  switch (field.type) {
    case 'number':
      return new NumberInput({
        ...common,
        ...(field.validation?.min !== undefined ? { min: field.validation.min } : {}),
        ...(field.validation?.max !== undefined ? { max: field.validation.max } : {}),
        ...(typeof value === 'number' ? { value } : {}),
      });
    case 'date':
      return new DateInput({ ...common, ...(initial ? { value: initial } : {}) });
    case 'boolean':
      return new ToggleInput(field.label, { ...common, value: value === true ? 'true' : 'false' });
    case 'choice':
    case 'multi_choice':
      return new ChoiceSetInput(
        ...(field.choices ?? []).map((c) => new Choice({ title: c.label, value: c.value })),
      ).withOptions({
        ...common,
        style: 'compact',
        isMultiSelect: field.type === 'multi_choice',
        ...(initial ? { value: initial } : {}),
      });
    default:
      return new TextInput({
        ...common,
        ...(field.helpText ? { placeholder: field.helpText } : {}),
        ...(field.validation?.maxLength ? { maxLength: field.validation.maxLength } : {}),
        ...(initial ? { value: initial } : {}),
      });
  }
}

/** Converts the string values a card submits back to the field types. */
export function metadataFromInputs(
  fields: readonly MetadataFieldDefinition[],
  data: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of fields) {
    const raw = data[`metadata.${field.key}`];
    if (raw === undefined || raw === null || raw === '') continue;
    const text = String(raw);
    switch (field.type) {
      case 'number':
        out[field.key] = Number(text);
        break;
      case 'boolean':
        out[field.key] = text === 'true';
        break;
      case 'multi_choice':
        out[field.key] = text
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);
        break;
      default:
        out[field.key] = text;
    }
  }
  return out;
}
