import type { AllowlistEntry, InternalFlow } from './domains.ts';
import { escapeMarkup } from './escape-markup.ts';

/** The three kinds of flows, by colour (the legend says which is which). */
export const FLOW_COLOURS = {
  'teams-client': '#2563eb',
  'customer-trellis': '#16a34a',
  'trellis-service': '#d97706',
  internal: '#6b7280',
} as const;

const esc = escapeMarkup;

interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

const mid = (b: Box, side: 'left' | 'right') => ({ x: side === 'left' ? b.x : b.x + b.w, y: b.y + b.h / 2 });

/**
 * The network flows of this deployment as an SVG: the customer's network (browsers, Teams clients) on
 * the left, Microsoft 365, Azure and other services in the middle, Trellis and its own infrastructure on
 * the right. Arrows carry the numbers of the domain list (internal flows are lettered) and are coloured
 * by kind: the Teams client's own flows, the customer's flows to Trellis, Trellis's calls to services,
 * and Trellis's internal flows.
 */
export function flowDiagram(
  entries: readonly AllowlistEntry[],
  internal: readonly InternalFlow[],
  title: string,
): string {
  const trellisEntry = entries.find((e) => e.service === 'Trellis');
  const services = entries.filter((e) => e !== trellisEntry);
  const rowH = 56;
  const top = 70;
  const height = Math.max(top + services.length * rowH + 40, top + 120 + internal.length * rowH) + 130;
  const customer: Box = { x: 20, y: top, w: 200, h: 110 };
  const trellis: Box = { x: 820, y: top, w: 220, h: 90 };
  const serviceBoxes = services.map((_, i): Box => ({ x: 380, y: top + i * rowH, w: 300, h: 44 }));
  const internalBoxes = internal.map((_, i): Box => ({ x: 820, y: top + 130 + i * rowH, w: 220, h: 44 }));
  const parts: string[] = [];
  const box = (b: Box, lines: string[], stroke: string, dashed = false) => {
    parts.push(
      `<rect x="${b.x}" y="${b.y}" width="${b.w}" height="${b.h}" rx="6" fill="#ffffff" stroke="${stroke}"${dashed ? ' stroke-dasharray="4 3"' : ''}/>`,
    );
    lines.forEach((line, i) =>
      parts.push(
        `<text x="${b.x + 8}" y="${b.y + 18 + i * 16}" font-size="${i === 0 ? 13 : 11}"${i === 0 ? ' font-weight="bold"' : ''}>${esc(line)}</text>`,
      ),
    );
  };
  const arrow = (
    from: { x: number; y: number },
    to: { x: number; y: number },
    colour: string,
    label: string,
    dashed = false,
  ) => {
    parts.push(
      `<line x1="${from.x}" y1="${from.y}" x2="${to.x}" y2="${to.y}" stroke="${colour}" stroke-width="2"${dashed ? ' stroke-dasharray="5 4"' : ''} marker-end="url(#arrow-${colour.slice(1)})"/>`,
    );
    const lx = from.x + (to.x - from.x) * 0.5;
    const ly = from.y + (to.y - from.y) * 0.5;
    parts.push(`<circle cx="${lx}" cy="${ly}" r="10" fill="${colour}"/>`);
    parts.push(
      `<text x="${lx}" y="${ly + 4}" font-size="11" text-anchor="middle" fill="#ffffff" class="flow-label">${esc(label)}</text>`,
    );
  };

  box(customer, ['Customer network', 'Browsers', 'Teams clients', '(desktop, web, mobile)'], '#111827');
  box(
    trellis,
    ['Trellis', trellisEntry ? `${trellisEntry.host}:${trellisEntry.port}` : '', 'web and worker instances'],
    '#111827',
  );
  services.forEach((entry, i) => {
    const b = serviceBoxes[i] as Box;
    box(
      b,
      [`${entry.id} · ${entry.service}`, `${entry.host}:${entry.port} (${entry.protocol})`],
      FLOW_COLOURS[entry.flow],
    );
    const colour = FLOW_COLOURS[entry.flow];
    if (entry.direction === 'browser' || entry.direction === 'both') {
      arrow(mid(customer, 'right'), mid(b, 'left'), colour, String(entry.id));
    }
    if (entry.direction === 'server' || entry.direction === 'both') {
      arrow(mid(trellis, 'left'), mid(b, 'right'), FLOW_COLOURS['trellis-service'], String(entry.id));
    }
  });
  if (trellisEntry) {
    // Browsers and Teams clients reach Trellis; Bot Framework delivers the bot's messages to it.
    arrow(
      { x: customer.x + customer.w, y: customer.y + 20 },
      { x: trellis.x, y: trellis.y + 20 },
      FLOW_COLOURS['customer-trellis'],
      String(trellisEntry.id),
    );
  }
  internal.forEach((flow, i) => {
    const b = internalBoxes[i] as Box;
    box(b, [`${flow.id} · ${flow.to}`, flow.protocol], FLOW_COLOURS.internal, true);
    arrow(
      { x: trellis.x + trellis.w / 2 + (i % 2 === 0 ? -20 : 20), y: trellis.y + trellis.h },
      { x: b.x + b.w / 2, y: b.y },
      FLOW_COLOURS.internal,
      flow.id,
      true,
    );
  });
  const legendY = height - 100;
  const legend: [string, string][] = [
    [FLOW_COLOURS['teams-client'], "Teams client's own flows (Microsoft 365)"],
    [FLOW_COLOURS['customer-trellis'], 'Customer network to Trellis'],
    [FLOW_COLOURS['trellis-service'], 'Trellis to the services it calls'],
    [FLOW_COLOURS.internal, 'Inside the Trellis deployment'],
  ];
  legend.forEach(([colour, text], i) => {
    parts.push(`<rect x="20" y="${legendY + i * 20}" width="14" height="14" fill="${colour}"/>`);
    parts.push(`<text x="42" y="${legendY + i * 20 + 12}" font-size="12">${esc(text)}</text>`);
  });
  const markers = [...new Set(Object.values(FLOW_COLOURS))].map(
    (c) =>
      `<marker id="arrow-${c.slice(1)}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="${c}"/></marker>`,
  );
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="1060" height="${height}" viewBox="0 0 1060 ${height}" font-family="Segoe UI, Arial, sans-serif" role="img" aria-labelledby="flows-title">`,
    `<title id="flows-title">${esc(title)}</title>`,
    `<defs>${markers.join('')}</defs>`,
    `<rect width="1060" height="${height}" fill="#f9fafb"/>`,
    `<text x="20" y="36" font-size="18" font-weight="bold">${esc(title)}</text>`,
    ...parts,
    '</svg>',
    '',
  ].join('\n');
}
