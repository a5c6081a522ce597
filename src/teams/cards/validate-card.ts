import { createRequire } from 'node:module';

/**
 * Checks a card the way Teams will read it: through the official Adaptive Cards object model
 * (`adaptivecards`, the renderer Teams and the sandbox page use) parsing at schema version 1.5 —
 * unknown element or action types, invalid property values, elements newer than 1.5, duplicate ids,
 * required inputs without label or error message — plus the Teams rules the schema does not carry:
 * version 1.5, inputs with ids, buttons Teams routes (Action.Execute, OpenUrl, ShowCard,
 * ToggleVisibility; Action.Submit in dialogs, or to open one), at most 60 refresh users, and the 28 KB message
 * limit. Returns the problems; an empty list means valid.
 */
export function validateCard(card: unknown, options: { dialog?: boolean } = {}): string[] {
  const problems: string[] = [];
  if (typeof card !== 'object' || card === null) return ['a card must be a JSON object'];
  const json = card as Record<string, unknown>;
  if (json.type !== 'AdaptiveCard') problems.push('type must be "AdaptiveCard"');
  if (json.version !== '1.5') problems.push(`version must be "1.5" (found ${String(json.version)})`);
  const size = Buffer.byteLength(JSON.stringify(card));
  if (size > 28 * 1024) problems.push(`the card is ${size} bytes; Teams refuses messages over 28 KB`);

  const ac = adaptiveCards();
  const parsed = new ac.AdaptiveCard();
  const context = new ac.SerializationContext(ac.Versions.v1_5);
  parsed.parse(json, context);
  for (let i = 0; i < context.eventCount; i++) problems.push(`parse: ${context.getEventAt(i).message}`);
  for (const event of parsed.validateProperties().validationEvents) {
    problems.push(`validate: ${event.message}`);
  }

  const allowed = new Set(['Action.Execute', 'Action.OpenUrl', 'Action.ShowCard', 'Action.ToggleVisibility']);
  if (options.dialog) allowed.add('Action.Submit');
  walk(json, '$', (node, path) => {
    const type = node.type;
    if (typeof type !== 'string') return;
    const opensDialog =
      type === 'Action.Submit' &&
      (node.data as { msteams?: { type?: string } } | undefined)?.msteams?.type === 'task/fetch';
    if (type.startsWith('Action.') && !allowed.has(type) && !opensDialog) {
      problems.push(`${path}: ${type} is not routed by Trellis cards here`);
    }
    if (type === 'Action.Execute' && typeof node.verb !== 'string')
      problems.push(`${path}: Action.Execute needs a verb`);
    if (type.startsWith('Input.') && typeof node.id !== 'string')
      problems.push(`${path}: ${type} needs an id`);
  });
  const refresh = json.refresh as { userIds?: unknown[] } | undefined;
  if (refresh?.userIds && refresh.userIds.length > 60)
    problems.push('refresh.userIds holds more than 60 users');
  return problems;
}

function walk(
  node: unknown,
  path: string,
  visit: (node: Record<string, unknown>, path: string) => void,
): void {
  if (Array.isArray(node)) {
    node.forEach((item, i) => walk(item, `${path}[${i}]`, visit));
    return;
  }
  if (typeof node !== 'object' || node === null) return;
  visit(node as Record<string, unknown>, path);
  for (const [key, value] of Object.entries(node)) walk(value, `${path}.${key}`, visit);
}

interface AdaptiveCardsModule {
  AdaptiveCard: new () => {
    parse(json: unknown, context: unknown): void;
    validateProperties(): { validationEvents: { message: string }[] };
  };
  SerializationContext: new (version: unknown) => {
    eventCount: number;
    getEventAt(i: number): { message: string };
  };
  Versions: { v1_5: unknown };
}

let loaded: AdaptiveCardsModule | undefined;

/** The package's ESM build has extensionless imports; its CommonJS bundle loads in Node. */
function adaptiveCards(): AdaptiveCardsModule {
  loaded ??= createRequire(import.meta.url)('adaptivecards/dist/adaptivecards.js') as AdaptiveCardsModule;
  return loaded;
}
