import type { RoutePermissions } from './route.ts';

/**
 * Which Graph permissions grant each family of operations, from the permission tables of Graph's
 * API reference (least privileged first; `Directory.*` kept where Graph still accepts it).
 */
const p = (application: string[], delegated: string[] = application): RoutePermissions => ({
  application,
  delegated,
});

const DIR_READ = ['Directory.Read.All', 'Directory.ReadWrite.All'];
const DIR_WRITE = ['Directory.ReadWrite.All'];

export const PERMISSIONS = {
  usersRead: p(
    ['User.Read.All', 'User.ReadWrite.All', 'User.ReadBasic.All', ...DIR_READ],
    ['User.ReadBasic.All', 'User.Read.All', 'User.ReadWrite.All', ...DIR_READ],
  ),
  me: p(
    [],
    ['User.Read', 'User.ReadWrite', 'User.ReadBasic.All', 'User.Read.All', 'User.ReadWrite.All', ...DIR_READ],
  ),
  groupsRead: p(['GroupMember.Read.All', 'Group.Read.All', 'Group.ReadWrite.All', ...DIR_READ]),
  groupsCreate: p(['Group.Create', 'Group.ReadWrite.All', ...DIR_WRITE]),
  groupsWrite: p(['Group.ReadWrite.All', ...DIR_WRITE]),
  groupMembersWrite: p(['GroupMember.ReadWrite.All', 'Group.ReadWrite.All', ...DIR_WRITE]),
  teamCreate: p(['Team.Create', 'Teamwork.Migrate.All', 'Group.ReadWrite.All', ...DIR_WRITE]),
  teamFromGroup: p(['Team.Create', 'TeamSettings.ReadWrite.All', 'Group.ReadWrite.All', ...DIR_WRITE]),
  teamRead: p([
    'Team.ReadBasic.All',
    'TeamSettings.Read.All',
    'TeamSettings.ReadWrite.All',
    'Group.Read.All',
    'Group.ReadWrite.All',
    ...DIR_READ,
  ]),
  teamWrite: p(['TeamSettings.ReadWrite.All', 'Group.ReadWrite.All', ...DIR_WRITE]),
  channelsRead: p([
    'Channel.ReadBasic.All',
    'ChannelSettings.Read.All',
    'ChannelSettings.ReadWrite.All',
    'Group.Read.All',
    'Group.ReadWrite.All',
    ...DIR_READ,
  ]),
  channelCreate: p(['Channel.Create', 'Teamwork.Migrate.All', 'Group.ReadWrite.All', ...DIR_WRITE]),
  channelMembersRead: p([
    'ChannelMember.Read.All',
    'ChannelMember.ReadWrite.All',
    'Group.Read.All',
    'Group.ReadWrite.All',
  ]),
  channelMembersWrite: p(['ChannelMember.ReadWrite.All', 'Group.ReadWrite.All']),
  channelMessagesRead: p(
    ['ChannelMessage.Read.All', 'Group.Read.All', 'Group.ReadWrite.All'],
    ['ChannelMessage.Read.All', 'ChannelMessage.ReadWrite', 'Group.Read.All', 'Group.ReadWrite.All'],
  ),
  filesFolder: p(['Files.Read.All', 'Files.ReadWrite.All', 'Group.Read.All', 'Group.ReadWrite.All']),
  tabsRead: p([
    'TeamsTab.Read.All',
    'TeamsTab.ReadWriteForTeam.All',
    'TeamsTab.ReadWriteSelfForTeam.All',
    'TeamsTab.ReadWrite.All',
    'TeamsTab.Create',
    'Group.Read.All',
    'Group.ReadWrite.All',
    ...DIR_READ,
  ]),
  tabsWrite: p([
    'TeamsTab.Create',
    'TeamsTab.ReadWriteForTeam.All',
    'TeamsTab.ReadWriteSelfForTeam.All',
    'TeamsTab.ReadWrite.All',
    'Group.ReadWrite.All',
    ...DIR_WRITE,
  ]),
  installedAppsRead: p([
    'TeamsAppInstallation.ReadForTeam.All',
    'TeamsAppInstallation.ReadWriteForTeam.All',
    'TeamsAppInstallation.ReadWriteSelfForTeam.All',
    'Group.Read.All',
    'Group.ReadWrite.All',
    ...DIR_READ,
  ]),
  installedAppsWrite: p([
    'TeamsAppInstallation.ReadWriteForTeam.All',
    'TeamsAppInstallation.ReadWriteSelfForTeam.All',
    'Group.ReadWrite.All',
    ...DIR_WRITE,
  ]),
  teamMembersRead: p([
    'TeamMember.Read.All',
    'TeamMember.ReadWrite.All',
    'Group.Read.All',
    'Group.ReadWrite.All',
    ...DIR_READ,
  ]),
  teamMembersWrite: p(['TeamMember.ReadWrite.All', 'Group.ReadWrite.All', ...DIR_WRITE]),
  filesRead: p(
    ['Files.Read.All', 'Files.ReadWrite.All', 'Sites.Read.All', 'Sites.ReadWrite.All'],
    [
      'Files.Read',
      'Files.Read.All',
      'Files.ReadWrite',
      'Files.ReadWrite.All',
      'Sites.Read.All',
      'Sites.ReadWrite.All',
    ],
  ),
  filesWrite: p(
    ['Files.ReadWrite.All', 'Sites.ReadWrite.All'],
    ['Files.ReadWrite', 'Files.ReadWrite.All', 'Sites.ReadWrite.All'],
  ),
  plannerRead: p(
    ['Tasks.Read.All', 'Tasks.ReadWrite.All', 'Group.Read.All', 'Group.ReadWrite.All'],
    ['Tasks.Read', 'Tasks.ReadWrite', 'Group.Read.All', 'Group.ReadWrite.All'],
  ),
  plannerWrite: p(['Tasks.ReadWrite.All', 'Group.ReadWrite.All'], ['Tasks.ReadWrite', 'Group.ReadWrite.All']),
  appCatalogRead: p(['AppCatalog.Read.All', 'AppCatalog.ReadWrite.All', 'AppCatalog.Submit', ...DIR_READ]),
  reports: p(['Reports.Read.All']),
} satisfies Record<string, RoutePermissions>;
