import { createHash, randomInt } from 'node:crypto';
import type { DirectoryUser, TenantState } from '../state/types.ts';

const digest = (text: string, length: number) =>
  createHash('sha256').update(text).digest('base64url').slice(0, length);

/** Teams identifies users by an opaque MRI (`29:1…`), stable per tenant and user; never the object id. */
export function userMri(tenantId: string, userId: string): string {
  return `29:1${digest(`mri|${tenantId}|${userId}`, 43)}`;
}

/** Bots are `28:{appId}` in Teams. */
export function botMri(appId: string): string {
  return `28:${appId}`;
}

/** A 1:1 chat with a bot has one id per user and bot, so creating it again returns the same one. */
export function personalConversationId(tenantId: string, appId: string, userId: string): string {
  return `a:1${digest(`chat|${tenantId}|${appId}|${userId}`, 86)}`;
}

/** `19:…@thread.tacv2;messageid=…`: the Connector's id of one channel thread. */
export function threadConversationId(channelId: string, rootMessageId: string): string {
  return `${channelId.split(';')[0]};messageid=${rootMessageId}`;
}

/** Splits a channel conversation id into channel and thread root, if it is one. */
export function parseChannelConversationId(
  id: string,
): { channelId: string; rootMessageId: string | null } | undefined {
  const [base, ...params] = id.split(';');
  if (!base?.startsWith('19:')) return undefined;
  const root = params.find((p) => p.startsWith('messageid='))?.slice('messageid='.length);
  return { channelId: base, rootMessageId: root ?? null };
}

/**
 * Teams message ids are epoch milliseconds, numeric and increasing (the Teams SDK refuses others
 * when it threads a reply); two messages in the same millisecond get consecutive ids.
 */
export function createMessageIdSource(): () => string {
  let last = 0;
  return () => {
    last = Math.max(Date.now(), last + 1);
    return String(last);
  };
}

/** Invoke activities carry `f:…` ids in Teams. */
export function invokeActivityId(): string {
  return `f:${Date.now()}${String(randomInt(1_000_000)).padStart(6, '0')}`;
}

/** Finds a user from any id Teams accepts for a member: MRI, `8:orgid:{oid}` or the Entra object id. */
export function findUserByMemberId(tenant: TenantState, memberId: string): DirectoryUser | undefined {
  const id = memberId.startsWith('8:orgid:') ? memberId.slice('8:orgid:'.length) : memberId;
  return tenant.directory.users.find(
    (u) => u.id.toLowerCase() === id.toLowerCase() || userMri(tenant.id, u.id) === id,
  );
}
