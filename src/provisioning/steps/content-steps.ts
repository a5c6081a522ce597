import { GraphError, graphPath, odataString } from '../../graph/index.ts';
import type { ProvisioningSpec, SpecChannel } from '../provisioning-spec.ts';
import { type StepContext, type StepDefinition, StepWait } from '../step-types.ts';
import { channelIdOf } from './channel-steps.ts';
import { planKey } from './planner-steps.ts';
import {
  appBind,
  channelPath,
  DEFAULT_RETRY,
  ensureObject,
  isConflict,
  isNotFound,
  sameName,
  STEP_CALL,
} from './step-helpers.ts';

export const PLANNER_APP = 'com.microsoft.teamspace.tab.planner';

interface Installation {
  id: string;
  teamsApp?: { id: string; externalId?: string | null; displayName?: string };
}
interface Tab {
  id: string;
  displayName: string;
  teamsApp?: { id: string };
  configuration?: Record<string, string | null>;
}
interface DriveItem {
  id: string;
  name: string;
  size?: number;
  parentReference?: { driveId?: string };
}

/** Every app the team needs: the template's, those behind its tabs, and Trellis itself when it posts. */
export function appsOf(spec: ProvisioningSpec, trellisAppId: string | null): string[] {
  const ids = new Set(spec.apps.map((a) => a.teamsAppId));
  for (const c of spec.channels) for (const t of c.tabs) ids.add(t.teamsAppId);
  if (trellisAppId) ids.add(trellisAppId);
  return [...ids];
}

/** The catalog id of the organization's Trellis app (its manifest id is Trellis's Entra client id). */
export async function trellisCatalogId(ctx: StepContext, manifestId: string): Promise<string | null> {
  const apps = await ctx.graph.all<{ id: string }>(
    '/appCatalogs/teamsApps',
    { filter: `externalId eq ${odataString(manifestId)}` },
    STEP_CALL,
  );
  return apps[0]?.id ?? null;
}

export function appsStep(options: { trellisManifestId: string | null }): StepDefinition {
  return {
    name: 'apps',
    version: 1,
    title: 'Installing apps',
    weight: 6,
    retry: DEFAULT_RETRY,
    idempotencyKey: (runId) => `${runId}:apps`,
    async run(ctx) {
      const teamId = ctx.teamId();
      let trellis: string | null = null;
      if (ctx.spec.welcomePosts.length > 0 && options.trellisManifestId) {
        trellis =
          ctx.object('app:trellis')?.graphId ?? (await trellisCatalogId(ctx, options.trellisManifestId));
        if (trellis)
          await ctx.record({ key: 'app:trellis', kind: 'catalog-app', graphId: trellis, data: null });
        else
          await ctx.warn(
            'The Trellis app is not in the tenant app catalog: welcome messages cannot be posted',
          );
      }
      const wanted = appsOf(ctx.spec, trellis).filter((id) => !ctx.object(`app:${id}`));
      if (wanted.length === 0) return;
      const list = () =>
        ctx.graph.all<Installation>(
          graphPath`/teams/${teamId}/installedApps`,
          { expand: ['teamsApp'] },
          STEP_CALL,
        );
      const installed = new Set((await list()).map((i) => i.teamsApp?.id));
      for (const appId of wanted) {
        if (!installed.has(appId)) {
          try {
            await ctx.graph.request('POST', graphPath`/teams/${teamId}/installedApps`, {
              ...STEP_CALL,
              body: { 'teamsApp@odata.bind': appBind(appId) },
              findExisting: async () =>
                (await list()).find((i) => i.teamsApp?.id === appId) ? { id: appId } : undefined,
            });
          } catch (error) {
            // Resent after Graph applied it: "already installed" is the result we wanted.
            if (!isConflict(error)) throw error;
          }
          await ctx.log(
            `App ${ctx.spec.apps.find((a) => a.teamsAppId === appId)?.displayName ?? appId} installed`,
          );
        }
        await ctx.record({ key: `app:${appId}`, kind: 'app', graphId: appId, data: null });
      }
    },
    plan: (spec) =>
      appsOf(spec, options.trellisManifestId && spec.welcomePosts.length > 0 ? 'trellis' : null).map(
        (id) => ({
          step: 'apps',
          method: 'POST' as const,
          path: '/teams/{teamId}/installedApps',
          description: `Install ${id === 'trellis' ? 'the Trellis app (it posts the welcome messages)' : (spec.apps.find((a) => a.teamsAppId === id)?.displayName ?? id)}`,
        }),
      ),
  };
}

/** A Planner tab's configuration, as Teams writes it for the built-in Planner tab. */
export function plannerTabConfiguration(input: {
  entraTenantId: string;
  groupId: string;
  channelId: string;
  planId: string;
}): Record<string, string> {
  const entityId = `tt.c_${input.channelId}_p_${input.planId}`;
  const q = new URLSearchParams({
    page: '7',
    auth_pvr: 'OrgId',
    groupId: input.groupId,
    planId: input.planId,
    channelId: input.channelId,
    entityId,
    tid: input.entraTenantId,
  });
  return {
    entityId,
    contentUrl: `https://tasks.teams.microsoft.com/teamsui/${input.entraTenantId}/Home/PlannerFrame?${q.toString()}`,
    websiteUrl: `https://tasks.office.com/${input.entraTenantId}/Home/PlanViews/${input.planId}`,
    removeUrl: `https://tasks.teams.microsoft.com/teamsui/${input.entraTenantId}/Home/PlannerFrame?page=13&${q.toString()}`,
  };
}

export const tabKey = (c: SpecChannel, name: string) => `tab:${c.key}/${name}`;

/** The configuration a template tab gets: its own, or for a Planner tab the plan it names. */
export function tabConfiguration(
  ctx: StepContext,
  c: SpecChannel,
  tab: SpecChannel['tabs'][number],
): Record<string, string> {
  if (tab.plan) {
    const plan = ctx.object(planKey({ title: tab.plan }));
    if (!plan) throw new Error(`Plan ${tab.plan} of tab ${tab.displayName} has not been created`);
    return plannerTabConfiguration({
      entraTenantId: ctx.spec.entraTenantId,
      groupId: ctx.teamId(),
      channelId: channelIdOf(ctx, c),
      planId: plan.graphId,
    });
  }
  return Object.fromEntries(
    Object.entries(tab.configuration ?? {}).filter((e): e is [string, string] => typeof e[1] === 'string'),
  );
}

export const tabsStep: StepDefinition = {
  name: 'tabs',
  version: 1,
  title: 'Pinning tabs',
  weight: 8,
  retry: DEFAULT_RETRY,
  idempotencyKey: (runId) => `${runId}:tabs`,
  async run(ctx) {
    const teamId = ctx.teamId();
    for (const c of ctx.spec.channels) {
      if (c.tabs.length === 0) continue;
      const channelId = channelIdOf(ctx, c);
      const list = () =>
        ctx.graph.all<Tab>(channelPath(teamId, channelId, '/tabs'), { expand: ['teamsApp'] }, STEP_CALL);
      let existing: Tab[] | undefined;
      for (const tab of c.tabs) {
        const pick = (tabs: Tab[]) =>
          tabs.find((t) => sameName(t.displayName, tab.displayName) && t.teamsApp?.id === tab.teamsAppId);
        const { created } = await ensureObject(
          ctx,
          tabKey(c, tab.displayName),
          'tab',
          async () => pick((existing ??= await list())),
          () =>
            ctx.graph.request<Tab>('POST', channelPath(teamId, channelId, '/tabs'), {
              ...STEP_CALL,
              body: {
                displayName: tab.displayName,
                'teamsApp@odata.bind': appBind(tab.teamsAppId),
                configuration: tabConfiguration(ctx, c, tab),
              },
              findExisting: async () => pick(await list()),
            }),
        );
        if (created) await ctx.log(`Tab ${tab.displayName} pinned in ${c.displayName}`);
      }
    }
  },
  plan: (spec) =>
    spec.channels.flatMap((c) =>
      c.tabs.map((t) => ({
        step: 'tabs',
        method: 'POST' as const,
        path: `/teams/{teamId}/channels/{${c.displayName}}/tabs`,
        description: `Pin the tab "${t.displayName}" (${t.teamsAppId})${t.plan ? ` showing the plan "${t.plan}"` : ''} in ${c.displayName}`,
      })),
    ),
};

const encodePath = (path: string) => path.split('/').filter(Boolean).map(encodeURIComponent).join('/');

/** The channel's folder in its document library; SharePoint may lag behind a new team or channel. */
async function channelFolder(
  ctx: StepContext,
  c: SpecChannel,
): Promise<{ driveId: string; folderId: string }> {
  const key = `folder:${c.key}`;
  const recorded = ctx.object(key);
  if (recorded?.data && typeof recorded.data.driveId === 'string') {
    return { driveId: recorded.data.driveId, folderId: recorded.graphId };
  }
  let folder: DriveItem;
  try {
    folder = await ctx.graph.request<DriveItem>(
      'GET',
      channelPath(ctx.teamId(), channelIdOf(ctx, c), '/filesFolder'),
      STEP_CALL,
    );
  } catch (error) {
    if (isNotFound(error)) throw new StepWait(`The files of ${c.displayName} are not ready yet`, 3_000);
    throw error;
  }
  const driveId = folder.parentReference?.driveId;
  if (!driveId) throw new Error(`Graph gave no drive for the files of ${c.displayName}`);
  await ctx.record({ key, kind: 'folder', graphId: folder.id, data: { driveId } });
  return { driveId, folderId: folder.id };
}

async function itemAt(
  ctx: StepContext,
  driveId: string,
  rootId: string,
  path: string,
): Promise<DriveItem | undefined> {
  try {
    return await ctx.graph.request<DriveItem>(
      'GET',
      `${graphPath`/drives/${driveId}/items/${rootId}`}:/${encodePath(path)}:`,
      STEP_CALL,
    );
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/** Creates `path` under the channel folder, segment by segment; an existing folder is kept. */
async function ensureFolder(
  ctx: StepContext,
  c: SpecChannel,
  driveId: string,
  rootId: string,
  path: string,
): Promise<string> {
  const segments = path.split('/').filter(Boolean);
  let parentId = rootId;
  for (let i = 0; i < segments.length; i++) {
    const sub = segments.slice(0, i + 1).join('/');
    const name = segments[i] as string;
    const { id } = await ensureObject(
      ctx,
      `folder:${c.key}/${sub}`,
      'folder',
      () => itemAt(ctx, driveId, rootId, sub),
      async () => {
        try {
          return await ctx.graph.request<DriveItem>(
            'POST',
            graphPath`/drives/${driveId}/items/${parentId}/children`,
            {
              ...STEP_CALL,
              body: { name, folder: {}, '@microsoft.graph.conflictBehavior': 'fail' },
              findExisting: () => itemAt(ctx, driveId, rootId, sub),
            },
          );
        } catch (error) {
          const found = isConflict(error) ? await itemAt(ctx, driveId, rootId, sub) : undefined;
          if (found) return found;
          throw error;
        }
      },
    );
    parentId = id;
  }
  return parentId;
}

export const filesStep: StepDefinition = {
  name: 'files',
  version: 1,
  title: 'Creating folders and copying files',
  weight: 10,
  retry: DEFAULT_RETRY,
  idempotencyKey: (runId) => `${runId}:files`,
  async run(ctx) {
    for (const c of ctx.spec.channels) {
      if (c.folders.length === 0 && c.files.length === 0) continue;
      const { driveId, folderId } = await channelFolder(ctx, c);
      for (const folder of c.folders) await ensureFolder(ctx, c, driveId, folderId, folder);
      for (const file of c.files) {
        const key = `file:${c.key}/${file.path}`;
        if (ctx.object(key)) continue;
        const dir = file.path.split('/').slice(0, -1).join('/');
        if (dir) await ensureFolder(ctx, c, driveId, folderId, dir);
        const asset = await ctx.asset(file.asset);
        // A simple upload replaces the content at that path: sending it again changes nothing.
        const item = await ctx.graph.request<DriveItem>(
          'PUT',
          `${graphPath`/drives/${driveId}/items/${folderId}`}:/${encodePath(file.path)}:/content`,
          { ...STEP_CALL, body: new Uint8Array(asset.data), headers: { 'content-type': asset.contentType } },
        );
        await ctx.record({
          key,
          kind: 'file',
          graphId: item.id,
          data: { size: asset.data.length, sha256: asset.sha256 },
        });
        await ctx.log(`File ${file.path} copied into ${c.displayName}`);
      }
    }
  },
  plan: (spec) =>
    spec.channels.flatMap((c) => [
      ...c.folders.map((f) => ({
        step: 'files',
        method: 'POST' as const,
        path: '/drives/{driveId}/items/{folderId}/children',
        description: `Create the folder "${f}" in ${c.displayName}`,
      })),
      ...c.files.map((f) => ({
        step: 'files',
        method: 'PUT' as const,
        path: `/drives/{driveId}/items/{folderId}:/${f.path}:/content`,
        description: `Copy ${f.asset} to "${f.path}" in ${c.displayName}`,
      })),
    ]),
};

/** Graph refuses `assignedLabels` with application permissions: the label needs a delegated token. */
export const LABEL_APP_ONLY_REASON =
  'Microsoft Graph applies sensitivity labels to groups only with delegated permissions, not with the application permissions the engine uses';

export const labelStep: StepDefinition = {
  name: 'sensitivity-label',
  version: 1,
  title: 'Applying the sensitivity label',
  weight: 3,
  retry: DEFAULT_RETRY,
  idempotencyKey: (runId) => `${runId}:sensitivity-label`,
  async run(ctx) {
    const labelId = ctx.spec.sensitivityLabelId;
    if (!labelId || ctx.object('label')) return;
    try {
      await ctx.graph.request('PATCH', graphPath`/groups/${ctx.teamId()}`, {
        ...STEP_CALL,
        idempotent: true,
        body: { assignedLabels: [{ labelId }] },
      });
      await ctx.record({ key: 'label', kind: 'label', graphId: labelId, data: { applied: true } });
      await ctx.log(`Sensitivity label ${labelId} applied`);
    } catch (error) {
      if (!(error instanceof GraphError) || (error.status !== 401 && error.status !== 403)) throw error;
      await ctx.record({
        key: 'label',
        kind: 'label',
        graphId: labelId,
        data: {
          applied: false,
          reason: LABEL_APP_ONLY_REASON,
          graphCode: error.graphCode,
          requestId: error.requestId,
        },
      });
      await ctx.warn(`Sensitivity label not applied: ${LABEL_APP_ONLY_REASON}`, {
        graphCode: error.graphCode,
      });
    }
  },
  plan: (spec) =>
    spec.sensitivityLabelId
      ? [
          {
            step: 'sensitivity-label',
            method: 'PATCH' as const,
            path: '/groups/{groupId}',
            description: `Apply the sensitivity label ${spec.sensitivityLabelId}`,
            warning: LABEL_APP_ONLY_REASON,
          },
        ]
      : [],
};

interface ChatMessage {
  id: string;
  from?: { application?: { id?: string } | null } | null;
  body?: { content?: string };
}

/** The id of a message the Trellis bot already posted with this content in the channel, if any. */
async function findBotPost(
  ctx: StepContext,
  channelId: string,
  content: string,
): Promise<string | undefined> {
  const messages = await ctx.graph.all<ChatMessage>(
    channelPath(ctx.teamId(), channelId, '/messages'),
    { top: 50 },
    {
      ...STEP_CALL,
      max: 200,
    },
  );
  return messages.find(
    (m) => m.from?.application?.id && (m.body?.content ?? '').includes(content.slice(0, 200)),
  )?.id;
}

export const welcomeStep: StepDefinition = {
  name: 'welcome',
  version: 1,
  title: 'Posting the welcome messages',
  weight: 3,
  retry: DEFAULT_RETRY,
  idempotencyKey: (runId) => `${runId}:welcome`,
  async run(ctx) {
    if (ctx.spec.welcomePosts.length === 0) return;
    if (!ctx.object('app:trellis')) {
      await ctx.warn('Welcome messages skipped: the Trellis app is not installed in the team');
      return;
    }
    for (const post of ctx.spec.welcomePosts) {
      const key = `welcome:${post.channel}`;
      if (ctx.object(key)) continue;
      const channel = ctx.spec.channels.find((c) => c.key === post.channel);
      if (!channel) continue;
      const channelId = channelIdOf(ctx, channel);
      // A crash between posting and recording leaves the intent: look for the post before posting again.
      const intent = `welcome-intent:${post.channel}`;
      if (ctx.object(intent)) {
        const found = await findBotPost(ctx, channelId, post.content);
        if (found) {
          await ctx.record({ key, kind: 'message', graphId: found, data: null });
          continue;
        }
      }
      await ctx.record({
        key: intent,
        kind: 'intent',
        graphId: channelId,
        data: { at: new Date().toISOString() },
      });
      const activityId = await ctx.postToChannel(channelId, post);
      await ctx.record({ key, kind: 'message', graphId: activityId, data: null });
      await ctx.log(`Welcome message posted in ${post.channel}`);
    }
  },
  plan: (spec) =>
    spec.welcomePosts.map((p) => ({
      step: 'welcome',
      method: 'POST' as const,
      path: 'Bot Connector: /v3/conversations',
      description: `Post the welcome message in ${p.channel} as the Trellis bot`,
    })),
};
