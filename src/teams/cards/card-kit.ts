import {
  AdaptiveCard,
  type CardElementArray,
  ExecuteAction,
  Fact,
  FactSet,
  type IAdaptiveCard,
  OpenUrlAction,
  TextBlock,
} from '@microsoft/teams.cards';

/** Teams renders Adaptive Cards up to 1.5 everywhere (desktop, web, mobile); Trellis cards use 1.5. */
export const CARD_VERSION = '1.5';
export const CARD_SCHEMA = 'http://adaptivecards.io/schemas/adaptive-card.json';
export const ADAPTIVE_CARD_TYPE = 'application/vnd.microsoft.card.adaptive';
export const THUMBNAIL_CARD_TYPE = 'application/vnd.microsoft.card.thumbnail';

/** A card as plain JSON (what goes on the wire). */
export type CardJson = IAdaptiveCard & Record<string, unknown>;

export interface Attachment {
  contentType: string;
  content: unknown;
  preview?: { contentType: string; content: unknown };
}

/** A 1.5 card with the given body, full width in Teams. */
export function newCard(...body: CardElementArray): AdaptiveCard {
  return (
    new AdaptiveCard(...body)
      .withVersion(CARD_VERSION)
      .with$schema(CARD_SCHEMA)
      // Teams documents the value as "Full"; the SDK's typing spells it in lower case.
      .withMsteams({ width: 'Full' as 'full' })
  );
}

/** Serializes a builder card to plain JSON. */
export function cardJson(card: AdaptiveCard): CardJson {
  return JSON.parse(JSON.stringify(card)) as CardJson;
}

export function attachment(card: AdaptiveCard | CardJson): Attachment {
  return { contentType: ADAPTIVE_CARD_TYPE, content: card instanceof AdaptiveCard ? cardJson(card) : card };
}

/** The thumbnail Teams shows for a message-extension result before it is shared. */
export function withPreview(card: AdaptiveCard, title: string, text: string): Attachment {
  return {
    ...attachment(card),
    preview: { contentType: THUMBNAIL_CARD_TYPE, content: { title, text } },
  };
}

export function title(text: string): TextBlock {
  return new TextBlock(text, { size: 'Large', weight: 'Bolder', wrap: true, style: 'heading' });
}

export function paragraph(
  text: string,
  options: { subtle?: boolean; color?: 'Attention' | 'Good' | 'Warning' } = {},
): TextBlock {
  return new TextBlock(text, {
    wrap: true,
    ...(options.subtle ? { isSubtle: true } : {}),
    ...(options.color ? { color: options.color } : {}),
  });
}

/** Facts with empty values left out. */
export function facts(pairs: readonly [string, string | null | undefined][]): FactSet {
  return new FactSet(
    ...pairs
      .filter((pair): pair is [string, string] => typeof pair[1] === 'string' && pair[1].trim() !== '')
      .map(([name, value]) => new Fact(name, value)),
  );
}

/** An Action.Execute button: Teams sends an `adaptiveCard/action` invoke with the verb and data. */
export function execute(
  titleText: string,
  verb: string,
  data: Record<string, unknown>,
  style?: 'positive' | 'destructive',
): ExecuteAction {
  return new ExecuteAction({ title: titleText, ...(style ? { style } : {}) }).withVerb(verb).withData(data);
}

export function openUrl(titleText: string, url: string): OpenUrlAction {
  return new OpenUrlAction(url, { title: titleText });
}
