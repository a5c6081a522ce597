import type { GraphRoute } from '../http/route.ts';
import { getTeamsApp } from './app-catalogs/get-teams-app.ts';
import { listTeamsApps } from './app-catalogs/list-teams-apps.ts';
import { createDriveFolder } from './drives/create-folder.ts';
import { getContent } from './drives/get-content.ts';
import { getDrive } from './drives/get-drive.ts';
import { getDriveItem } from './drives/get-item.ts';
import { driveItemByPath } from './drives/item-by-path.ts';
import { listChildren } from './drives/list-children.ts';
import { replaceItemContent } from './drives/upload-content.ts';
import { addGroupMember, addGroupOwner } from './groups/add-group-ref.ts';
import { createGroup } from './groups/create-group.ts';
import { deleteGroup } from './groups/delete-group.ts';
import { getGroup } from './groups/get-group.ts';
import { getGroupPhoto, getGroupPhotoValue, putGroupPhoto } from './groups/group-photo.ts';
import { updateGroup } from './groups/update-group.ts';
import { listGroupMembers, listGroupOwners } from './groups/list-group-users.ts';
import { listGroups } from './groups/list-groups.ts';
import { listTransitiveMembers } from './groups/list-transitive-members.ts';
import { removeGroupMember, removeGroupOwner } from './groups/remove-group-ref.ts';
import { createBucket } from './planner/create-bucket.ts';
import { createPlan } from './planner/create-plan.ts';
import { createTask } from './planner/create-task.ts';
import { getPlan } from './planner/get-plan.ts';
import { getPlanDetails } from './planner/get-plan-details.ts';
import { getTask } from './planner/get-task.ts';
import { getTaskDetails } from './planner/get-task-details.ts';
import { listBuckets } from './planner/list-buckets.ts';
import { listGroupPlans } from './planner/list-group-plans.ts';
import { listTasks } from './planner/list-tasks.ts';
import { updatePlanDetails } from './planner/update-plan-details.ts';
import { updateTask } from './planner/update-task.ts';
import { updateTaskDetails } from './planner/update-task-details.ts';
import { getTeamsTeamActivityDetail } from './reports/get-teams-team-activity-detail.ts';
import { archiveTeam } from './teams/archive-team.ts';
import { addChannelMember } from './teams/channels/add-channel-member.ts';
import { createChannel } from './teams/channels/create-channel.ts';
import { getChannel } from './teams/channels/get-channel.ts';
import { getFilesFolder } from './teams/channels/get-files-folder.ts';
import { getPrimaryChannel } from './teams/channels/get-primary-channel.ts';
import { listChannelMembers } from './teams/channels/list-channel-members.ts';
import { listChannelMessages } from './teams/channels/list-channel-messages.ts';
import { listChannels } from './teams/channels/list-channels.ts';
import { createTeam } from './teams/create-team.ts';
import { createTeamFromGroup } from './teams/create-team-from-group.ts';
import { getTeam } from './teams/get-team.ts';
import { getTeamOperation } from './teams/get-team-operation.ts';
import { installTeamApp } from './teams/installed-apps/install-app.ts';
import { listInstalledApps } from './teams/installed-apps/list-installed-apps.ts';
import { addTeamMember } from './teams/members/add-member.ts';
import { addTeamMembers } from './teams/members/add-members.ts';
import { getTeamMember } from './teams/members/get-member.ts';
import { listTeamMembers } from './teams/members/list-members.ts';
import { removeTeamMemberRoute } from './teams/members/remove-member.ts';
import { updateTeamMember } from './teams/members/update-member.ts';
import { createTab } from './teams/tabs/create-tab.ts';
import { listTabs } from './teams/tabs/list-tabs.ts';
import { unarchiveTeam } from './teams/unarchive-team.ts';
import { updateTeam } from './teams/update-team.ts';
import { getManager } from './users/get-manager.ts';
import { getMe } from './users/get-me.ts';
import { getUser } from './users/get-user.ts';
import { listJoinedTeams } from './users/list-joined-teams.ts';
import { listMemberOf } from './users/list-member-of.ts';
import { listTransitiveMemberOf } from './users/list-transitive-member-of.ts';
import { listUsers } from './users/list-users.ts';

/** Every Graph operation the sandbox serves. */
export const GRAPH_ROUTES: readonly GraphRoute[] = [
  listUsers,
  getUser,
  getMe,
  getManager,
  listMemberOf,
  listJoinedTeams,
  listTransitiveMemberOf,
  listGroups,
  getGroup,
  updateGroup,
  getGroupPhoto,
  getGroupPhotoValue,
  putGroupPhoto,
  createGroup,
  deleteGroup,
  listGroupOwners,
  listGroupMembers,
  listTransitiveMembers,
  addGroupOwner,
  addGroupMember,
  removeGroupOwner,
  removeGroupMember,
  createTeam,
  createTeamFromGroup,
  getTeam,
  updateTeam,
  getTeamOperation,
  archiveTeam,
  unarchiveTeam,
  listChannels,
  getChannel,
  getPrimaryChannel,
  createChannel,
  getFilesFolder,
  listChannelMembers,
  addChannelMember,
  listChannelMessages,
  listTabs,
  createTab,
  listInstalledApps,
  installTeamApp,
  listTeamMembers,
  getTeamMember,
  addTeamMember,
  addTeamMembers,
  updateTeamMember,
  removeTeamMemberRoute,
  getDrive,
  getDriveItem,
  listChildren,
  createDriveFolder,
  getContent,
  replaceItemContent,
  driveItemByPath,
  createPlan,
  getPlan,
  listGroupPlans,
  getPlanDetails,
  updatePlanDetails,
  createBucket,
  listBuckets,
  createTask,
  listTasks,
  getTask,
  updateTask,
  getTaskDetails,
  updateTaskDetails,
  listTeamsApps,
  getTeamsApp,
  getTeamsTeamActivityDetail,
];
