import { ActionSet, type AdaptiveCard, Container, TextInput } from '@microsoft/teams.cards';
import type { CatalogEntry } from '../../templates/index.ts';
import { execute, facts, newCard, paragraph, title } from './card-kit.ts';
import { type CardContext, metadataInput, VERBS } from './request-cards.ts';

/** Sent when a user installs Trellis or adds it to a team. */
export function welcomeCard(ctx: CardContext, team?: string): AdaptiveCard {
  const { t } = ctx;
  return newCard(
    title(t('welcome.title')),
    paragraph(team ? t('welcome.team', { team }) : t('welcome.body')),
  ).withActions(execute(t('help.newTeam'), VERBS.newTeamForm, {}), execute(t('help.help'), 'help', {}));
}

/** The commands of the personal chat (and, mentioned, of a channel). */
export function helpCard(ctx: CardContext, intro?: string): AdaptiveCard {
  const { t } = ctx;
  return newCard(
    title(t('help.title')),
    ...(intro ? [paragraph(intro)] : []),
    facts([
      ['help', t('help.help')],
      ['templates', t('help.templates')],
      ['new team', t('help.newTeam')],
      ['my requests', t('help.myRequests')],
      ['approvals', t('help.approvals')],
      ['status <id>', t('help.status')],
    ]),
    paragraph(t('help.channel'), { subtle: true }),
  );
}

/** The templates a user may request from, each with a Request button. */
export function templatesCard(ctx: CardContext, templates: readonly CatalogEntry[]): AdaptiveCard {
  const { t } = ctx;
  if (templates.length === 0) return newCard(title(t('templates.title')), paragraph(t('templates.empty')));
  return newCard(
    title(t('templates.title')),
    ...templates
      .slice(0, 20)
      .map((entry) =>
        new Container(
          paragraph(`**${entry.name}** · ${entry.category}`),
          ...(entry.description ? [paragraph(entry.description, { subtle: true })] : []),
          new ActionSet(execute(t('templates.request'), VERBS.newTeamForm, { template: entry.slug })),
        ).withSeparator(true),
      ),
  );
}

export interface NewTeamPrefill {
  name?: string;
  description?: string;
  members?: readonly string[];
  metadata?: Record<string, unknown>;
}

/**
 * The request form for one template: name, description, the template's metadata fields typed as
 * they are, and members. `mode: 'execute'` submits from a chat card (Action.Execute);
 * `mode: 'dialog'` is the body of a message-extension dialog (its submit is the dialog's).
 */
export function newTeamCard(
  ctx: CardContext,
  template: CatalogEntry,
  options: { mode: 'execute' | 'dialog'; prefill?: NewTeamPrefill; error?: string; note?: string },
): AdaptiveCard {
  const { t } = ctx;
  const prefill = options.prefill ?? {};
  const card = newCard(
    title(t('newTeam.title')),
    paragraph(`${t('newTeam.template')}: **${template.name}**`),
    ...(options.note ? [paragraph(options.note, { subtle: true })] : []),
    ...(options.error ? [paragraph(options.error, { color: 'Attention' })] : []),
    new TextInput({
      id: 'name',
      label: t('newTeam.name'),
      placeholder: t('newTeam.namePlaceholder'),
      isRequired: true,
      errorMessage: t('newTeam.name'),
      maxLength: 256,
      ...(prefill.name ? { value: prefill.name } : {}),
    }),
    new TextInput({
      id: 'description',
      label: t('newTeam.description'),
      isMultiline: true,
      maxLength: 1024,
      ...(prefill.description ? { value: prefill.description } : {}),
    }),
    ...template.metadataFields.map((field) => metadataInput(field, prefill.metadata?.[field.key])),
    new TextInput({
      id: 'members',
      label: t('newTeam.members'),
      ...(prefill.members && prefill.members.length > 0 ? { value: prefill.members.join(', ') } : {}),
    }),
  );
  const data = { template: template.slug };
  if (options.mode === 'execute') {
    card.withActions(execute(t('newTeam.submit'), VERBS.createRequest, data, 'positive'));
  } else {
    card.withActions(submitAction(t('newTeam.submit'), data));
  }
  return card;
}

/** Action.Submit: what a dialog's button must be (Teams turns it into the dialog's submit). */
export function submitAction(titleText: string, data: Record<string, unknown>) {
  return { type: 'Action.Submit' as const, title: titleText, data };
}

/** A one-line answer as a card (errors, confirmations). */
export function noticeCard(text: string, error = false): AdaptiveCard {
  return newCard(paragraph(text, error ? { color: 'Attention' } : {}));
}
