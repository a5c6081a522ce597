import { graphPath } from '../../graph/index.ts';
import type { SpecChannel } from '../provisioning-spec.ts';
import type { StepContext, StepDefinition } from '../step-types.ts';
import { channelPath, DEFAULT_RETRY, ensureObject, sameName, STEP_CALL, userBind } from './step-helpers.ts';

interface Channel {
  id: string;
  displayName: string;
  membershipType?: string;
}

interface ChannelMember {
  id: string;
  userId?: string;
  roles?: string[];
}

export const channelKey = (c: Pick<SpecChannel, 'key'>): string => `channel:${c.key}`;

/** The id of a channel of the spec (General included), recorded by the channels step. */
export function channelIdOf(ctx: StepContext, channel: Pick<SpecChannel, 'key'>): string {
  const recorded = ctx.object(channelKey(channel));
  if (!recorded) throw new Error(`Channel ${channel.key} has not been created yet`);
  return recorded.graphId;
}

const memberBody = (userId: string, owner: boolean) => ({
  '@odata.type': '#microsoft.graph.aadUserConversationMember',
  roles: owner ? ['owner'] : [],
  'user@odata.bind': userBind(userId),
});

async function ensureChannel(ctx: StepContext, teamId: string, c: SpecChannel): Promise<string> {
  const find = async () => {
    const channels = await ctx.graph.all<Channel>(graphPath`/teams/${teamId}/channels`, undefined, STEP_CALL);
    return channels.find((x) => sameName(x.displayName, c.displayName));
  };
  // Graph creates a shared channel with exactly one member, its owner; the rest are added after.
  const firstOwner = c.owners[0];
  const initial =
    c.membershipType === 'private'
      ? [...c.owners.map((o) => memberBody(o, true)), ...c.members.map((m) => memberBody(m, false))]
      : c.membershipType === 'shared' && firstOwner
        ? [memberBody(firstOwner, true)]
        : undefined;
  const { id, created } = await ensureObject(
    ctx,
    channelKey(c),
    'channel',
    find,
    (findExisting) =>
      ctx.graph.request<Channel>('POST', graphPath`/teams/${teamId}/channels`, {
        ...STEP_CALL,
        body: {
          displayName: c.displayName,
          ...(c.description ? { description: c.description } : {}),
          membershipType: c.membershipType,
          ...(c.membershipType === 'standard' ? { isFavoriteByDefault: c.isFavoriteByDefault } : {}),
          ...(initial ? { members: initial } : {}),
        },
        findExisting,
      }),
    (found) => ({ membershipType: found.membershipType ?? c.membershipType }),
  );
  if (created) await ctx.log(`Channel ${c.displayName} (${c.membershipType}) created`);
  return id;
}

/** Private and shared channels: every declared owner and member is on the channel's own roster. */
async function ensureRoster(
  ctx: StepContext,
  teamId: string,
  channelId: string,
  c: SpecChannel,
): Promise<void> {
  const present = await ctx.graph.all<ChannelMember>(
    channelPath(teamId, channelId, '/members'),
    undefined,
    STEP_CALL,
  );
  const byUser = new Map(present.map((m) => [(m.userId ?? '').toLowerCase(), m]));
  const wanted = [
    ...c.owners.map((id) => ({ id, owner: true })),
    ...c.members.map((id) => ({ id, owner: false })),
  ];
  let added = 0;
  for (const w of wanted) {
    const m = byUser.get(w.id);
    if (m && (!w.owner || m.roles?.includes('owner'))) continue;
    // Adding someone present updates their roles: resending is harmless.
    await ctx.graph.request('POST', channelPath(teamId, channelId, '/members'), {
      ...STEP_CALL,
      idempotent: true,
      body: memberBody(w.id, w.owner),
    });
    added++;
  }
  if (added > 0) await ctx.log(`${added} people added to channel ${c.displayName}`);
}

/** Standard, private and shared channels, each with its owners and members. */
export const channelsStep: StepDefinition = {
  name: 'channels',
  version: 1,
  title: 'Creating channels',
  weight: 12,
  retry: DEFAULT_RETRY,
  idempotencyKey: (runId) => `${runId}:channels`,
  async run(ctx) {
    const teamId = ctx.teamId();
    for (const c of ctx.spec.channels) {
      if (c.general) continue;
      const id = await ensureChannel(ctx, teamId, c);
      if (c.membershipType !== 'standard') await ensureRoster(ctx, teamId, id, c);
    }
  },
  plan: (spec) =>
    spec.channels
      .filter((c) => !c.general)
      .flatMap((c) => [
        {
          step: 'channels',
          method: 'POST' as const,
          path: '/teams/{teamId}/channels',
          description: `Create the ${c.membershipType} channel "${c.displayName}"${c.membershipType === 'standard' ? '' : ` owned by ${c.owners.length}`}`,
        },
        ...(c.membershipType === 'shared' && c.owners.length + c.members.length > 1
          ? [
              {
                step: 'channels',
                method: 'POST' as const,
                path: `/teams/{teamId}/channels/{${c.displayName}}/members`,
                description: `Add ${c.owners.length + c.members.length - 1} more people to the shared channel`,
              },
            ]
          : []),
      ]),
};
