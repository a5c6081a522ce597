import assert from 'node:assert/strict';
import { CONTOSO_TENANT_ID, TRELLIS_CLIENT_ID } from '../../sandbox/state/seed-contoso.ts';
import type { ProvisioningRig } from './provisioning.ts';

/** What the sandbox answers to a user action (see sandbox/botframework/act.ts). */
export interface ActAnswer {
  conversationId: string;
  activity: Record<string, unknown>;
  delivery: { status: number; body: unknown; error: string | null; elapsedMs: number };
  replies: { id: string; activity: Record<string, unknown> }[];
}

export interface RecordedActivity {
  id: string;
  direction: 'toBot' | 'fromBot';
  type: string;
  name: string | null;
  activity: Record<string, unknown>;
  updatedAt?: string;
  deleted?: boolean;
}

/** Acting as Contoso's users in Teams, through the sandbox, against the Trellis bot of a rig. */
export function teamsClient(rig: ProvisioningRig) {
  const base = `/sandbox/api/tenants/${CONTOSO_TENANT_ID}`;
  const post = async <T>(path: string, body: unknown): Promise<T> => {
    const res = await rig.sb.fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const text = await res.text();
    assert.equal(res.status, 200, text);
    return JSON.parse(text) as T;
  };
  return {
    /** Points the sandbox's Connector at this Trellis's /api/messages (the bot registration). */
    async register() {
      const res = await rig.sb.fetch(`/sandbox/api/bots/${TRELLIS_CLIENT_ID}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          endpoint: `${rig.trellis.url}/api/messages`,
          caCert: rig.trellis.caCert ?? null,
        }),
      });
      assert.equal(res.status, 200, await res.text());
    },
    install: (userId: string, teamId?: string) =>
      post<ActAnswer>('/act/install', { userId, ...(teamId ? { teamId } : {}) }),
    message: (userId: string, text: string, conversation?: unknown) =>
      post<ActAnswer>('/act/message', { userId, text, ...(conversation ? { conversation } : {}) }),
    cardAction: (input: {
      userId: string;
      conversationId: string;
      activityId: string;
      verb: string;
      data?: Record<string, unknown>;
    }) => post<ActAnswer>('/act/card-action', input),
    extension: (input: Record<string, unknown>) => post<ActAnswer>('/act/message-extension', input),
    /** A dialog opened from a card button (`task/fetch`) or submitted (`task/submit`). */
    dialog: (input: {
      userId: string;
      conversationId: string;
      activityId: string;
      kind: 'fetch' | 'submit';
      data: Record<string, unknown>;
    }) => post<ActAnswer>('/act/dialog', input),
    /** One conversation with every activity, as the Connector recorded it. */
    async conversation(
      id: string,
    ): Promise<{ id: string; conversationType: string; activities: RecordedActivity[] }> {
      const res = await rig.sb.fetch(`${base}/conversations/${encodeURIComponent(id)}`);
      const text = await res.text();
      assert.equal(res.status, 200, text);
      return JSON.parse(text) as never;
    },
    /** Waits until a conversation holds an activity from the bot that satisfies `match`. */
    async waitFor(
      conversationId: string,
      match: (activity: RecordedActivity) => boolean,
      what: string,
      timeoutMs = Number(process.env.TEAMS_WAIT_MS ?? 60_000),
    ): Promise<RecordedActivity> {
      const until = Date.now() + timeoutMs;
      let last: RecordedActivity[] = [];
      while (Date.now() < until) {
        last = (await this.conversation(conversationId)).activities;
        const found = last.find((a) => a.direction === 'fromBot' && !a.deleted && match(a));
        if (found) return found;
        await new Promise((r) => setTimeout(r, 150));
      }
      const seen = last.map(
        (a) => `${a.id} ${a.direction} ${textOf(cardsOf(a.activity)[0] ?? {}).slice(0, 60)}`,
      );
      assert.fail(`${what}: not in ${conversationId} after ${timeoutMs} ms:\n${seen.join('\n')}`);
    },
  };
}

/** The Adaptive Cards of an activity. */
export function cardsOf(activity: Record<string, unknown>): Record<string, unknown>[] {
  const attachments = Array.isArray(activity.attachments) ? activity.attachments : [];
  return attachments
    .filter((a: { contentType?: string }) => a.contentType === 'application/vnd.microsoft.card.adaptive')
    .map((a: { content: Record<string, unknown> }) => a.content);
}

/** All text of a card (TextBlocks, fact titles and values), for assertions. */
export function textOf(card: unknown): string {
  const out: string[] = [];
  const walk = (node: unknown) => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (typeof node !== 'object' || node === null) return;
    const n = node as Record<string, unknown>;
    for (const key of ['text', 'title', 'value', 'label'])
      if (typeof n[key] === 'string') out.push(n[key] as string);
    for (const v of Object.values(n)) if (typeof v === 'object') walk(v);
  };
  walk(card);
  return out.join('\n');
}

/** The Action.Execute verbs a card offers. */
export function verbsOf(card: unknown): string[] {
  const out: string[] = [];
  const walk = (node: unknown) => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (typeof node !== 'object' || node === null) return;
    const n = node as Record<string, unknown>;
    if (n.type === 'Action.Execute' && typeof n.verb === 'string') out.push(n.verb);
    for (const [k, v] of Object.entries(n)) if (k !== 'refresh' && typeof v === 'object') walk(v);
  };
  walk(card);
  return out;
}
