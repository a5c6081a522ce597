import { type AdaptiveCard, ChoiceSetInput, Choice } from '@microsoft/teams.cards';
import type { Caller } from '../../api/caller.ts';
import type { Directory } from '../../graph/index.ts';
import { isAppError } from '../../errors/index.ts';
import type { RequestView } from '../../requests/request-types.ts';
import type { CatalogEntry } from '../../templates/index.ts';
import { attachment, execute, newCard, paragraph, title, withPreview } from '../cards/card-kit.ts';
import { newTeamCard, type NewTeamPrefill, submitAction } from '../cards/bot-cards.ts';
import {
  type CardContext,
  displayNameOf,
  metadataFromInputs,
  requestSummaryCard,
  statusLabel,
  VERBS,
} from '../cards/request-cards.ts';
import { COMPOSE_COMMAND_IDS, SEARCH_PARAMETER_NAME } from '../manifest/index.ts';
import {
  callerOf,
  cardContext,
  entraTenantOf,
  type InboundActivity,
  localeOfActivity,
} from './bot-context.ts';
import { type ActivityHandlers, describeError, type HandlerDeps } from './activity-handlers.ts';

/** The message-extension commands, as the app manifest declares them. */
const MESSAGE_EXTENSION_COMMANDS = COMPOSE_COMMAND_IDS;

/** Teams shows at most 25 results a page. */
const MAX_RESULTS = 25;

interface MessagePayload {
  id?: string;
  body?: { contentType?: string; content?: string };
  from?: { user?: { id?: string; displayName?: string } };
  mentions?: { mentioned?: { user?: { id?: string; displayName?: string } } }[];
}

interface ExtensionValue {
  commandId?: string;
  commandContext?: string;
  parameters?: { name: string; value: unknown }[];
  queryOptions?: { skip?: number; count?: number };
  data?: Record<string, unknown>;
  messagePayload?: MessagePayload;
}

function plainText(html: string): string {
  return html
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/p>/gi, '\n')
    .replace(/<[^>]+>/g, '')
    .replace(/&nbsp;/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/[ \t]+/g, ' ')
    .trim();
}

function result(attachments: ReturnType<typeof withPreview>[]) {
  return { composeExtension: { type: 'result', attachmentLayout: 'list', attachments } };
}

function dialog(titleText: string, card: AdaptiveCard) {
  return {
    task: {
      type: 'continue',
      value: { title: titleText, height: 'large', width: 'medium', card: attachment(card) },
    },
  };
}

function dialogMessage(text: string) {
  return { task: { type: 'message', value: text } };
}

export function createMessageExtensions(
  deps: HandlerDeps & { directory: Directory; handlers: ActivityHandlers },
) {
  const { requests, templates } = deps;

  function context(activity: InboundActivity): CardContext {
    return cardContext(deps.config, entraTenantOf(activity) ?? '', localeOfActivity(activity));
  }

  function templateResult(ctx: CardContext, entry: CatalogEntry) {
    const card = newCard(
      title(entry.name),
      paragraph(entry.description || entry.category),
      paragraph(`${ctx.t('me.templates')} · ${entry.category} · v${entry.version}`, { subtle: true }),
    ).withActions(execute(ctx.t('templates.request'), VERBS.newTeamForm, { template: entry.slug }));
    return withPreview(card, `${ctx.t('me.templates')}: ${entry.name}`, entry.description.slice(0, 120));
  }

  function requestResult(ctx: CardContext, view: RequestView) {
    const kind = view.teamId && view.status.startsWith('completed') ? ctx.t('me.team') : ctx.t('me.request');
    return withPreview(
      requestSummaryCard(ctx, view),
      `${kind}: ${displayNameOf(view)}`,
      `${statusLabel(ctx.t, view.status)} · ${view.template.slug}`,
    );
  }

  /** Search over the templates the user may use, their requests, and the teams Trellis made for them. */
  async function onQuery(activity: InboundActivity) {
    const ctx = context(activity);
    const caller = await callerOf(deps.identity, activity);
    const value = (activity.value ?? {}) as ExtensionValue;
    const query = String(value.parameters?.find((p) => p.name === SEARCH_PARAMETER_NAME)?.value ?? '')
      .trim()
      .slice(0, 100);
    const count = Math.min(MAX_RESULTS, Math.max(1, value.queryOptions?.count ?? MAX_RESULTS));
    const [catalog, own] = await Promise.all([
      templates.catalog(caller, { ...(query ? { q: query } : {}), limit: 10 }),
      requests.list(caller, { ...(query ? { q: query } : {}), limit: count }),
    ]);
    const usable = catalog.items.filter((t) => t.inAudience !== false);
    const matching = own.items;
    // Teams first (what people share most), then open requests, then templates.
    const teams = matching.filter((r) => r.teamId && r.status.startsWith('completed'));
    const others = matching.filter((r) => !teams.includes(r));
    const attachments = [
      ...teams.map((r) => requestResult(ctx, r)),
      ...others.map((r) => requestResult(ctx, r)),
      ...usable.map((t) => templateResult(ctx, t)),
    ].slice(0, count);
    if (attachments.length === 0 && query) {
      return { composeExtension: { type: 'message', text: ctx.t('me.noResults', { query }) } };
    }
    return result(attachments);
  }

  /** People named by a message: its author and whoever it mentions, as UPNs when the directory knows them. */
  async function peopleOf(caller: Caller, payload: MessagePayload): Promise<string[]> {
    const ids = [
      payload.from?.user?.id,
      ...(payload.mentions ?? []).map((m) => m.mentioned?.user?.id),
    ].filter((id): id is string => !!id && id.toLowerCase() !== caller.id.toLowerCase());
    const directory = deps.directory.forTenant(caller.entraTenantId ?? '');
    const out: string[] = [];
    for (const id of [...new Set(ids)].slice(0, 20)) {
      const user = await directory.getUser(id).catch(() => null);
      out.push(user?.userPrincipalName ?? id);
    }
    return out;
  }

  function pickTemplateCard(ctx: CardContext, choices: readonly CatalogEntry[], prefill: NewTeamPrefill) {
    return newCard(
      title(ctx.t('newTeam.title')),
      new ChoiceSetInput(...choices.map((c) => new Choice({ title: c.name, value: c.slug })))
        .withId('template')
        .withLabel(ctx.t('newTeam.template'))
        .withIsRequired(true)
        .withErrorMessage(ctx.t('newTeam.template'))
        .withValue(choices[0]?.slug ?? ''),
    ).withActions(submitAction(ctx.t('me.share.submit'), { step: 'pick', prefill }));
  }

  async function onFetchTask(activity: InboundActivity) {
    const ctx = context(activity);
    const caller = await callerOf(deps.identity, activity);
    const value = (activity.value ?? {}) as ExtensionValue;
    if (value.commandId === MESSAGE_EXTENSION_COMMANDS.shareRequest) {
      const page = await requests.list(caller, { requester: caller.id, limit: 50 });
      if (page.items.length === 0) return dialogMessage(ctx.t('me.share.none'));
      const card = newCard(
        title(ctx.t('me.share.title')),
        new ChoiceSetInput(
          ...page.items.map(
            (r) =>
              new Choice({
                title: `${displayNameOf(r)} · ${statusLabel(ctx.t, r.status)}`,
                value: r.requestId,
              }),
          ),
        )
          .withId('requestId')
          .withLabel(ctx.t('me.share.pick'))
          .withIsRequired(true)
          .withErrorMessage(ctx.t('me.share.pick'))
          .withValue(page.items[0]?.requestId ?? ''),
      ).withActions(submitAction(ctx.t('me.share.submit'), {}));
      return dialog(ctx.t('me.share.title'), card);
    }
    if (value.commandId === MESSAGE_EXTENSION_COMMANDS.requestTeam) {
      const prefill: NewTeamPrefill = {};
      let note: string | undefined;
      const payload = value.messagePayload;
      if (payload) {
        const text = plainText(payload.body?.content ?? '');
        if (text) prefill.description = text.slice(0, 1024);
        prefill.members = await peopleOf(caller, payload);
        if (payload.from?.user?.displayName) {
          note = ctx.t('me.requestTeam.fromMessage', { name: payload.from.user.displayName });
        }
      }
      const found = await deps.handlers.templateFor(caller, undefined);
      if (Array.isArray(found)) {
        if (found.length === 0) return dialogMessage(ctx.t('newTeam.noTemplates'));
        return dialog(ctx.t('newTeam.title'), pickTemplateCard(ctx, found, prefill));
      }
      return dialog(
        ctx.t('newTeam.title'),
        newTeamCard(ctx, found, { mode: 'dialog', prefill, ...(note ? { note } : {}) }),
      );
    }
    return dialogMessage(`Unknown command ${String(value.commandId)}`);
  }

  async function onSubmit(activity: InboundActivity) {
    const ctx = context(activity);
    const caller = await callerOf(deps.identity, activity);
    const value = (activity.value ?? {}) as ExtensionValue;
    const data = value.data ?? {};
    if (value.commandId === MESSAGE_EXTENSION_COMMANDS.shareRequest) {
      const view = await requests.get(caller, String(data.requestId ?? ''));
      return result([requestResult(ctx, view)]);
    }
    if (value.commandId !== MESSAGE_EXTENSION_COMMANDS.requestTeam) {
      return dialogMessage(`Unknown command ${String(value.commandId)}`);
    }
    const found = await deps.handlers.templateFor(caller, String(data.template ?? ''));
    if (Array.isArray(found)) return dialogMessage(ctx.t('newTeam.noTemplates'));
    if (data.step === 'pick') {
      const prefill = (
        typeof data.prefill === 'object' && data.prefill !== null ? data.prefill : {}
      ) as NewTeamPrefill;
      return dialog(ctx.t('newTeam.title'), newTeamCard(ctx, found, { mode: 'dialog', prefill }));
    }
    const input = {
      template: found.slug,
      name: String(data.name ?? '').trim(),
      description:
        typeof data.description === 'string' && data.description.trim() ? data.description.trim() : null,
      metadata: metadataFromInputs(found.metadataFields, data),
      members: String(data.members ?? '')
        .split(/[,;\s]+/)
        .filter(Boolean),
      submit: true,
    };
    try {
      const view = await requests.create(caller, input, {
        source: { userAgent: 'Microsoft Teams (Trellis message extension)', requestId: activity.id },
      });
      return result([requestResult(ctx, view)]);
    } catch (error) {
      if (!isAppError(error) || error.httpStatus >= 500) throw error;
      return dialog(
        ctx.t('newTeam.title'),
        newTeamCard(ctx, found, {
          mode: 'dialog',
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

  return { onQuery, onFetchTask, onSubmit };
}
