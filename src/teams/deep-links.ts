/**
 * Teams deep links (https://teams.microsoft.com/l/…): every parameter URI-encoded, as Teams requires,
 * and kept under the 1900 characters Teams on Windows accepts.
 */
const TEAMS = 'https://teams.microsoft.com/l';
/** Teams on Windows truncates longer links. */
export const MAX_DEEP_LINK_LENGTH = 1900;

const enc = encodeURIComponent;

function query(params: Record<string, string | undefined>): string {
  const parts = Object.entries(params)
    .filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== '')
    .map(([key, value]) => `${key}=${enc(value)}`);
  return parts.length > 0 ? `?${parts.join('&')}` : '';
}

/** A team: its thread id is its General channel's id (`19:…@thread.tacv2`). */
export function teamLink(input: { generalChannelId: string; groupId: string; tenantId: string }): string {
  return `${TEAMS}/team/${enc(input.generalChannelId)}/conversations${query({
    groupId: input.groupId,
    tenantId: input.tenantId,
  })}`;
}

/** A channel of a team (the shape of Graph's channel `webUrl`). */
export function channelLink(input: {
  channelId: string;
  channelName: string;
  groupId: string;
  tenantId: string;
}): string {
  return `${TEAMS}/channel/${enc(input.channelId)}/${enc(input.channelName)}${query({
    groupId: input.groupId,
    tenantId: input.tenantId,
  })}`;
}

/**
 * A new chat with people (user principal names only), optionally with a topic and a prefilled
 * message. A message that would make the link too long is shortened with an ellipsis.
 */
export function chatLink(input: {
  tenantId: string;
  users: readonly string[];
  topicName?: string;
  message?: string;
}): string {
  const users = input.users.filter((u) => u.includes('@'));
  if (users.length === 0) throw new Error('a chat deep link needs at least one user principal name');
  const build = (message: string | undefined) =>
    `${TEAMS}/chat/0/0${query({
      tenantId: input.tenantId,
      users: users.join(','),
      topicName: users.length > 1 ? input.topicName : undefined,
      message,
    })}`;
  let message = input.message;
  let link = build(message);
  while (message && link.length > MAX_DEEP_LINK_LENGTH) {
    message = `${message.slice(0, Math.max(0, message.length - 50)).trimEnd()}…`;
    link = build(message.length > 1 ? message : undefined);
  }
  return link;
}

/**
 * A Trellis personal tab, optionally opened on one item (`subEntityId`, read by the tab from its
 * Teams context), e.g. a request inside the Requests tab.
 */
export function entityLink(input: {
  appId: string;
  entityId: string;
  tenantId: string;
  subEntityId?: string;
  label?: string;
  webUrl?: string;
}): string {
  const context = input.subEntityId ? JSON.stringify({ subEntityId: input.subEntityId }) : undefined;
  return `${TEAMS}/entity/${enc(input.appId)}/${enc(input.entityId)}${query({
    tenantId: input.tenantId,
    webUrl: input.webUrl,
    label: input.label,
    context,
  })}`;
}

/** The 1:1 chat with the Trellis bot. */
export function botChatLink(input: { appId: string; tenantId: string }): string {
  return `${TEAMS}/entity/${enc(input.appId)}/conversations${query({ tenantId: input.tenantId })}`;
}
