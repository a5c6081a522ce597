import type { Cache } from '../../cache/index.ts';
import type { Config } from '../../config.ts';
import type { DomainEvent, EventType, OutboxEventBus } from '../../events/index.ts';
import { type GraphClient, graphPath } from '../../graph/index.ts';
import type { ProvisioningEngine } from '../../provisioning/index.ts';
import type { RequestService } from '../../requests/index.ts';
import type { RequestView } from '../../requests/request-types.ts';
import type { Logger } from '../../telemetry/index.ts';
import { attachment } from '../cards/card-kit.ts';
import { approvalCard, statusCard, type TeamLinkTarget } from '../cards/request-cards.ts';
import { localeOf } from '../i18n.ts';
import { cardContext, systemCaller } from './bot-context.ts';
import { BotUnreachableError, type BotSender } from './bot-sender.ts';
import type { BotStore, ConversationRef } from './bot-store.ts';

/** Events that change what an approver's card must show. */
const APPROVAL_UPDATES: readonly EventType[] = [
  'approval.approved',
  'approval.rejected',
  'request.approved',
  'request.rejected',
  'request.cancelled',
  'request.expired',
  'request.updated',
];
/** Events that move the requester's status card. */
const STATUS_UPDATES: readonly EventType[] = [
  'request.submitted',
  'request.approved',
  'request.rejected',
  'request.cancelled',
  'request.expired',
  'provisioning.started',
  'provisioning.completed',
  'provisioning.completed_with_drift',
  'provisioning.failed',
];

export interface NotifierDeps {
  config: Config;
  log: Logger;
  cache: Cache;
  store: BotStore;
  sender: BotSender;
  requests: RequestService;
  provisioning: ProvisioningEngine;
  graph: GraphClient;
  /** The Entra tenant a Trellis tenant onboarded from (null for tenants without Microsoft 365). */
  entraTenantOf(tenantId: string): Promise<string | null>;
}

export interface Notifier {
  /**
   * Subscribes to the request and provisioning events as a durable subscriber: a notification that
   * could not be delivered (the Connector throttling or down) is retried with the event's dispatch.
   */
  attach(events: OutboxEventBus): void;
  /** The requester's status card for a request, as it now stands (also the card refresh answer). */
  statusCardFor(
    tenantId: string,
    entraTenantId: string,
    view: RequestView,
    locale: string | null,
  ): Promise<ReturnType<typeof statusCard>>;
  /** Approver MRIs Teams refreshes an approval card for. */
  approverMris(tenantId: string, view: RequestView): Promise<string[]>;
  /** Handles one event (exported for the event bus and for tests). */
  handle(event: DomainEvent): Promise<void>;
}

/**
 * Proactive notifications: approval cards to each approver of an opened stage, every approver's card
 * updated when anything is decided anywhere, and the requester's status card moved along from
 * submission to the team (or the failure). Cards are recorded per request, kind and user, so a
 * re-delivered event updates rather than sends again.
 */
export function createNotifier(deps: NotifierDeps): Notifier {
  const { store, sender, log } = deps;

  async function approverMris(tenantId: string, view: RequestView): Promise<string[]> {
    const stage = view.currentStage !== null ? view.stages[view.currentStage] : undefined;
    if (!stage) return [];
    const out: string[] = [];
    for (const approver of stage.approvers) {
      const ref = await store.personal(tenantId, approver.id.toLowerCase());
      if (ref?.memberId) out.push(ref.memberId);
    }
    return out;
  }

  async function teamTarget(entraTenantId: string, teamId: string | null): Promise<TeamLinkTarget | null> {
    if (!teamId) return null;
    const key = `teams-bot:general:${entraTenantId}:${teamId}`;
    const cached = await deps.cache.get<TeamLinkTarget>(key);
    if (cached) return cached;
    try {
      const channel = await deps.graph
        .forTenant(entraTenantId)
        .request<{ id: string; displayName: string }>('GET', `${graphPath`/teams/${teamId}`}/primaryChannel`);
      const target = {
        groupId: teamId,
        generalChannelId: channel.id,
        generalChannelName: channel.displayName,
      };
      await deps.cache.set(key, target, 24 * 3600_000);
      return target;
    } catch (error) {
      log.warn(
        { err: error, teamId },
        'the new team’s General channel could not be read; its card has no team link',
      );
      return null;
    }
  }

  async function statusCardFor(
    tenantId: string,
    entraTenantId: string,
    view: RequestView,
    locale: string | null,
  ) {
    const ctx = cardContext(deps.config, entraTenantId, localeOf(locale));
    const run = ['provisioning', 'completed', 'completed_with_drift', 'failed'].includes(view.status)
      ? await deps.provisioning.runOf(tenantId, view.requestId)
      : null;
    const team = view.status.startsWith('completed')
      ? await teamTarget(entraTenantId, view.teamId ?? run?.teamId ?? null)
      : null;
    const requester = await store.personal(tenantId, view.requester.id.toLowerCase());
    const helpUpns = view.stages
      .flatMap((s) => s.approvers.map((a) => a.userPrincipalName))
      .filter((u): u is string => !!u);
    return statusCard(ctx, view, {
      run,
      team,
      helpUpns: [...new Set(helpUpns)],
      ...(requester?.memberId ? { requesterMri: requester.memberId } : {}),
    });
  }

  /** Sends a card or updates the one sent before; forgets people who removed the bot. */
  async function deliver(
    tenantId: string,
    ref: ConversationRef,
    card: { requestId: string; kind: 'approval' | 'status'; userId: string; state: string },
    content: ReturnType<typeof statusCard>,
    options: { forceNew?: boolean } = {},
  ) {
    const previous = await store.card(tenantId, card.requestId, card.kind, card.userId);
    if (previous && previous.state === card.state && !options.forceNew) return;
    const message = { type: 'message' as const, attachments: [attachment(content)] };
    try {
      let activityId = previous?.activityId ?? null;
      if (previous?.activityId && previous.conversationId === ref.conversationId && !options.forceNew) {
        await sender.update(ref, previous.activityId, message);
      } else {
        activityId = await sender.send(ref, message);
      }
      await store.saveCard(tenantId, { ...card, conversationId: ref.conversationId, activityId });
    } catch (error) {
      if (error instanceof BotUnreachableError) {
        await store.markUnreachable(tenantId, ref.conversationId);
        log.info(
          { tenantId, requestId: card.requestId },
          'a user removed or blocked the bot; card not delivered',
        );
        return;
      }
      throw error;
    }
  }

  async function refreshApprovalCards(tenantId: string, entraTenantId: string, view: RequestView) {
    const sent = await store.cards(tenantId, view.requestId, 'approval');
    if (sent.length === 0) return;
    const mris = await approverMris(tenantId, view);
    const state = `${view.status}:${view.revision}:${view.currentStage ?? '-'}`;
    for (const card of sent) {
      const ref = await store.byId(tenantId, card.conversationId);
      if (!ref || !ref.reachable) continue;
      const ctx = cardContext(deps.config, entraTenantId, localeOf(ref.locale));
      await deliver(
        tenantId,
        ref,
        { requestId: view.requestId, kind: 'approval', userId: card.userId, state },
        approvalCard(ctx, view, { approverMris: mris }),
      );
    }
  }

  async function sendApprovalCards(
    tenantId: string,
    entraTenantId: string,
    view: RequestView,
    event: DomainEvent,
  ) {
    const data = event.data as { stage?: number; approvers?: { id: string }[]; reminder?: boolean };
    const mris = await approverMris(tenantId, view);
    const state = `${view.status}:${view.revision}:${view.currentStage ?? '-'}`;
    for (const approver of data.approvers ?? []) {
      const userId = approver.id.toLowerCase();
      const ref = await store.personal(tenantId, userId);
      if (!ref || !ref.reachable) {
        log.info(
          { tenantId, requestId: view.requestId },
          'an approver has not installed Trellis in Teams; no card',
        );
        continue;
      }
      const ctx = cardContext(deps.config, entraTenantId, localeOf(ref.locale));
      await deliver(
        tenantId,
        ref,
        {
          requestId: view.requestId,
          kind: 'approval',
          userId,
          state: data.reminder ? `${state}:reminder:${event.eventId}` : state,
        },
        approvalCard(ctx, view, { approverMris: mris }),
        // A reminder is a new message, so Teams notifies the approver again.
        { forceNew: data.reminder === true },
      );
    }
  }

  async function moveStatusCard(tenantId: string, entraTenantId: string, view: RequestView) {
    const userId = view.requester.id.toLowerCase();
    const ref = await store.personal(tenantId, userId);
    if (!ref || !ref.reachable) return;
    const card = await statusCardFor(tenantId, entraTenantId, view, ref.locale);
    await deliver(
      tenantId,
      ref,
      { requestId: view.requestId, kind: 'status', userId, state: view.status },
      card,
    );
  }

  async function handle(event: DomainEvent) {
    if (event.subject.type !== 'request') return;
    const tenantId = event.tenantId;
    let view: RequestView;
    try {
      view = await deps.requests.get(systemCaller(tenantId), event.subject.id);
    } catch {
      return; // deleted meanwhile
    }
    const entraTenantId = await deps.entraTenantOf(tenantId);
    if (!entraTenantId) return;
    if (event.type === 'approval.requested') await sendApprovalCards(tenantId, entraTenantId, view, event);
    if (APPROVAL_UPDATES.includes(event.type)) await refreshApprovalCards(tenantId, entraTenantId, view);
    if (STATUS_UPDATES.includes(event.type)) await moveStatusCard(tenantId, entraTenantId, view);
  }

  return {
    attach(events) {
      const types = new Set<EventType>(['approval.requested', ...APPROVAL_UPDATES, ...STATUS_UPDATES]);
      events.subscribeDurable('teams-notifications', async (event) => {
        if (!types.has(event.type)) return;
        try {
          await handle(event);
        } catch (error) {
          // Only what may pass is retried (throttling, the Connector or a dependency down): a refused
          // card would fail the same way every time and hold up the request's later events.
          const status = (error as { response?: { status?: number } }).response?.status;
          if (status !== undefined && status >= 400 && status < 500 && status !== 408 && status !== 429) {
            log.warn(
              { err: error, eventId: event.eventId, type: event.type, status },
              'Teams notification refused',
            );
            return;
          }
          log.warn(
            { err: error, eventId: event.eventId, type: event.type },
            'Teams notification failed; retried',
          );
          throw error;
        }
      });
    },
    statusCardFor,
    approverMris,
    handle,
  };
}
