import type { SandboxContext } from '../context.ts';
import { listTeams, type TeamTree, teamTree } from '../graph/inspect.ts';
import type { DirectoryUser, TenantState } from '../state/types.ts';
import { userMri } from './ids.ts';
import type { BotConversation } from './state.ts';

/** A team as the Bot Framework names it: by its General channel's thread id, with the group id beside. */
export interface BotTeam {
  tenant: TenantState;
  tree: TeamTree;
  /** `channelData.team.id` in Teams: the General channel's id. */
  botTeamId: string;
}

/** Teams calls the General channel's id the team id; a team without channels falls back to the group id. */
export function botTeamIdOf(tree: TeamTree): string {
  return (tree.channels.find((c) => c.displayName === 'General') ?? tree.channels[0])?.id ?? tree.id;
}

/** A team by Bot Framework id (General channel) or group id, searched in `tenant` first, then everywhere. */
export function findTeam(ctx: SandboxContext, id: string, preferred?: TenantState): BotTeam | undefined {
  const tenants = preferred
    ? [preferred, ...ctx.store.state.tenants.filter((t) => t !== preferred)]
    : ctx.store.state.tenants;
  for (const tenant of tenants) {
    for (const summary of listTeams(tenant)) {
      const tree = teamTree(tenant, summary.id);
      if (!tree) continue;
      const botTeamId = botTeamIdOf(tree);
      if (tree.id === id || botTeamId === id) return { tenant, tree, botTeamId };
    }
  }
  return undefined;
}

/** The team and channel a channel id belongs to. */
export function findChannel(
  ctx: SandboxContext,
  channelId: string,
  preferred?: TenantState,
): (BotTeam & { channel: TeamTree['channels'][number] }) | undefined {
  const tenants = preferred
    ? [preferred, ...ctx.store.state.tenants.filter((t) => t !== preferred)]
    : ctx.store.state.tenants;
  for (const tenant of tenants) {
    for (const summary of listTeams(tenant)) {
      const tree = teamTree(tenant, summary.id);
      const channel = tree?.channels.find((c) => c.id === channelId);
      if (tree && channel) return { tenant, tree, botTeamId: botTeamIdOf(tree), channel };
    }
  }
  return undefined;
}

/** `TeamsChannelAccount`, as the Connector's roster calls return it. */
export function channelAccount(tenant: TenantState, user: DirectoryUser): Record<string, unknown> {
  return {
    id: userMri(tenant.id, user.id),
    name: user.displayName,
    aadObjectId: user.id,
    objectId: user.id,
    givenName: user.givenName,
    surname: user.surname,
    email: user.mail,
    userPrincipalName: user.userPrincipalName,
    tenantId: tenant.id,
    userRole: user.userType === 'Guest' ? 'guest' : 'user',
  };
}

/** The users in a conversation: the one user of a 1:1 chat, or the members of the channel's team. */
export function conversationMembers(
  tenant: TenantState,
  conversation: Pick<BotConversation, 'conversationType' | 'userId' | 'teamId'>,
): DirectoryUser[] {
  const users = tenant.directory.users;
  if (conversation.conversationType === 'personal') {
    return users.filter((u) => u.id === conversation.userId);
  }
  const tree = conversation.teamId ? teamTree(tenant, conversation.teamId) : undefined;
  const ids = new Set(tree?.members.map((m) => m.userId) ?? []);
  return users.filter((u) => ids.has(u.id));
}
