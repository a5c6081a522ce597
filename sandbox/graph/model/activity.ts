import type { TenantState } from '../../state/types.ts';
import type { ActivityRecord, GraphState } from '../state.ts';
import { findGroup } from './directory.ts';
import { isTeamReady, teamVisibility } from './teams.ts';

/** The periods getTeamsTeamActivityDetail accepts. */
export const PERIODS = { D7: 7, D30: 30, D90: 90, D180: 180 } as const;
export type Period = keyof typeof PERIODS;

/** One team's row of the Teams team activity detail report. */
export interface TeamActivityRow {
  reportRefreshDate: string;
  teamName: string;
  teamId: string;
  teamType: string;
  lastActivityDate: string | null;
  reportPeriod: number;
  activeUsers: number;
  activeChannels: number;
  guests: number;
  reactions: number;
  meetingsOrganized: number;
  postMessages: number;
  replyMessages: number;
  channelMessages: number;
  urgentMessages: number;
  mentions: number;
  activeSharedChannels: number;
  activeExternalUsers: number;
}

const day = (d: Date) => d.toISOString().slice(0, 10);

/**
 * Aggregates the seeded activity per team over the period ending at the refresh date (reports lag a
 * day, as Microsoft 365's do); `lastActivityDate` is the last active day whatever the period.
 */
export function teamActivityRows(
  tenant: TenantState,
  graph: GraphState,
  period: Period,
  now: Date,
): TeamActivityRow[] {
  const refresh = new Date(now.getTime() - 86_400_000);
  const from = day(new Date(refresh.getTime() - (PERIODS[period] - 1) * 86_400_000));
  const to = day(refresh);
  const rows: TeamActivityRow[] = [];
  for (const team of graph.teams) {
    const group = findGroup(tenant, team.id);
    if (!group || !isTeamReady(team, now)) continue;
    const all = graph.activity.filter((a) => a.teamId === team.id && a.date <= to);
    const inPeriod = all.filter((a) => a.date >= from);
    const sum = (key: keyof ActivityRecord) => inPeriod.reduce((n, a) => n + Number(a[key]), 0);
    const max = (key: keyof ActivityRecord) => inPeriod.reduce((n, a) => Math.max(n, Number(a[key])), 0);
    const last = all.reduce<string | null>(
      (latest, a) => (latest === null || a.date > latest ? a.date : latest),
      null,
    );
    rows.push({
      reportRefreshDate: to,
      teamName: group.displayName,
      teamId: team.id,
      teamType: teamVisibility(group) === 'public' ? 'Public' : 'Private',
      lastActivityDate: last,
      reportPeriod: PERIODS[period],
      activeUsers: max('activeUsers'),
      activeChannels: max('activeChannels'),
      guests: max('guests'),
      reactions: sum('reactions'),
      meetingsOrganized: sum('meetingsOrganized'),
      postMessages: sum('postMessages'),
      replyMessages: sum('replyMessages'),
      channelMessages: sum('postMessages') + sum('replyMessages'),
      urgentMessages: sum('urgentMessages'),
      mentions: sum('mentions'),
      activeSharedChannels: max('activeSharedChannels'),
      activeExternalUsers: max('activeExternalUsers'),
    });
  }
  return rows;
}

const CSV_COLUMNS: [string, keyof TeamActivityRow][] = [
  ['Report Refresh Date', 'reportRefreshDate'],
  ['Team Name', 'teamName'],
  ['Team Id', 'teamId'],
  ['Team Type', 'teamType'],
  ['Last Activity Date', 'lastActivityDate'],
  ['Report Period', 'reportPeriod'],
  ['Active Users', 'activeUsers'],
  ['Active Channels', 'activeChannels'],
  ['Guests', 'guests'],
  ['Reactions', 'reactions'],
  ['Meetings Organized', 'meetingsOrganized'],
  ['Post Messages', 'postMessages'],
  ['Reply Messages', 'replyMessages'],
  ['Channel Messages', 'channelMessages'],
  ['Urgent Messages', 'urgentMessages'],
  ['Mentions', 'mentions'],
  ['Active Shared Channels', 'activeSharedChannels'],
  ['Active External Users', 'activeExternalUsers'],
];

function csvField(value: unknown): string {
  const text = value === null || value === undefined ? '' : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The report as Microsoft 365 serves it: UTF-8 with a byte-order mark, the documented column names. */
export function teamActivityCsv(rows: readonly TeamActivityRow[]): string {
  const lines = [CSV_COLUMNS.map(([name]) => name).join(',')];
  for (const row of rows) lines.push(CSV_COLUMNS.map(([, key]) => csvField(row[key])).join(','));
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

/** The JSON form (`$format=application/json`): per team, with the counts under `details`. */
export function teamActivityJson(rows: readonly TeamActivityRow[]): Record<string, unknown>[] {
  return rows.map((r) => ({
    reportRefreshDate: r.reportRefreshDate,
    teamName: r.teamName,
    teamId: r.teamId,
    teamType: r.teamType,
    lastActivityDate: r.lastActivityDate,
    details: [
      {
        reportPeriod: r.reportPeriod,
        activeUsers: r.activeUsers,
        activeChannels: r.activeChannels,
        guests: r.guests,
        reactions: r.reactions,
        meetingsOrganized: r.meetingsOrganized,
        postMessages: r.postMessages,
        replyMessages: r.replyMessages,
        channelMessages: r.channelMessages,
        urgentMessages: r.urgentMessages,
        mentions: r.mentions,
        activeSharedChannels: r.activeSharedChannels,
        activeExternalUsers: r.activeExternalUsers,
      },
    ],
  }));
}
