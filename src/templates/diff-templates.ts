import { create } from 'jsondiffpatch';
import { format } from 'jsondiffpatch/formatters/jsonpatch';
import type { TemplateDocument } from './template-schema.ts';

/** One RFC 6902 operation. */
export interface JsonPatchOperation {
  op: 'add' | 'remove' | 'replace' | 'move' | 'copy' | 'test';
  path: string;
  from?: string;
  value?: unknown;
}

/** Differences between two template documents: a JSON Patch from `from` to `to`, and a summary for people. */
export interface TemplateDiff {
  patch: JsonPatchOperation[];
  summary: string[];
}

// Array items are matched by their natural key, so a moved channel is a move, not a rewrite.
const differ = create({
  objectHash: (item: object, index?: number) => {
    const o = item as Record<string, unknown>;
    for (const key of ['displayName', 'title', 'key', 'name', 'teamsAppId', 'path', 'user', 'groupId']) {
      if (typeof o[key] === 'string') return `${key}:${o[key]}`;
    }
    return `$$index:${index ?? 0}`;
  },
  arrays: { detectMove: true },
});

/** Computes the JSON Patch turning `from` into `to` (jsondiffpatch's jsonpatch formatter) and a short summary. */
export function diffTemplates(from: TemplateDocument, to: TemplateDocument): TemplateDiff {
  const delta = differ.diff(from, to);
  const patch = delta === undefined ? [] : (format(delta) as JsonPatchOperation[]);
  return { patch, summary: summarize(from, to) };
}

function summarize(a: TemplateDocument, b: TemplateDocument): string[] {
  const out: string[] = [];
  for (const key of ['name', 'slug', 'description', 'category', 'language'] as const) {
    if (a[key] !== b[key]) out.push(`${key} changed`);
  }
  if (a.team.visibility !== b.team.visibility) {
    out.push(`visibility changed from ${a.team.visibility} to ${b.team.visibility}`);
  }
  if (!same(withoutVisibility(a.team), withoutVisibility(b.team))) out.push('team settings changed');
  names(
    'channel',
    a.channels.map((c) => c.displayName),
    b.channels.map((c) => c.displayName),
    out,
  );
  const tabs = (d: TemplateDocument) => [
    ...d.generalChannel.tabs.map((t) => `General/${t.displayName}`),
    ...d.channels.flatMap((c) => c.tabs.map((t) => `${c.displayName}/${t.displayName}`)),
  ];
  names('tab', tabs(a), tabs(b), out);
  const files = (d: TemplateDocument) => [
    ...d.generalChannel.files.map((f) => `General/${f.path}`),
    ...d.channels.flatMap((c) => c.files.map((f) => `${c.displayName}/${f.path}`)),
  ];
  names('file', files(a), files(b), out);
  const changedChannels = b.channels.filter((c) => {
    const before = a.channels.find((x) => x.displayName === c.displayName);
    return before !== undefined && !same(before, c);
  });
  for (const c of changedChannels) out.push(`channel "${c.displayName}" changed`);
  names(
    'app',
    a.apps.map((x) => x.teamsAppId),
    b.apps.map((x) => x.teamsAppId),
    out,
  );
  names(
    'plan',
    a.planner.plans.map((p) => p.title),
    b.planner.plans.map((p) => p.title),
    out,
  );
  const tasks = (d: TemplateDocument) => d.planner.plans.reduce((n, p) => n + p.tasks.length, 0);
  if (tasks(a) !== tasks(b)) out.push(`planner tasks: ${tasks(a)} → ${tasks(b)}`);
  names(
    'metadata field',
    [...a.metadataFieldRefs, ...a.metadataFields.map((f) => f.key)],
    [...b.metadataFieldRefs, ...b.metadataFields.map((f) => f.key)],
    out,
  );
  if (!same(a.permanentOwners, b.permanentOwners)) out.push('permanent owners changed');
  if (!same(a.permanentMembers, b.permanentMembers)) out.push('permanent members changed');
  if (a.minimumOwners !== b.minimumOwners)
    out.push(`minimum owners: ${a.minimumOwners} → ${b.minimumOwners}`);
  if (a.addRequesterAsOwner !== b.addRequesterAsOwner) out.push('requester-as-owner changed');
  if (!same(a.guests, b.guests)) out.push('guest policy changed');
  if (a.sensitivityLabelId !== b.sensitivityLabelId) out.push('sensitivity label changed');
  if (!same(a.naming, b.naming)) out.push('naming rules changed');
  if (a.audience.rule !== b.audience.rule) out.push('audience rule changed');
  if (a.approval.stages.length !== b.approval.stages.length) {
    out.push(`approval stages: ${a.approval.stages.length} → ${b.approval.stages.length}`);
  } else if (!same(a.approval, b.approval)) out.push('approval policy changed');
  if (a.icon !== b.icon || !same(a.screenshots, b.screenshots)) out.push('icon or screenshots changed');
  if (!same(a.tags, b.tags)) out.push('tags changed');
  return out;
}

function withoutVisibility(team: TemplateDocument['team']): Omit<TemplateDocument['team'], 'visibility'> {
  const { visibility: _ignored, ...rest } = team;
  return rest;
}

function names(kind: string, before: string[], after: string[], out: string[]): void {
  const added = after.filter((n) => !before.includes(n));
  const removed = before.filter((n) => !after.includes(n));
  if (added.length > 0) out.push(`${plural(kind, added.length)} added: ${added.join(', ')}`);
  if (removed.length > 0) out.push(`${plural(kind, removed.length)} removed: ${removed.join(', ')}`);
}

function plural(kind: string, n: number): string {
  return n === 1 ? kind : `${kind}s`;
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
