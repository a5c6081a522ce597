import { GraphError, graphPath, type TenantGraph } from '../../graph/index.ts';
import { ASSET_EXTENSIONS, sniffAssetType } from '../../templates/index.ts';
import { channelPath, STEP_CALL } from '../steps/step-helpers.ts';
import { TEAM_SETTING_SECTIONS } from '../steps/team-steps.ts';

const PLANNER_APP = 'com.microsoft.teamspace.tab.planner';
/** Tabs Graph cannot create with application permissions, or that need content Trellis cannot copy. */
const NOT_RECREATABLE = new Set([
  'com.microsoft.teamspace.tab.wiki',
  'com.microsoft.teamspace.tab.files.sharepoint',
]);
const DEFAULT_MAX_FILE_BYTES = 10 * 1024 * 1024;

export interface CapturedTemplate {
  /** A template document (input form: defaults are filled in when it is saved). */
  document: Record<string, unknown>;
  assets: { name: string; data: Buffer }[];
  /** What could not be captured, and why. */
  warnings: string[];
}

interface Channel {
  id: string;
  displayName: string;
  description?: string | null;
  membershipType?: string;
  isFavoriteByDefault?: boolean | null;
}
interface Tab {
  displayName: string;
  teamsApp?: { id: string };
  configuration?: Record<string, string | null> | null;
}
interface DriveItem {
  id: string;
  name: string;
  size?: number;
  folder?: unknown;
  file?: unknown;
  parentReference?: { driveId?: string };
}
interface Ordered {
  id: string;
  orderHint?: string;
}

const byOrderHint = <T extends { orderHint?: string }>(a: T, b: T) =>
  (a.orderHint ?? '') < (b.orderHint ?? '') ? -1 : (a.orderHint ?? '') > (b.orderHint ?? '') ? 1 : 0;

async function notFoundAsUndefined<T>(call: Promise<T>): Promise<T | undefined> {
  try {
    return await call;
  } catch (error) {
    if (error instanceof GraphError && error.status === 404) return undefined;
    throw error;
  }
}

/**
 * Reads an existing team through Graph and turns it into a template: settings and picture, channels
 * (private and shared with their owners), tabs with their configuration (a Planner tab bound to its plan),
 * apps, the folders and files of standard channels (as assets), and the Planner plans with labels, buckets,
 * tasks, notes, priorities, labels and checklists. Dates and assignments are not captured: a template's
 * dates are relative to provisioning and its assignees are roles.
 * @throws GraphError (404 when the team does not exist)
 */
export async function captureTeam(
  graph: TenantGraph,
  teamId: string,
  options: {
    slug: string;
    name: string;
    description?: string | undefined;
    maxFileBytes?: number;
    /**
     * The Entra object id of the user capturing: private and shared channels they are not a member of
     * are left out (Teams does not show them to that user; Trellis's application permissions would).
     */
    visibleTo?: string | undefined;
  },
): Promise<CapturedTemplate> {
  const warnings: string[] = [];
  const assets: { name: string; data: Buffer }[] = [];
  const maxFileBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const usedNames = new Set<string>();
  const assetName = (fileName: string): string => {
    const dot = fileName.lastIndexOf('.');
    const ext = dot > 0 ? fileName.slice(dot + 1).toLowerCase() : '';
    const stem = (dot > 0 ? fileName.slice(0, dot) : fileName)
      .replace(/[^A-Za-z0-9._-]+/g, '-')
      .replace(/^[^A-Za-z0-9]+/, '');
    let base = `${(stem || 'file').slice(0, 80)}${ext ? `.${ext}` : ''}`;
    for (let i = 2; usedNames.has(base.toLowerCase()); i++)
      base = `${(stem || 'file').slice(0, 76)}-${i}${ext ? `.${ext}` : ''}`;
    usedNames.add(base.toLowerCase());
    return base;
  };

  const team = await graph.request<Record<string, Record<string, unknown> | undefined>>(
    'GET',
    graphPath`/teams/${teamId}`,
    STEP_CALL,
  );
  const group = await graph.request<{ description?: string | null; visibility?: string | null }>(
    'GET',
    graphPath`/groups/${teamId}`,
    { ...STEP_CALL, query: { select: ['description', 'visibility'] } },
  );
  const settings: Record<string, unknown> = {
    visibility: (group.visibility ?? 'Private').toLowerCase() === 'public' ? 'public' : 'private',
  };
  for (const section of TEAM_SETTING_SECTIONS) {
    const value = team[section];
    if (value && typeof value === 'object') {
      settings[section] = Object.fromEntries(
        Object.entries(value).filter(([, v]) => typeof v === 'boolean' || typeof v === 'string'),
      );
    }
  }
  const photo = await notFoundAsUndefined(
    graph.request<Uint8Array>('GET', `${graphPath`/teams/${teamId}`}/photo/$value`, {
      ...STEP_CALL,
      responseType: 'bytes',
    }),
  );
  if (photo && photo.length > 0) {
    const data = Buffer.from(photo);
    const ext = data[0] === 0x89 ? 'png' : 'jpg';
    const name = assetName(`picture.${ext}`);
    assets.push({ name, data });
    settings.picture = name;
  }

  // Plans first: Planner tabs are captured as a reference to the plan they show.
  const plans = await graph.all<{ id: string; title: string }>(
    graphPath`/groups/${teamId}/planner/plans`,
    undefined,
    STEP_CALL,
  );
  const capturedPlans: Record<string, unknown>[] = [];
  for (const plan of plans) {
    const details = await graph.request<{ categoryDescriptions?: Record<string, string | null> }>(
      'GET',
      graphPath`/planner/plans/${plan.id}/details`,
      STEP_CALL,
    );
    const buckets = (
      await graph.all<Ordered & { name: string }>(
        graphPath`/planner/plans/${plan.id}/buckets`,
        undefined,
        STEP_CALL,
      )
    ).sort(byOrderHint);
    const tasks = (
      await graph.all<
        Ordered & {
          title: string;
          bucketId: string | null;
          priority?: number;
          appliedCategories?: Record<string, boolean>;
        }
      >(graphPath`/planner/plans/${plan.id}/tasks`, undefined, STEP_CALL)
    ).sort(byOrderHint);
    const capturedTasks: Record<string, unknown>[] = [];
    for (const task of tasks) {
      const d = await graph.request<{
        description?: string;
        checklist?: Record<string, { title: string; isChecked: boolean; orderHint?: string }>;
      }>('GET', graphPath`/planner/tasks/${task.id}/details`, STEP_CALL);
      const bucket = buckets.find((b) => b.id === task.bucketId);
      const labels = Object.entries(task.appliedCategories ?? {})
        .filter(([, on]) => on)
        .map(([c]) => c);
      capturedTasks.push({
        title: task.title,
        ...(bucket ? { bucket: bucket.name } : {}),
        ...(d.description ? { notes: d.description } : {}),
        ...(task.priority !== undefined && task.priority !== 5 ? { priority: task.priority } : {}),
        ...(labels.length > 0 ? { labels } : {}),
        checklist: Object.values(d.checklist ?? {})
          .sort(byOrderHint)
          .map((i) => ({ title: i.title, isChecked: i.isChecked })),
      });
    }
    capturedPlans.push({
      title: plan.title,
      buckets: buckets.map((b) => ({ name: b.name })),
      labels: Object.entries(details.categoryDescriptions ?? {})
        .filter(
          (e): e is [string, string] => typeof e[1] === 'string' && e[1] !== '' && !e[0].startsWith('@'),
        )
        .map(([category, name]) => ({ category, name })),
      tasks: capturedTasks,
    });
  }

  const channels = await graph.all<Channel>(graphPath`/teams/${teamId}/channels`, undefined, STEP_CALL);
  const general = await graph.request<{ id: string }>('GET', graphPath`/teams/${teamId}/primaryChannel`, {
    ...STEP_CALL,
    query: { select: ['id'] },
  });
  const captureChannel = async (c: Channel): Promise<Record<string, unknown>> => {
    const tabs: Record<string, unknown>[] = [];
    for (const tab of await graph.all<Tab>(
      channelPath(teamId, c.id, '/tabs'),
      { expand: ['teamsApp'] },
      STEP_CALL,
    )) {
      const appId = tab.teamsApp?.id;
      if (!appId) continue;
      if (NOT_RECREATABLE.has(appId)) {
        warnings.push(
          `Tab "${tab.displayName}" in ${c.displayName} (${appId}) cannot be re-created by Graph and was left out`,
        );
        continue;
      }
      const config = tab.configuration ?? {};
      const plan =
        appId === PLANNER_APP ? plans.find((p) => JSON.stringify(config).includes(p.id)) : undefined;
      if (appId === PLANNER_APP && plan) {
        tabs.push({ displayName: tab.displayName, teamsAppId: appId, plan: plan.title });
        continue;
      }
      const configuration = Object.fromEntries(
        ['entityId', 'contentUrl', 'websiteUrl', 'removeUrl'].flatMap((k) =>
          typeof config[k] === 'string' ? [[k, config[k]]] : [],
        ),
      );
      tabs.push({
        displayName: tab.displayName,
        teamsAppId: appId,
        ...(Object.keys(configuration).length > 0 ? { configuration } : {}),
      });
    }
    const folders: string[] = [];
    const files: { path: string; asset: string }[] = [];
    const membership = c.membershipType ?? 'standard';
    if (membership === 'standard') {
      const root = await notFoundAsUndefined(
        graph.request<DriveItem>('GET', channelPath(teamId, c.id, '/filesFolder'), STEP_CALL),
      );
      const driveId = root?.parentReference?.driveId;
      const walk = async (itemId: string, prefix: string): Promise<void> => {
        for (const item of await graph.all<DriveItem>(
          graphPath`/drives/${driveId ?? ''}/items/${itemId}/children`,
          undefined,
          STEP_CALL,
        )) {
          const path = prefix ? `${prefix}/${item.name}` : item.name;
          if (item.folder !== undefined) {
            folders.push(path);
            await walk(item.id, path);
            continue;
          }
          const ext = item.name.includes('.') ? (item.name.split('.').pop() ?? '').toLowerCase() : '';
          if (!ASSET_EXTENSIONS.includes(ext)) {
            warnings.push(
              `File ${c.displayName}/${path}: .${ext || '(none)'} files are not template assets; left out`,
            );
            continue;
          }
          if ((item.size ?? 0) > maxFileBytes) {
            warnings.push(`File ${c.displayName}/${path} is larger than ${maxFileBytes} bytes; left out`);
            continue;
          }
          const bytes = await graph.request<Uint8Array>(
            'GET',
            graphPath`/drives/${driveId ?? ''}/items/${item.id}/content`,
            { ...STEP_CALL, responseType: 'bytes' },
          );
          const data = Buffer.from(bytes);
          const name = assetName(item.name);
          try {
            sniffAssetType(name, data);
          } catch {
            warnings.push(`File ${c.displayName}/${path} does not match its extension; left out`);
            continue;
          }
          assets.push({ name, data });
          files.push({ path, asset: name });
        }
      };
      if (root && driveId) await walk(root.id, '');
      // A folder holding captured files is created by the file itself.
      for (let i = folders.length - 1; i >= 0; i--) {
        const f = folders[i] as string;
        if (files.some((x) => x.path.startsWith(`${f}/`)) || folders.some((x) => x.startsWith(`${f}/`)))
          folders.splice(i, 1);
      }
    } else {
      warnings.push(
        `Files of the ${membership} channel ${c.displayName} live in its own site and were not captured`,
      );
    }
    if (c.id === general.id) return { tabs, folders, files };
    const owners: string[] = [];
    if (membership !== 'standard') {
      const members = await graph.all<{ userId?: string; roles?: string[] }>(
        channelPath(teamId, c.id, '/members'),
        undefined,
        STEP_CALL,
      );
      for (const m of members) {
        if (!m.userId || !m.roles?.includes('owner')) continue;
        const user = await notFoundAsUndefined(
          graph.request<{ userPrincipalName: string }>('GET', graphPath`/users/${m.userId}`, {
            ...STEP_CALL,
            query: { select: ['userPrincipalName'] },
          }),
        );
        if (user) owners.push(user.userPrincipalName);
      }
    }
    return {
      displayName: c.displayName,
      ...(c.description ? { description: c.description.slice(0, 1024) } : {}),
      membershipType: membership,
      isFavoriteByDefault: c.isFavoriteByDefault === true,
      ...(owners.length > 0 ? { owners: owners.slice(0, 20) } : {}),
      tabs,
      folders,
      files,
    };
  };
  const hiddenFrom = async (c: Channel, userId: string): Promise<boolean> => {
    if ((c.membershipType ?? 'standard') === 'standard') return false;
    const members = await graph.all<{ userId?: string }>(
      channelPath(teamId, c.id, '/members'),
      undefined,
      STEP_CALL,
    );
    return !members.some((m) => m.userId?.toLowerCase() === userId.toLowerCase());
  };
  let generalChannel: Record<string, unknown> = {};
  const otherChannels: Record<string, unknown>[] = [];
  let hidden = 0;
  for (const c of channels) {
    if (c.id === general.id) generalChannel = await captureChannel(c);
    else if (options.visibleTo && (await hiddenFrom(c, options.visibleTo))) hidden++;
    else otherChannels.push(await captureChannel(c));
  }
  if (hidden > 0) {
    // Not even their names: the user does not see these channels in Teams.
    warnings.push(
      `${hidden} private or shared ${hidden === 1 ? 'channel' : 'channels'} you are not a member of ${hidden === 1 ? 'was' : 'were'} left out`,
    );
  }

  const installed = await graph.all<{ teamsApp?: { id: string; displayName?: string } }>(
    graphPath`/teams/${teamId}/installedApps`,
    { expand: ['teamsApp'] },
    STEP_CALL,
  );
  const tabApps = new Set([
    ...[generalChannel, ...otherChannels].flatMap((c) =>
      ((c.tabs as { teamsAppId: string }[] | undefined) ?? []).map((t) => t.teamsAppId),
    ),
  ]);
  const apps = installed
    .flatMap((i) => (i.teamsApp ? [i.teamsApp] : []))
    .filter((a) => !tabApps.has(a.id))
    .map((a) => ({
      teamsAppId: a.id,
      ...(a.displayName ? { displayName: a.displayName.slice(0, 128) } : {}),
    }));

  return {
    document: {
      schemaVersion: 1,
      slug: options.slug,
      name: options.name,
      description: (options.description ?? group.description ?? '').slice(0, 2000),
      team: settings,
      generalChannel,
      channels: otherChannels,
      apps,
      planner: { plans: capturedPlans },
      naming: { displayName: '{{ request.name }}' },
    },
    assets,
    warnings,
  };
}
