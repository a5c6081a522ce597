import { GraphError, graphPath, odataString } from '../../graph/index.ts';
import type { ProvisioningSpec } from '../provisioning-spec.ts';
import { type StepDefinition, StepWait } from '../step-types.ts';
import {
  DEFAULT_RETRY,
  ensureObject,
  GRAPH_ROOT,
  isConflict,
  isNotFound,
  STEP_CALL,
  userBind,
} from './step-helpers.ts';

interface GroupRef {
  id: string;
  displayName?: string;
  mailNickname?: string;
  createdDateTime?: string;
}

/** Graph takes at most 20 owners and members in `POST /groups`; the rest join in the membership step. */
const MAX_BINDS_AT_CREATION = 20;
const REPLICATION_WAIT_MS = 3_000;

/** The team settings a template sets, by Graph's section names. */
export const TEAM_SETTING_SECTIONS = [
  'memberSettings',
  'guestSettings',
  'messagingSettings',
  'funSettings',
  'discoverySettings',
] as const;

function settingsBody(spec: ProvisioningSpec): Record<string, unknown> {
  const s = spec.team.settings;
  const body: Record<string, unknown> = {};
  for (const key of TEAM_SETTING_SECTIONS) {
    if (s[key] && Object.keys(s[key]).length > 0) body[key] = s[key];
  }
  return body;
}

/** Creates the Microsoft 365 group, found again by its unique mail nickname after a crash. */
export const createGroupStep: StepDefinition = {
  name: 'create-group',
  version: 1,
  title: 'Creating the Microsoft 365 group',
  weight: 8,
  retry: DEFAULT_RETRY,
  idempotencyKey: (runId) => `${runId}:create-group`,
  async run(ctx) {
    const { spec } = ctx;
    const started = Date.parse(spec.startedAt);
    const find = async (): Promise<GroupRef | undefined> => {
      const groups = await ctx.graph.all<GroupRef>(
        '/groups',
        {
          filter: `mailNickname eq ${odataString(spec.team.mailNickname)}`,
          select: ['id', 'displayName', 'mailNickname', 'createdDateTime'],
        },
        STEP_CALL,
      );
      // A group with our nickname created before the pre-checks is someone else's: the pre-checks saw none.
      return groups.find((g) => !g.createdDateTime || Date.parse(g.createdDateTime) >= started - 60_000);
    };
    const initial = [...spec.owners, ...spec.members].slice(0, MAX_BINDS_AT_CREATION);
    const owners = spec.owners.filter((o) => initial.includes(o));
    const members = spec.members.filter((m) => initial.includes(m));
    const createGroup = (findExisting: () => Promise<GroupRef | undefined>) =>
      ctx.graph.request<GroupRef>('POST', '/groups', {
        ...STEP_CALL,
        body: {
          displayName: spec.team.displayName,
          mailNickname: spec.team.mailNickname,
          description: spec.team.description,
          visibility: spec.team.visibility,
          groupTypes: ['Unified'],
          mailEnabled: true,
          securityEnabled: false,
          'owners@odata.bind': owners.map((o) => `${GRAPH_ROOT}/users/${o}`),
          ...(members.length > 0
            ? { 'members@odata.bind': members.map((m) => `${GRAPH_ROOT}/users/${m}`) }
            : {}),
        },
        findExisting,
      });
    const { id, created } = await ensureObject(ctx, 'group', 'group', find, async (findExisting) => {
      try {
        return await createGroup(findExisting);
      } catch (error) {
        // "Another object with the same value for property mailNickname": ours, from an attempt whose
        // answer was lost, once the directory shows it.
        const found = error instanceof GraphError && error.status === 400 ? await find() : undefined;
        if (found) return found;
        throw error;
      }
    });
    await ctx.log(
      created ? `Group ${spec.team.mailNickname} created` : `Group ${spec.team.mailNickname} found`,
      {
        groupId: id,
      },
    );
  },
  plan: (spec) => [
    {
      step: 'create-group',
      method: 'POST',
      path: '/groups',
      description: `Create the Microsoft 365 group "${spec.team.displayName}" (${spec.team.mailNickname}, ${spec.team.visibility}) with ${Math.min(spec.owners.length + spec.members.length, MAX_BINDS_AT_CREATION)} initial owners and members`,
    },
  ],
};

/** Turns the group into a team; Graph answers 404 while the new group replicates, so it waits and retries. */
export const createTeamStep: StepDefinition = {
  name: 'create-team',
  version: 1,
  title: 'Creating the team',
  weight: 8,
  retry: { maxAttempts: 8, baseDelayMs: 5_000, maxDelayMs: 60_000 },
  idempotencyKey: (runId) => `${runId}:create-team`,
  async run(ctx) {
    const teamId = ctx.teamId();
    if (ctx.object('team')) return;
    try {
      await ctx.graph.request('PUT', graphPath`/groups/${teamId}/team`, {
        ...STEP_CALL,
        body: settingsBody(ctx.spec),
      });
      await ctx.log('Team created from the group');
    } catch (error) {
      // Graph documents up to 15 minutes of replication before a new group can become a team.
      if (isNotFound(error)) throw new StepWait('The new group is not replicated yet', REPLICATION_WAIT_MS);
      // 409: an earlier attempt (or a resent PUT) already created it.
      if (!isConflict(error)) throw error;
      await ctx.log('Team found (created by an earlier attempt)');
    }
    await ctx.record({ key: 'team', kind: 'team', graphId: teamId, data: null });
  },
  plan: () => [
    {
      step: 'create-team',
      method: 'PUT',
      path: '/groups/{groupId}/team',
      description:
        'Create the team from the group with the template settings (retried while the group replicates)',
    },
  ],
};

/**
 * Waits until the team is usable: the team, its General channel and its SharePoint document library all
 * answer. Peers report "succeeded" before this point; Trellis goes on only after it.
 */
export const waitReadyStep: StepDefinition = {
  name: 'wait-ready',
  version: 1,
  title: 'Waiting for the team to be ready',
  weight: 6,
  retry: { maxAttempts: 10, baseDelayMs: 5_000, maxDelayMs: 60_000 },
  idempotencyKey: (runId) => `${runId}:wait-ready`,
  async run(ctx) {
    const teamId = ctx.teamId();
    try {
      await ctx.graph.request('GET', graphPath`/teams/${teamId}`, {
        ...STEP_CALL,
        query: { select: ['id'] },
      });
      const general = await ctx.graph.request<{ id: string }>(
        'GET',
        graphPath`/teams/${teamId}/primaryChannel`,
        { ...STEP_CALL, query: { select: ['id', 'displayName'] } },
      );
      await ctx.graph.request('GET', graphPath`/groups/${teamId}/drive`, {
        ...STEP_CALL,
        query: { select: ['id'] },
      });
      await ctx.record({ key: 'channel:General', kind: 'channel', graphId: general.id, data: null });
    } catch (error) {
      if (isNotFound(error))
        throw new StepWait('The team is still being set up by Microsoft 365', REPLICATION_WAIT_MS);
      throw error;
    }
    await ctx.log('Team, General channel and document library are ready');
  },
  plan: () => [
    {
      step: 'wait-ready',
      method: 'GET',
      path: '/teams/{teamId}',
      description: 'Wait until the team answers',
    },
    {
      step: 'wait-ready',
      method: 'GET',
      path: '/teams/{teamId}/primaryChannel',
      description: 'Find the General channel',
    },
    {
      step: 'wait-ready',
      method: 'GET',
      path: '/groups/{groupId}/drive',
      description: 'Wait for the document library',
    },
  ],
};

/** Team settings (again, as the template says) and the team picture. */
export const settingsStep: StepDefinition = {
  name: 'settings',
  version: 1,
  title: 'Applying settings and picture',
  weight: 4,
  retry: DEFAULT_RETRY,
  idempotencyKey: (runId) => `${runId}:settings`,
  async run(ctx) {
    const teamId = ctx.teamId();
    const body = settingsBody(ctx.spec);
    if (Object.keys(body).length > 0) {
      await ctx.graph.request('PATCH', graphPath`/teams/${teamId}`, { ...STEP_CALL, body, idempotent: true });
    }
    const picture = ctx.spec.team.picture;
    if (picture && !ctx.object('picture')) {
      const asset = await ctx.asset(picture);
      await ctx.graph.request('PUT', `${graphPath`/teams/${teamId}`}/photo/$value`, {
        ...STEP_CALL,
        body: new Uint8Array(asset.data),
        headers: { 'content-type': asset.contentType },
      });
      await ctx.record({
        key: 'picture',
        kind: 'picture',
        graphId: asset.sha256,
        data: { size: asset.data.length },
      });
      await ctx.log(`Team picture set from ${picture}`);
    }
    await ctx.log('Team settings applied');
  },
  plan: (spec) => [
    {
      step: 'settings',
      method: 'PATCH',
      path: '/teams/{teamId}',
      description: 'Apply member, guest, messaging, fun and discovery settings',
    },
    ...(spec.team.picture
      ? [
          {
            step: 'settings',
            method: 'PUT' as const,
            path: '/teams/{teamId}/photo/$value',
            description: `Set the team picture (${spec.team.picture})`,
          },
        ]
      : []),
  ],
};

interface Member {
  id: string;
  userId?: string;
  roles?: string[];
}

/**
 * Owners and members (requested and permanent) join the team before any private channel is created:
 * Graph requires private channel members to be team members.
 */
export const membersStep: StepDefinition = {
  name: 'members',
  version: 1,
  title: 'Adding owners and members',
  weight: 6,
  retry: DEFAULT_RETRY,
  idempotencyKey: (runId) => `${runId}:members`,
  async run(ctx) {
    const teamId = ctx.teamId();
    const { spec } = ctx;
    const present = await ctx.graph.all<Member>(graphPath`/teams/${teamId}/members`, undefined, STEP_CALL);
    const roleOf = new Map(present.map((m) => [(m.userId ?? '').toLowerCase(), m]));
    const toAdd: { userId: string; owner: boolean }[] = [];
    for (const id of spec.owners) {
      const m = roleOf.get(id);
      if (!m) toAdd.push({ userId: id, owner: true });
      else if (!m.roles?.includes('owner')) {
        await ctx.graph.request('PATCH', graphPath`/teams/${teamId}/members/${m.id}`, {
          ...STEP_CALL,
          idempotent: true,
          body: { '@odata.type': '#microsoft.graph.aadUserConversationMember', roles: ['owner'] },
        });
      }
    }
    for (const id of spec.members) if (!roleOf.has(id)) toAdd.push({ userId: id, owner: false });
    // Bulk add, 200 at a time (Graph's limit); adding someone present again is harmless, so resending is safe.
    for (let i = 0; i < toAdd.length; i += 200) {
      const chunk = toAdd.slice(i, i + 200);
      const result = await ctx.graph.request<{
        value?: { userId?: string; error?: { message?: string } | null }[];
      }>('POST', graphPath`/teams/${teamId}/members/add`, {
        ...STEP_CALL,
        idempotent: true,
        body: {
          values: chunk.map((m) => ({
            '@odata.type': 'microsoft.graph.aadUserConversationMember',
            roles: m.owner ? ['owner'] : [],
            'user@odata.bind': userBind(m.userId),
          })),
        },
      });
      const failed = (result?.value ?? []).filter((r) => r.error);
      if (failed.length > 0) {
        throw new Error(
          `Graph could not add ${failed.length} people: ${failed.map((f) => `${f.userId}: ${f.error?.message}`).join('; ')}`,
        );
      }
    }
    await ctx.log(
      `${spec.owners.length} owners and ${spec.members.length} members in the team (${toAdd.length} added)`,
    );
  },
  plan: (spec) => [
    { step: 'members', method: 'GET', path: '/teams/{teamId}/members', description: 'Read the roster' },
    {
      step: 'members',
      method: 'POST',
      path: '/teams/{teamId}/members/add',
      description: `Add the missing of ${spec.owners.length} owners and ${spec.members.length} members`,
    },
  ],
};
