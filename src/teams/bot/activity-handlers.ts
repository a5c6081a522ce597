import type { AdaptiveCard } from '@microsoft/teams.cards';
import type { Caller } from '../../api/caller.ts';
import type { Config } from '../../config.ts';
import { isAppError } from '../../errors/index.ts';
import type { IdentityService } from '../../identity/index.ts';
import type { RequestService } from '../../requests/index.ts';
import type { RequestView } from '../../requests/request-types.ts';
import type { CatalogEntry, TemplateService } from '../../templates/index.ts';
import type { Logger } from '../../telemetry/index.ts';
import { ADAPTIVE_CARD_TYPE, attachment, cardJson } from '../cards/card-kit.ts';
import { helpCard, newTeamCard, noticeCard, templatesCard, welcomeCard } from '../cards/bot-cards.ts';
import {
  approvalCard,
  awaitsDecisionBy,
  type CardContext,
  editCard,
  metadataFromInputs,
  requestListCard,
  requestSummaryCard,
  DIALOGS,
  statusLabel,
  VERBS,
} from '../cards/request-cards.ts';
import type { Locale } from '../i18n.ts';
import {
  callerOf,
  cardContext,
  entraTenantOf,
  type InboundActivity,
  localeOfActivity,
} from './bot-context.ts';
import type { BotStore } from './bot-store.ts';
import type { Notifier } from './notifier.ts';

export interface HandlerDeps {
  config: Config;
  log: Logger;
  identity: IdentityService;
  requests: RequestService;
  templates: TemplateService;
  store: BotStore;
  notifier: Notifier;
}

/** What a turn answers: cards or text to post, and for invokes the HTTP body Teams shows. */
export interface TurnResult {
  replies: { type: 'message'; text?: string; attachments?: ReturnType<typeof attachment>[] }[];
  invokeResponse?: unknown;
}

const UUID = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/i;

/** Personal-chat commands, in English and French. */
const COMMANDS: { command: Command; words: string[] }[] = [
  { command: 'help', words: ['help', 'aide', '?', 'hi', 'hello', 'bonjour'] },
  { command: 'templates', words: ['templates', 'template', 'modèles', 'modeles', 'catalog', 'catalogue'] },
  {
    command: 'newTeam',
    words: ['new team', 'new', 'request', 'nouvelle équipe', 'nouvelle equipe', 'demander'],
  },
  { command: 'myRequests', words: ['my requests', 'requests', 'mes demandes', 'demandes'] },
  { command: 'approvals', words: ['approvals', 'approbations', 'to approve', 'à approuver'] },
  { command: 'status', words: ['status', 'statut', 'état', 'etat'] },
];
type Command = 'help' | 'templates' | 'newTeam' | 'myRequests' | 'approvals' | 'status';

/** The command a message asks for (mentions stripped), with what follows it. */
export function parseCommand(text: string): { command: Command | null; rest: string } {
  const clean = text
    .replace(/<at>[^<]*<\/at>/gi, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  const lower = clean.toLowerCase();
  let best: { command: Command; length: number } | null = null;
  for (const { command, words } of COMMANDS) {
    for (const word of words) {
      if ((lower === word || lower.startsWith(`${word} `)) && (!best || word.length > best.length)) {
        best = { command, length: word.length };
      }
    }
  }
  return best
    ? { command: best.command, rest: clean.slice(best.length).trim() }
    : { command: null, rest: clean };
}

/** A user-facing sentence for an error (typed AppErrors carry their own; field errors are listed). */
export function describeError(error: unknown): string {
  if (!isAppError(error)) return (error as Error)?.message ?? String(error);
  const fields = error.details?.fields;
  if (Array.isArray(fields) && fields.length > 0) {
    const parts = fields.map((f: { field?: string; path?: string; message?: string }) =>
      [f.field ?? f.path, f.message].filter(Boolean).join(': '),
    );
    return `${error.message} (${parts.join('; ')})`;
  }
  if (fields && typeof fields === 'object') {
    return `${error.message} (${Object.entries(fields as Record<string, unknown>)
      .map(([k, v]) => `${k}: ${String(v)}`)
      .join('; ')})`;
  }
  return error.message;
}

function cardInvoke(card: AdaptiveCard) {
  return { statusCode: 200, type: ADAPTIVE_CARD_TYPE, value: cardJson(card) };
}

function membersOf(text: unknown): string[] {
  return typeof text === 'string'
    ? text
        .split(/[,;\s]+/)
        .map((s) => s.trim())
        .filter(Boolean)
    : [];
}

/** Handlers of messages, installs and card actions, independent of the SDK's plumbing. */
export function createActivityHandlers(deps: HandlerDeps) {
  const { requests, templates, store } = deps;

  function context(activity: InboundActivity, locale: Locale): CardContext {
    return cardContext(deps.config, entraTenantOf(activity) ?? '', locale);
  }

  /** Remembers the conversation so Trellis can write to it later (proactive messages). */
  async function remember(caller: Caller, activity: InboundActivity, locale: Locale) {
    const type = activity.conversation.conversationType;
    const kind = type === 'channel' ? 'channel' : type === 'groupChat' ? 'groupChat' : 'personal';
    await store.remember(caller.tenantId, {
      conversationId: activity.conversation.id,
      kind,
      userId: kind === 'personal' ? caller.id.toLowerCase() : null,
      memberId: kind === 'personal' ? activity.from.id : null,
      serviceUrl: activity.serviceUrl,
      botId: activity.recipient.id,
      teamId: activity.channelData?.team?.aadGroupId ?? null,
      channelId: activity.channelData?.channel?.id ?? null,
      locale,
    });
  }

  async function templateFor(
    caller: Caller,
    slug: string | undefined,
  ): Promise<CatalogEntry | CatalogEntry[]> {
    const page = await templates.catalog(caller, { limit: 50 });
    const usable = page.items.filter((t) => t.inAudience !== false);
    if (slug) {
      const found = usable.find((t) => t.slug === slug || t.templateId === slug);
      if (found) return found;
    }
    return usable.length === 1 && usable[0] ? usable[0] : usable;
  }

  async function newTeamAnswer(caller: Caller, ctx: CardContext, slug?: string): Promise<AdaptiveCard> {
    const found = await templateFor(caller, slug);
    if (Array.isArray(found)) {
      return found.length === 0 ? noticeCard(ctx.t('newTeam.noTemplates')) : templatesCard(ctx, found);
    }
    return newTeamCard(ctx, found, { mode: 'execute' });
  }

  /** The card a request shows to this user: the decision card for an approver, the status card otherwise. */
  async function requestCardFor(
    caller: Caller,
    ctx: CardContext,
    view: RequestView,
    locale: Locale,
  ): Promise<AdaptiveCard> {
    if (awaitsDecisionBy(view, caller.id)) {
      return approvalCard(ctx, view, {
        viewerId: caller.id,
        approverMris: await deps.notifier.approverMris(caller.tenantId, view),
      });
    }
    if (view.requester.id.toLowerCase() === caller.id.toLowerCase()) {
      return deps.notifier.statusCardFor(caller.tenantId, ctx.entraTenantId, view, locale);
    }
    return requestSummaryCard(ctx, view);
  }

  async function onMessage(activity: InboundActivity): Promise<TurnResult> {
    const locale = localeOfActivity(activity);
    const ctx = context(activity, locale);
    const caller = await callerOf(deps.identity, activity);
    await remember(caller, activity, locale);
    const { command, rest } = parseCommand(activity.text ?? '');
    const inChannel =
      activity.conversation.conversationType === 'channel' || activity.conversation.isGroup === true;
    const reply = (card: AdaptiveCard): TurnResult => ({
      replies: [{ type: 'message', attachments: [attachment(card)] }],
    });
    switch (command) {
      case 'help':
        return reply(helpCard(ctx));
      case 'templates': {
        const page = await templates.catalog(caller, { limit: 20 });
        return reply(
          templatesCard(
            ctx,
            page.items.filter((t) => t.inAudience !== false),
          ),
        );
      }
      case 'newTeam':
        return reply(await newTeamAnswer(caller, ctx));
      case 'myRequests': {
        const page = await requests.list(caller, { requester: caller.id, limit: 20 });
        return reply(requestListCard(ctx, ctx.t('myRequests.title'), ctx.t('myRequests.empty'), page.items));
      }
      case 'approvals': {
        const page = await requests.list(caller, { awaitingMe: true, limit: 20 });
        return reply(requestListCard(ctx, ctx.t('approvals.title'), ctx.t('approvals.empty'), page.items));
      }
      case 'status': {
        const id = UUID.exec(rest)?.[0];
        if (!id) return { replies: [{ type: 'message', text: ctx.t('status.usage') }] };
        try {
          const view = await requests.get(caller, id);
          return reply(
            inChannel ? requestSummaryCard(ctx, view) : await requestCardFor(caller, ctx, view, locale),
          );
        } catch (error) {
          if (isAppError(error) && error.code === 'not_found') {
            return { replies: [{ type: 'message', text: ctx.t('status.unknown', { id }) }] };
          }
          throw error;
        }
      }
      default:
        return reply(helpCard(ctx, ctx.t('unknown.command', { text: rest.slice(0, 80) })));
    }
  }

  /** The app was installed for a user, or added to a team: remember the conversation, say hello. */
  async function onConversationUpdate(activity: InboundActivity): Promise<TurnResult> {
    const added = (activity.membersAdded ?? []).some((m) => m.id === activity.recipient.id);
    if (!added) return { replies: [] };
    const caller = await callerOf(deps.identity, activity);
    const locale = localeOfActivity(activity, caller);
    const ctx = context(activity, locale);
    await remember(caller, activity, locale);
    const team = activity.channelData?.team?.name;
    return { replies: [{ type: 'message', attachments: [attachment(welcomeCard(ctx, team))] }] };
  }

  /** Action.Execute from any Trellis card: the answer replaces the card for the user who pressed. */
  async function onCardAction(activity: InboundActivity): Promise<unknown> {
    const locale = localeOfActivity(activity);
    const ctx = context(activity, locale);
    const value = (activity.value ?? {}) as { action?: { verb?: string; data?: Record<string, unknown> } };
    const verb = value.action?.verb ?? '';
    const data = value.action?.data ?? {};
    const caller = await callerOf(deps.identity, activity);
    await remember(caller, activity, locale);
    const requestId = typeof data.requestId === 'string' ? data.requestId : undefined;
    // The audit trail records that the change came from Teams, and which activity carried it.
    const changes = { source: { userAgent: 'Microsoft Teams (Trellis bot)', requestId: activity.id } };
    const comment = typeof data.comment === 'string' ? data.comment.trim() : '';

    const reload = (id: string) => requests.get(caller, id);
    const approval = async (view: RequestView, notice?: { text: string; error?: boolean }) =>
      cardInvoke(
        approvalCard(ctx, view, {
          viewerId: caller.id,
          approverMris: await deps.notifier.approverMris(caller.tenantId, view),
          ...(notice ? { notice } : {}),
        }),
      );

    try {
      switch (verb) {
        case 'help':
          return cardInvoke(helpCard(ctx));
        case VERBS.newTeamForm:
          return cardInvoke(
            await newTeamAnswer(caller, ctx, typeof data.template === 'string' ? data.template : undefined),
          );
        case VERBS.createRequest: {
          const found = await templateFor(caller, String(data.template ?? ''));
          if (Array.isArray(found)) return cardInvoke(noticeCard(ctx.t('newTeam.noTemplates'), true));
          const input = {
            template: found.slug,
            name: String(data.name ?? '').trim(),
            description:
              typeof data.description === 'string' && data.description.trim()
                ? data.description.trim()
                : null,
            metadata: metadataFromInputs(found.metadataFields, data),
            members: membersOf(data.members),
            submit: true,
          };
          try {
            const view = await requests.create(caller, input, changes);
            const card = await deps.notifier.statusCardFor(caller.tenantId, ctx.entraTenantId, view, locale);
            // The form the user pressed becomes their status card; the notifier moves it from here on.
            if (activity.replyToId) {
              await store.saveCard(caller.tenantId, {
                requestId: view.requestId,
                kind: 'status',
                userId: caller.id.toLowerCase(),
                conversationId: activity.conversation.id,
                activityId: activity.replyToId,
                state: view.status,
              });
            }
            return cardInvoke(card);
          } catch (error) {
            if (!isAppError(error) || error.httpStatus >= 500) throw error;
            return cardInvoke(
              newTeamCard(ctx, found, {
                mode: 'execute',
                error: ctx.t('newTeam.invalid', { message: describeError(error) }),
                prefill: {
                  name: input.name,
                  description: input.description ?? '',
                  members: input.members,
                  metadata: input.metadata,
                },
              }),
            );
          }
        }
        case VERBS.refresh:
        case VERBS.showRequest: {
          if (!requestId) break;
          const view = await reload(requestId);
          if (data.card === 'approval') return approval(view);
          return cardInvoke(await requestCardFor(caller, ctx, view, locale));
        }
        case VERBS.approve:
        case VERBS.reject: {
          if (!requestId) break;
          const before = await reload(requestId);
          if (!awaitsDecisionBy(before, caller.id)) {
            const text =
              before.status === 'pending_approval'
                ? ctx.t('card.approval.notApprover')
                : ctx.t('card.approval.closed', { status: statusLabel(ctx.t, before.status).toLowerCase() });
            return approval(before, { text, error: true });
          }
          const stage = before.currentStage ?? undefined;
          try {
            if (verb === VERBS.reject) {
              if (!comment)
                return approval(before, { text: ctx.t('card.approval.commentRequired'), error: true });
              await requests.reject(caller, requestId, { comment, stage }, changes);
            } else {
              await requests.approve(caller, requestId, { ...(comment ? { comment } : {}), stage }, changes);
            }
          } catch (error) {
            if (!isAppError(error) || error.httpStatus >= 500) throw error;
            const current = await reload(requestId);
            return approval(current, {
              text: ctx.t('card.approval.failed', { message: describeError(error) }),
              error: true,
            });
          }
          return approval(await reload(requestId));
        }
        default:
          break;
      }
    } catch (error) {
      if (isAppError(error) && error.code === 'not_found' && requestId) {
        return cardInvoke(noticeCard(ctx.t('status.unknown', { id: requestId }), true));
      }
      throw error;
    }
    return {
      statusCode: 400,
      type: 'application/vnd.microsoft.error',
      value: { code: 'BadRequest', message: `Unknown card action "${verb}"` },
    };
  }

  /** A dialog opened from a card (`task/fetch`): the approver's edit form. */
  async function onDialogOpen(activity: InboundActivity): Promise<unknown> {
    const caller = await callerOf(deps.identity, activity);
    const locale = localeOfActivity(activity, caller);
    const ctx = context(activity, locale);
    const data = ((activity.value ?? {}) as { data?: Record<string, unknown> }).data ?? {};
    const requestId = typeof data.requestId === 'string' ? data.requestId : '';
    if (data.dialog !== DIALOGS.editRequest || !requestId) {
      return { task: { type: 'message', value: `Unknown dialog ${String(data.dialog)}` } };
    }
    const view = await requests.get(caller, requestId);
    if (!awaitsDecisionBy(view, caller.id)) {
      return { task: { type: 'message', value: ctx.t('card.approval.notApprover') } };
    }
    return editDialog(ctx, view);
  }

  /** The edit dialog submitted (`task/submit`): the edits and the approval, in one decision. */
  async function onDialogSubmit(activity: InboundActivity): Promise<unknown> {
    const caller = await callerOf(deps.identity, activity);
    const locale = localeOfActivity(activity, caller);
    const ctx = context(activity, locale);
    const data = ((activity.value ?? {}) as { data?: Record<string, unknown> }).data ?? {};
    const requestId = typeof data.requestId === 'string' ? data.requestId : '';
    const before = await requests.get(caller, requestId);
    if (!awaitsDecisionBy(before, caller.id)) {
      return { task: { type: 'message', value: ctx.t('card.approval.notApprover') } };
    }
    const comment = typeof data.comment === 'string' ? data.comment.trim() : '';
    const edits = {
      name: String(data.name ?? before.name).trim(),
      description:
        typeof data.description === 'string' ? data.description.trim() || null : before.description,
    };
    try {
      await requests.approve(
        caller,
        requestId,
        { ...(comment ? { comment } : {}), edits, stage: before.currentStage ?? undefined },
        // The revision the approver edited: someone else's change in between is not overwritten.
        {
          source: { userAgent: 'Microsoft Teams (Trellis bot)', requestId: activity.id },
          ...(typeof data.revision === 'number' ? { expectedRevision: data.revision } : {}),
        },
      );
    } catch (error) {
      if (!isAppError(error) || error.httpStatus >= 500) throw error;
      return editDialog(ctx, await requests.get(caller, requestId), describeError(error));
    }
    const after = await requests.get(caller, requestId);
    return {
      task: {
        type: 'message',
        value: ctx.t('card.approval.approvedBy', { name: caller.displayName ?? '' }) + ` · ${after.name}`,
      },
    };
  }

  function editDialog(ctx: CardContext, view: RequestView, notice?: string) {
    return {
      task: {
        type: 'continue',
        value: {
          title: ctx.t('card.edit.title', { name: view.name }),
          height: 'medium',
          width: 'medium',
          card: attachment(editCard(ctx, view, notice)),
        },
      },
    };
  }

  return {
    onMessage,
    onConversationUpdate,
    onCardAction,
    onDialogOpen,
    onDialogSubmit,
    remember,
    requestCardFor,
    templateFor,
  };
}

export type ActivityHandlers = ReturnType<typeof createActivityHandlers>;
