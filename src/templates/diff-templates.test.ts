import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseTemplate } from './check-template.ts';
import { diffTemplates } from './diff-templates.ts';

const base = {
  schemaVersion: 1,
  slug: 'proj',
  name: 'Project',
  channels: [{ displayName: 'Plan' }, { displayName: 'Design' }],
};

test('identical documents have an empty patch and summary', async () => {
  const a = await parseTemplate(base);
  assert.deepEqual(diffTemplates(a, a), { patch: [], summary: [] });
});

test('the patch turns the older document into the newer one, and the summary names the changes', async () => {
  const a = await parseTemplate(base);
  const b = await parseTemplate({
    ...base,
    name: 'Project 2',
    team: { visibility: 'public' },
    channels: [{ displayName: 'Design' }, { displayName: 'Budget', membershipType: 'private' }],
    approval: { stages: [{ name: 'Manager', approvers: [{ type: 'manager' }] }] },
  });
  const diff = diffTemplates(a, b);
  assert.ok(diff.patch.length > 0);
  assert.deepEqual(applyPatch(a, diff.patch), JSON.parse(JSON.stringify(b)));
  for (const line of [
    'name changed',
    'visibility changed from private to public',
    'channel added: Budget',
    'channel removed: Plan',
    'approval stages: 0 → 1',
  ]) {
    assert.ok(diff.summary.includes(line), `${line} in ${diff.summary.join(' | ')}`);
  }
});

// A minimal RFC 6902 applier (add/remove/replace/move), enough to prove the patch is right.
function applyPatch(
  doc: unknown,
  patch: { op: string; path: string; from?: string; value?: unknown }[],
): unknown {
  const root = { v: structuredClone(doc) } as Record<string, unknown>;
  const locate = (pointer: string) => {
    const parts = [
      'v',
      ...pointer
        .split('/')
        .slice(1)
        .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~')),
    ];
    const key = parts.pop() as string;
    let parent: Record<string, unknown> | unknown[] = root;
    for (const p of parts) parent = (parent as Record<string, unknown>)[p] as Record<string, unknown>;
    return { parent, key };
  };
  const remove = (pointer: string) => {
    const { parent, key } = locate(pointer);
    if (Array.isArray(parent)) return parent.splice(key === '-' ? parent.length - 1 : Number(key), 1)[0];
    const value = parent[key];
    delete parent[key];
    return value;
  };
  const add = (pointer: string, value: unknown) => {
    const { parent, key } = locate(pointer);
    if (Array.isArray(parent)) parent.splice(key === '-' ? parent.length : Number(key), 0, value);
    else parent[key] = value;
  };
  for (const op of patch) {
    if (op.op === 'add') add(op.path, op.value);
    else if (op.op === 'remove') remove(op.path);
    else if (op.op === 'replace') {
      remove(op.path);
      add(op.path, op.value);
    } else if (op.op === 'move') add(op.path, remove(op.from as string));
  }
  return root['v'];
}
