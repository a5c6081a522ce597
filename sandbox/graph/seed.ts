import type { DirectoryGroup, DirectoryUser, TenantState } from '../state/types.ts';
import { guid, type Ids, stableIds } from './http/ids.ts';
import { BUILT_IN_APPS, ensureCatalog, trellisManifestId } from './model/catalog.ts';
import { ensureFolderPath, requireItem, uploadFile } from './model/drive.ts';
import { createBucket, createPlan, createTask, patchTaskDetails } from './model/planner.ts';
import { addChannel, addTab, createTeamRecord, installApp } from './model/teams.ts';
import { type ActivityRecord, type GraphState, graphOf, type TeamRecord } from './state.ts';

/** The team worth cloning: every kind of channel, configured tabs, files, a plan with labels and checklists. */
export const PLAYBOOK_TEAM_NAME = 'Contoso Launch Playbook';
/** The team nobody used for 200 days (lifecycle policies act on it). */
export const STALE_TEAM_NAME = 'Project Falcon';

type ActivityLevel = 'busy' | 'steady' | 'quiet' | 'stale';

interface TeamSpec {
  displayName: string;
  mailNickname: string;
  description: string;
  visibility: 'Public' | 'Private';
  activity: ActivityLevel;
  channels: string[];
  ageDays: number;
}

const TEAMS: TeamSpec[] = [
  {
    displayName: 'Marketing',
    mailNickname: 'Marketing',
    description: 'Campaigns, brand and events.',
    visibility: 'Public',
    activity: 'busy',
    channels: ['Campaigns', 'Events'],
    ageDays: 720,
  },
  {
    displayName: 'Engineering',
    mailNickname: 'Engineering',
    description: 'Product engineering: releases, incidents, architecture.',
    visibility: 'Private',
    activity: 'busy',
    channels: ['Releases', 'Incidents'],
    ageDays: 650,
  },
  {
    displayName: 'Sales EMEA',
    mailNickname: 'SalesEMEA',
    description: 'Pipeline and deals in Europe, the Middle East and Africa.',
    visibility: 'Private',
    activity: 'steady',
    channels: ['Pipeline'],
    ageDays: 500,
  },
  {
    displayName: 'HR Connect',
    mailNickname: 'HRConnect',
    description: 'Questions and answers about benefits, leave and policies.',
    visibility: 'Public',
    activity: 'quiet',
    channels: ['Benefits'],
    ageDays: 400,
  },
  {
    displayName: STALE_TEAM_NAME,
    mailNickname: 'ProjectFalcon',
    description: 'Falcon migration project (finished).',
    visibility: 'Private',
    activity: 'stale',
    channels: ['Migration'],
    ageDays: 540,
  },
];

const DAY = 86_400_000;

function daysAgo(now: Date, days: number): Date {
  return new Date(now.getTime() - days * DAY);
}

/** A group of the directory by name, or a new Microsoft 365 group (owners and members picked by index). */
function groupFor(
  tenant: TenantState,
  spec: { displayName: string; mailNickname: string; description: string; visibility: 'Public' | 'Private' },
  people: { owners: DirectoryUser[]; members: DirectoryUser[] },
  created: Date,
  ids: Ids,
): DirectoryGroup {
  const existing = tenant.directory.groups.find(
    (g) => g.displayName.toLowerCase() === spec.displayName.toLowerCase(),
  );
  if (existing) {
    if (existing.ownerIds.length === 0) existing.ownerIds.push(...people.owners.map((u) => u.id));
    if (existing.memberIds.length === 0) existing.memberIds.push(...people.members.map((u) => u.id));
    return existing;
  }
  let nickname = spec.mailNickname;
  for (
    let n = 2;
    tenant.directory.groups.some((g) => g.mailNickname.toLowerCase() === nickname.toLowerCase());
    n++
  ) {
    nickname = `${spec.mailNickname}${n}`;
  }
  const group: DirectoryGroup = {
    id: guid(ids),
    displayName: spec.displayName,
    mailNickname: nickname,
    mail: `${nickname}@${tenant.domain}`,
    description: spec.description,
    visibility: spec.visibility,
    groupTypes: ['Unified'],
    mailEnabled: true,
    securityEnabled: false,
    resourceProvisioningOptions: [],
    ownerIds: [...new Set(people.owners.map((u) => u.id))],
    memberIds: [...new Set([...people.owners, ...people.members].map((u) => u.id))],
    createdDateTime: created.toISOString(),
    replicatedAt: created.toISOString(),
  };
  tenant.directory.groups.push(group);
  return group;
}

function teamOf(
  tenant: TenantState,
  graph: GraphState,
  group: DirectoryGroup,
  created: Date,
  ids: Ids,
): TeamRecord {
  const existing = graph.teams.find((t) => t.id === group.id);
  return existing ?? createTeamRecord(tenant, graph, group, { readyAt: created, ids, now: created });
}

/** Deterministic activity: `level` decides how often and how much, `ids` supplies the dice. */
function seedActivity(graph: GraphState, teamId: string, level: ActivityLevel, now: Date, ids: Ids): void {
  const plan = {
    busy: { from: 200, to: 1, every: 1, volume: 30 },
    steady: { from: 200, to: 3, every: 3, volume: 12 },
    quiet: { from: 200, to: 40, every: 9, volume: 4 },
    stale: { from: 420, to: 200, every: 7, volume: 6 },
  }[level];
  for (let d = plan.to; d <= plan.from; d += plan.every) {
    const dice = ids.bytes(6);
    const roll = (i: number, max: number) => (dice[i] ?? 0) % (max + 1);
    // The last active day is exact (`to`); earlier days skip now and then.
    if (d !== plan.to && roll(0, 9) === 0) continue;
    const posts = 1 + roll(1, plan.volume);
    const record: ActivityRecord = {
      teamId,
      date: daysAgo(now, d).toISOString().slice(0, 10),
      activeUsers: 1 + roll(2, Math.max(1, Math.round(plan.volume / 3))),
      activeChannels: 1 + roll(3, 2),
      guests: 0,
      reactions: roll(4, plan.volume * 2),
      meetingsOrganized: roll(5, 2),
      postMessages: posts,
      replyMessages: Math.round(posts * 1.5),
      urgentMessages: 0,
      mentions: Math.round(posts / 4),
      activeSharedChannels: 0,
      activeExternalUsers: 0,
    };
    graph.activity.push(record);
  }
}

function text(lines: string[]): Buffer {
  return Buffer.from(`${lines.join('\n')}\n`, 'utf8');
}

function seedPlaybook(
  tenant: TenantState,
  graph: GraphState,
  people: DirectoryUser[],
  guests: DirectoryUser[],
  now: Date,
  ids: Ids,
): void {
  const created = daysAgo(now, 300);
  const owners = people.slice(0, 2);
  const members = [...people.slice(2, 7), ...guests.slice(0, 1)];
  const group = groupFor(
    tenant,
    {
      displayName: PLAYBOOK_TEAM_NAME,
      mailNickname: 'LaunchPlaybook',
      description: 'How Contoso launches a product: channels, tabs, files and a plan ready to clone.',
      visibility: 'Private',
    },
    { owners, members },
    created,
    ids,
  );
  const team = teamOf(tenant, graph, group, created, ids);
  for (const app of [
    BUILT_IN_APPS.planner,
    BUILT_IN_APPS.website,
    BUILT_IN_APPS.oneNote,
    BUILT_IN_APPS.forms,
  ]) {
    if (!graph.installedApps.some((i) => i.teamId === team.id && i.teamsAppId === app)) {
      installApp(tenant, graph, team.id, app, ids, created);
    }
  }
  const trellis = graph.catalog.find((a) => a.externalId === trellisManifestId());
  if (trellis) installApp(tenant, graph, team.id, trellis.id, ids, created);

  const channel = (
    displayName: string,
    membershipType: 'standard' | 'private' | 'shared',
    roster: { userId: string; roles: string[] }[] = [],
  ) =>
    addChannel(
      tenant,
      graph,
      team,
      group,
      {
        displayName,
        description: null,
        membershipType,
        isFavoriteByDefault: displayName === 'Announcements',
        members: roster,
      },
      ids,
      created,
    );
  const owner = owners[0];
  const announcements = channel('Announcements', 'standard');
  const planning = channel('Launch Planning', 'standard');
  const leadership = channel('Leadership', 'private', [
    ...(owner ? [{ userId: owner.id, roles: ['owner'] }] : []),
    ...people.slice(2, 4).map((u) => ({ userId: u.id, roles: [] as string[] })),
  ]);
  channel('Partner Hub', 'shared', owner ? [{ userId: owner.id, roles: ['owner'] }] : []);

  const plan = createPlan(graph, group.id, 'Launch Plan', { kind: 'application', id: 'seed' }, ids, created);
  Object.assign(plan.details.categoryDescriptions, {
    category1: 'Marketing',
    category2: 'Engineering',
    category3: 'Legal',
    category4: 'Customer-facing',
    category5: 'Blocked',
    category6: 'Quick win',
  });
  plan.details.version++;
  const backlog = createBucket(graph, plan, 'Backlog', ids);
  const doing = createBucket(graph, plan, 'In progress', ids);
  const done = createBucket(graph, plan, 'Done', ids);
  const by = { kind: 'application' as const, id: 'seed' };
  const tasks: {
    title: string;
    bucket: typeof backlog;
    categories: string[];
    percent: number;
    checklist: [string, boolean][];
  }[] = [
    {
      title: 'Draft the press release',
      bucket: backlog,
      categories: ['category1', 'category4'],
      percent: 0,
      checklist: [
        ['Outline the key messages', false],
        ['Legal review', false],
        ['Final sign-off', false],
      ],
    },
    {
      title: 'Build the launch landing page',
      bucket: doing,
      categories: ['category1', 'category2'],
      percent: 50,
      checklist: [
        ['Wireframes', true],
        ['Copy', false],
        ['Analytics tags', false],
      ],
    },
    {
      title: 'Security review',
      bucket: doing,
      categories: ['category2', 'category3'],
      percent: 50,
      checklist: [
        ['Threat model', true],
        ['Penetration test', false],
      ],
    },
    { title: 'Partner briefing pack', bucket: backlog, categories: ['category4'], percent: 0, checklist: [] },
    {
      title: 'Kick-off meeting',
      bucket: done,
      categories: ['category6'],
      percent: 100,
      checklist: [['Book the room', true]],
    },
  ];
  tasks.forEach((t, i) => {
    const assignee = people[i % Math.max(1, people.length)];
    const task = createTask(
      graph,
      plan,
      {
        title: t.title,
        bucketId: t.bucket.id,
        appliedCategories: Object.fromEntries(t.categories.map((c) => [c, true])),
        percentComplete: t.percent,
        priority: 5,
        startDateTime: null,
        dueDateTime: daysAgo(now, -14 - i * 7).toISOString(),
        assigneeIds: assignee ? [assignee.id] : [],
      },
      by,
      ids,
      created,
    );
    if (t.checklist.length > 0) {
      patchTaskDetails(
        task,
        {
          description: `${t.title}: see the Launch Planning channel.`,
          checklist: Object.fromEntries(
            t.checklist.map(([title, isChecked]) => [guid(ids), { title, isChecked }]),
          ),
        },
        by,
        created,
      );
    }
  });

  const website = {
    entityId: null,
    contentUrl: 'https://www.contoso.com/launch',
    websiteUrl: 'https://www.contoso.com/launch',
    removeUrl: null,
  };
  addTab(
    tenant,
    graph,
    announcements,
    { displayName: 'Launch site', teamsAppId: BUILT_IN_APPS.website, configuration: website },
    ids,
    created,
  );
  const plannerUrl = `https://tasks.office.com/${tenant.domain}/Home/PlannerFrame?page=7&planId=${plan.id}`;
  addTab(
    tenant,
    graph,
    planning,
    {
      displayName: 'Launch Plan',
      teamsAppId: BUILT_IN_APPS.planner,
      configuration: {
        entityId: plan.id,
        contentUrl: plannerUrl,
        websiteUrl: plannerUrl,
        removeUrl: plannerUrl,
      },
    },
    ids,
    created,
  );

  const teamDrive = graph.drives.find((d) => d.groupId === group.id && d.channelId === null);
  const file = (driveId: string, folderId: string, path: string, content: Buffer) => {
    const drive = graph.drives.find((d) => d.id === driveId);
    if (!drive) return;
    const folder = requireItem(graph, drive, folderId);
    const segments = path.split('/');
    const name = segments.pop() ?? path;
    const parent = ensureFolderPath(graph, folder, segments.join('/'), by, ids, created);
    uploadFile(graph, parent, name, content, 'replace', by, ids, created);
  };
  const general = graph.channels.find((c) => c.id === team.internalId);
  if (general) {
    file(
      general.driveId,
      general.folderId,
      'Welcome.txt',
      text([`Welcome to ${PLAYBOOK_TEAM_NAME}.`, 'Start with the Launch Planning channel.']),
    );
    file(
      general.driveId,
      general.folderId,
      'Templates/Press release template.txt',
      text(['HEADLINE', '', 'City, date: first paragraph.', '', 'About Contoso']),
    );
  }
  file(
    planning.driveId,
    planning.folderId,
    'Launch timeline.md',
    text(['# Launch timeline', '', '- T-30: announce internally', '- T-7: press briefing', '- T: go live']),
  );
  file(
    planning.driveId,
    planning.folderId,
    'Checklists/Go-live checklist.txt',
    text(['[ ] DNS', '[ ] Monitoring', '[ ] Support rota']),
  );
  file(
    leadership.driveId,
    leadership.folderId,
    'Budget notes.txt',
    text(['Launch budget: draft, leadership only.']),
  );
  if (teamDrive) {
    const root = requireItem(graph, teamDrive, 'root');
    const brand = ensureFolderPath(graph, root, 'Brand assets', by, ids, created);
    uploadFile(
      graph,
      brand,
      'Brand guidelines.txt',
      text(['Logo clear space: one O.', 'Primary colour: Contoso blue.']),
      'replace',
      by,
      ids,
      created,
    );
  }
  seedActivity(graph, team.id, 'busy', now, ids);
}

/**
 * Seeds a tenant's teams, channels, tabs, files and plans (the Contoso demo) from whatever the directory
 * holds: owners and members are picked by index, so an empty directory gives teams without members.
 * Groups the directory already marks as teams get their team; ids are stable for a tenant.
 */
export function seedGraph(tenant: TenantState, now = new Date()): void {
  const graph = graphOf(tenant);
  const ids = stableIds(`${tenant.id}:graph-seed`);
  ensureCatalog(graph, ids, now);
  const enabled = tenant.directory.users.filter((u) => u.accountEnabled);
  const people = enabled.filter((u) => u.userType === 'Member');
  const guests = enabled.filter((u) => u.userType === 'Guest');

  for (const group of tenant.directory.groups) {
    if (group.resourceProvisioningOptions.includes('Team') && !graph.teams.some((t) => t.id === group.id)) {
      const created = new Date(Math.min(Date.parse(group.createdDateTime) || now.getTime(), now.getTime()));
      teamOf(tenant, graph, group, created, ids);
      seedActivity(graph, group.id, 'steady', now, ids);
    }
  }

  seedPlaybook(tenant, graph, people, guests, now, ids);

  TEAMS.forEach((spec, i) => {
    const created = daysAgo(now, spec.ageDays);
    const at = (k: number) => (people.length > 0 ? people[(i * 3 + k) % people.length] : undefined);
    const owners = [at(0)].filter((u): u is DirectoryUser => u !== undefined);
    const members = [at(1), at(2), at(3), at(4)].filter((u): u is DirectoryUser => u !== undefined);
    const group = groupFor(tenant, spec, { owners, members }, created, ids);
    const team = teamOf(tenant, graph, group, created, ids);
    for (const name of spec.channels) {
      if (graph.channels.some((c) => c.teamId === team.id && c.displayName === name)) continue;
      addChannel(
        tenant,
        graph,
        team,
        group,
        {
          displayName: name,
          description: null,
          membershipType: 'standard',
          isFavoriteByDefault: false,
          members: [],
        },
        ids,
        created,
      );
    }
    seedActivity(graph, team.id, spec.activity, now, ids);
  });
}
