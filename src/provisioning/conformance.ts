import { graphPath } from '../graph/index.ts';
import type { ProvisioningSpec, SpecChannel } from './provisioning-spec.ts';
import type { StepContext } from './step-types.ts';
import { channelKey } from './steps/channel-steps.ts';
import { appsOf, PLANNER_APP, tabKey } from './steps/content-steps.ts';
import { checklistOf, planKey } from './steps/planner-steps.ts';
import { channelPath, isNotFound, sameName, STEP_CALL } from './steps/step-helpers.ts';
import { TEAM_SETTING_SECTIONS } from './steps/team-steps.ts';

/** One way the team differs from its template. */
export interface Difference {
  /** Where, e.g. `channels[Planning].tabs[Project plan]`. */
  path: string;
  kind: 'missing' | 'different' | 'not_applied';
  expected: unknown;
  actual: unknown;
  /** The step that makes this element; rerunning it can mend the difference. */
  step: string;
  /** Recorded objects to forget before rerunning the step (they point at something gone). */
  forget: string[];
  /** False when no retry can mend it (Graph refuses it); the reason says why. */
  fixable: boolean;
  reason?: string;
}

export interface ConformanceReport {
  checkedAt: string;
  matches: boolean;
  /** Elements compared. */
  checked: number;
  differences: Difference[];
}

interface Member {
  userId?: string;
  roles?: string[];
}

/**
 * Reads the team back from Graph and compares every element the template asked for: group names and
 * visibility, settings, picture, roster, channels (type and own roster), apps, tabs (app and
 * configuration), folders and files (size), plans (labels, buckets, tasks with bucket, labels,
 * assignees, checklist), sensitivity label and welcome posts.
 */
export async function checkConformance(
  ctx: StepContext,
  options: { trellisApp: boolean },
): Promise<ConformanceReport> {
  const { spec, graph } = ctx;
  const teamId = ctx.teamId();
  const differences: Difference[] = [];
  let checked = 0;
  const expect = (
    ok: boolean,
    d: Omit<Difference, 'fixable' | 'forget'> & Partial<Pick<Difference, 'fixable' | 'forget'>>,
  ) => {
    checked++;
    if (!ok) differences.push({ fixable: true, forget: [], ...d });
  };

  const group = await graph.request<{
    displayName: string;
    description: string | null;
    visibility: string | null;
    assignedLabels?: { labelId: string }[];
  }>('GET', graphPath`/groups/${teamId}`, {
    ...STEP_CALL,
    query: {
      select: [
        'displayName',
        'description',
        'visibility',
        ...(spec.sensitivityLabelId ? ['assignedLabels'] : []),
      ],
    },
  });
  expect(group.displayName === spec.team.displayName, {
    path: 'team.displayName',
    kind: 'different',
    expected: spec.team.displayName,
    actual: group.displayName,
    step: 'create-group',
    fixable: false,
    reason: 'the group exists with another name',
  });
  expect((group.visibility ?? '').toLowerCase() === spec.team.visibility.toLowerCase(), {
    path: 'team.visibility',
    kind: 'different',
    expected: spec.team.visibility,
    actual: group.visibility,
    step: 'create-group',
    fixable: false,
    reason: 'visibility is set when the group is created',
  });

  const team = await graph.request<Record<string, Record<string, unknown> | undefined>>(
    'GET',
    graphPath`/teams/${teamId}`,
    STEP_CALL,
  );
  for (const section of TEAM_SETTING_SECTIONS) {
    for (const [key, value] of Object.entries(spec.team.settings[section] ?? {})) {
      const actual = team[section]?.[key];
      expect(actual === value, {
        path: `team.${section}.${key}`,
        kind: 'different',
        expected: value,
        actual,
        step: 'settings',
      });
    }
  }
  if (spec.team.picture) {
    let present = true;
    try {
      await graph.request('GET', `${graphPath`/teams/${teamId}`}/photo`, STEP_CALL);
    } catch (error) {
      if (!isNotFound(error)) throw error;
      present = false;
    }
    expect(present, {
      path: 'team.picture',
      kind: 'missing',
      expected: spec.team.picture,
      actual: null,
      step: 'settings',
      forget: ['picture'],
    });
  }

  const roster = await graph.all<Member>(graphPath`/teams/${teamId}/members`, undefined, STEP_CALL);
  const roles = new Map(roster.map((m) => [(m.userId ?? '').toLowerCase(), m.roles ?? []]));
  for (const id of spec.owners) {
    expect(roles.get(id)?.includes('owner') === true, {
      path: `members[${id}]`,
      kind: roles.has(id) ? 'different' : 'missing',
      expected: 'owner',
      actual: roles.get(id) ?? null,
      step: 'members',
    });
  }
  for (const id of spec.members) {
    expect(roles.has(id), {
      path: `members[${id}]`,
      kind: 'missing',
      expected: 'member',
      actual: null,
      step: 'members',
    });
  }

  const channels = await graph.all<{ id: string; displayName: string; membershipType?: string }>(
    graphPath`/teams/${teamId}/channels`,
    undefined,
    STEP_CALL,
  );
  const channelIds = new Map<string, string>();
  for (const c of spec.channels) {
    const found = c.general
      ? channels.find((x) => x.id === ctx.object(channelKey(c))?.graphId)
      : channels.find((x) => sameName(x.displayName, c.displayName));
    expect(found !== undefined, {
      path: `channels[${c.displayName}]`,
      kind: 'missing',
      expected: c.membershipType,
      actual: null,
      step: 'channels',
      forget: [channelKey(c)],
    });
    if (!found) continue;
    channelIds.set(c.key, found.id);
    expect((found.membershipType ?? 'standard') === c.membershipType, {
      path: `channels[${c.displayName}].membershipType`,
      kind: 'different',
      expected: c.membershipType,
      actual: found.membershipType,
      step: 'channels',
      fixable: false,
      reason: 'a channel keeps the membership type it was created with',
    });
    if (c.membershipType !== 'standard') await checkChannelRoster(ctx, teamId, found.id, c, expect);
  }

  const installed = await graph.all<{ teamsApp?: { id: string } }>(
    graphPath`/teams/${teamId}/installedApps`,
    { expand: ['teamsApp'] },
    STEP_CALL,
  );
  const appIds = new Set(installed.map((i) => i.teamsApp?.id));
  const trellisApp = options.trellisApp ? (ctx.object('app:trellis')?.graphId ?? null) : null;
  for (const id of appsOf(spec, trellisApp)) {
    expect(appIds.has(id), {
      path: `apps[${id}]`,
      kind: 'missing',
      expected: id,
      actual: null,
      step: 'apps',
      forget: [`app:${id}`],
    });
  }

  for (const c of spec.channels) {
    const channelId = channelIds.get(c.key);
    if (!channelId) continue;
    if (c.tabs.length > 0) await checkTabs(ctx, teamId, channelId, c, expect);
    if (c.folders.length > 0 || c.files.length > 0) await checkFiles(ctx, c, expect);
  }

  await checkPlans(ctx, spec, expect);

  if (spec.sensitivityLabelId) {
    const applied = (group.assignedLabels ?? []).some((l) => l.labelId === spec.sensitivityLabelId);
    const recorded = ctx.object('label');
    const refused = recorded?.data?.applied === false;
    expect(applied, {
      path: 'sensitivityLabel',
      kind: 'not_applied',
      expected: spec.sensitivityLabelId,
      actual: (group.assignedLabels ?? []).map((l) => l.labelId),
      step: 'sensitivity-label',
      fixable: !refused,
      forget: refused ? [] : ['label'],
      ...(refused ? { reason: String(recorded?.data?.reason) } : {}),
    });
  }
  for (const post of spec.welcomePosts) {
    expect(ctx.object(`welcome:${post.channel}`) !== undefined, {
      path: `welcomePosts[${post.channel}]`,
      kind: 'missing',
      expected: 'posted',
      actual: null,
      step: 'welcome',
      ...(options.trellisApp
        ? {}
        : { fixable: false, reason: 'the Trellis app is not configured for this deployment' }),
    });
  }

  return { checkedAt: new Date().toISOString(), matches: differences.length === 0, checked, differences };
}

type Expect = (
  ok: boolean,
  d: Omit<Difference, 'fixable' | 'forget'> & Partial<Pick<Difference, 'fixable' | 'forget'>>,
) => void;

async function checkChannelRoster(
  ctx: StepContext,
  teamId: string,
  channelId: string,
  c: SpecChannel,
  expect: Expect,
) {
  const members = await ctx.graph.all<Member>(
    channelPath(teamId, channelId, '/members'),
    undefined,
    STEP_CALL,
  );
  const roles = new Map(members.map((m) => [(m.userId ?? '').toLowerCase(), m.roles ?? []]));
  for (const id of c.owners) {
    expect(roles.get(id)?.includes('owner') === true, {
      path: `channels[${c.displayName}].owners[${id}]`,
      kind: 'missing',
      expected: 'owner',
      actual: roles.get(id) ?? null,
      step: 'channels',
    });
  }
  for (const id of c.members) {
    expect(roles.has(id), {
      path: `channels[${c.displayName}].members[${id}]`,
      kind: 'missing',
      expected: 'member',
      actual: null,
      step: 'channels',
    });
  }
}

async function checkTabs(
  ctx: StepContext,
  teamId: string,
  channelId: string,
  c: SpecChannel,
  expect: Expect,
) {
  const tabs = await ctx.graph.all<{
    displayName: string;
    teamsApp?: { id: string };
    configuration?: Record<string, string | null>;
  }>(channelPath(teamId, channelId, '/tabs'), { expand: ['teamsApp'] }, STEP_CALL);
  for (const tab of c.tabs) {
    const path = `channels[${c.displayName}].tabs[${tab.displayName}]`;
    const found = tabs.find(
      (t) => sameName(t.displayName, tab.displayName) && t.teamsApp?.id === tab.teamsAppId,
    );
    expect(found !== undefined, {
      path,
      kind: 'missing',
      expected: tab.teamsAppId,
      actual: null,
      step: 'tabs',
      forget: [tabKey(c, tab.displayName)],
    });
    if (!found) continue;
    if (tab.teamsAppId === PLANNER_APP && tab.plan) {
      const planId = ctx.object(planKey({ title: tab.plan }))?.graphId;
      expect(!!planId && (found.configuration?.entityId ?? '').includes(planId), {
        path: `${path}.configuration.entityId`,
        kind: 'different',
        expected: `plan ${tab.plan}`,
        actual: found.configuration?.entityId ?? null,
        step: 'tabs',
        fixable: false,
        reason: 'a tab is not reconfigured in place',
      });
    } else {
      for (const [key, value] of Object.entries(tab.configuration ?? {})) {
        expect(found.configuration?.[key] === value, {
          path: `${path}.configuration.${key}`,
          kind: 'different',
          expected: value,
          actual: found.configuration?.[key] ?? null,
          step: 'tabs',
          fixable: false,
          reason: 'a tab is not reconfigured in place',
        });
      }
    }
  }
}

async function checkFiles(ctx: StepContext, c: SpecChannel, expect: Expect) {
  const folder = ctx.object(`folder:${c.key}`);
  const driveId = folder?.data?.driveId;
  if (!folder || typeof driveId !== 'string') {
    expect(false, {
      path: `channels[${c.displayName}].files`,
      kind: 'missing',
      expected: 'the channel folder',
      actual: null,
      step: 'files',
      forget: [`folder:${c.key}`],
    });
    return;
  }
  const at = async (path: string) => {
    try {
      const encoded = path.split('/').map(encodeURIComponent).join('/');
      return await ctx.graph.request<{ size?: number; folder?: unknown; file?: unknown }>(
        'GET',
        `${graphPath`/drives/${driveId}/items/${folder.graphId}`}:/${encoded}:`,
        STEP_CALL,
      );
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  };
  for (const f of c.folders) {
    const item = await at(f);
    const segments = f.split('/').filter(Boolean);
    expect(item?.folder !== undefined, {
      path: `channels[${c.displayName}].folders[${f}]`,
      kind: 'missing',
      expected: 'folder',
      actual: item ? 'file' : null,
      step: 'files',
      forget: segments.map((_, i) => `folder:${c.key}/${segments.slice(0, i + 1).join('/')}`),
    });
  }
  for (const f of c.files) {
    const item = await at(f.path);
    const size = ctx.object(`file:${c.key}/${f.path}`)?.data?.size;
    expect(item !== undefined && (size === undefined || item.size === size), {
      path: `channels[${c.displayName}].files[${f.path}]`,
      kind: item ? 'different' : 'missing',
      expected: size ?? f.asset,
      actual: item?.size ?? null,
      step: 'files',
      forget: [`file:${c.key}/${f.path}`],
    });
  }
}

async function checkPlans(ctx: StepContext, spec: ProvisioningSpec, expect: Expect) {
  if (spec.plans.length === 0) return;
  const plans = await ctx.graph.all<{ id: string; title: string }>(
    graphPath`/groups/${ctx.teamId()}/planner/plans`,
    undefined,
    STEP_CALL,
  );
  for (const plan of spec.plans) {
    const found = plans.find((p) => sameName(p.title, plan.title));
    expect(found !== undefined, {
      path: `plans[${plan.title}]`,
      kind: 'missing',
      expected: plan.title,
      actual: null,
      step: 'planner',
      forget: [planKey(plan)],
    });
    if (!found) continue;
    const details = await ctx.graph.request<{ categoryDescriptions?: Record<string, string | null> }>(
      'GET',
      graphPath`/planner/plans/${found.id}/details`,
      STEP_CALL,
    );
    for (const [category, name] of Object.entries(plan.labels)) {
      expect(details.categoryDescriptions?.[category] === name, {
        path: `plans[${plan.title}].labels.${category}`,
        kind: 'different',
        expected: name,
        actual: details.categoryDescriptions?.[category] ?? null,
        step: 'planner',
      });
    }
    const buckets = await ctx.graph.all<{ id: string; name: string; orderHint?: string }>(
      graphPath`/planner/plans/${found.id}/buckets`,
      undefined,
      STEP_CALL,
    );
    const bucketIds = new Map<string, string>();
    for (const b of plan.buckets) {
      const bucket = buckets.find((x) => sameName(x.name, b));
      expect(bucket !== undefined, {
        path: `plans[${plan.title}].buckets[${b}]`,
        kind: 'missing',
        expected: b,
        actual: null,
        step: 'planner',
        forget: [`bucket:${plan.title}/${b}`],
      });
      if (bucket) bucketIds.set(b, bucket.id);
    }
    const tasks = await ctx.graph.all<{
      id: string;
      title: string;
      bucketId: string | null;
      appliedCategories?: Record<string, boolean>;
      assignments?: Record<string, unknown>;
    }>(graphPath`/planner/plans/${found.id}/tasks`, undefined, STEP_CALL);
    for (const [index, task] of plan.tasks.entries()) {
      const path = `plans[${plan.title}].tasks[${task.title}]`;
      const occurrence = plan.tasks.slice(0, index).filter((t) => t.title === task.title).length;
      const t = tasks.filter((x) => x.title === task.title)[occurrence];
      expect(t !== undefined, {
        path,
        kind: 'missing',
        expected: task.title,
        actual: null,
        step: 'planner',
        forget: [`task:${plan.title}/${index}`],
      });
      if (!t) continue;
      if (task.bucket)
        expect(t.bucketId === bucketIds.get(task.bucket), {
          path: `${path}.bucket`,
          kind: 'different',
          expected: task.bucket,
          actual: t.bucketId,
          step: 'planner',
          fixable: false,
          reason: 'tasks are not moved between buckets',
        });
      for (const label of task.labels)
        expect(t.appliedCategories?.[label] === true, {
          path: `${path}.labels.${label}`,
          kind: 'missing',
          expected: true,
          actual: false,
          step: 'planner',
          fixable: false,
          reason: 'labels are set when the task is created',
        });
      for (const a of task.assignees)
        expect(
          Object.keys(t.assignments ?? {}).some((k) => k.toLowerCase() === a),
          {
            path: `${path}.assignees[${a}]`,
            kind: 'missing',
            expected: a,
            actual: null,
            step: 'planner',
            fixable: false,
            reason: 'assignments are set when the task is created',
          },
        );
      const checklist = checklistOf(ctx.runId, plan, index);
      if (checklist.length > 0 || task.notes) {
        const d = await ctx.graph.request<{
          description?: string;
          checklist?: Record<string, { title: string }>;
        }>('GET', graphPath`/planner/tasks/${t.id}/details`, STEP_CALL);
        for (const item of checklist)
          expect(d.checklist?.[item.key]?.title === item.title, {
            path: `${path}.checklist[${item.title}]`,
            kind: 'missing',
            expected: item.title,
            actual: null,
            step: 'planner',
          });
        if (task.notes)
          expect(d.description === task.notes, {
            path: `${path}.notes`,
            kind: 'different',
            expected: task.notes,
            actual: d.description ?? null,
            step: 'planner',
          });
      }
    }
  }
}
