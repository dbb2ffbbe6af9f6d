/**
 * Roles and permissions in one place. A user's effective permissions in a context are the union of
 * their system roles, their team roles (when the context has a team they belong to) and their channel
 * roles (when they are a member of the channel). `POST /roles/names` serves these same lists.
 */
export const P = {
  manageSystem: 'manage_system',
  createTeam: 'create_team',
  listPublicTeams: 'list_public_teams',
  joinPublicTeams: 'join_public_teams',
  viewMembers: 'view_members',
  createDirectChannel: 'create_direct_channel',
  createGroupChannel: 'create_group_channel',
  editOtherUsers: 'edit_other_users',
  // team
  viewTeam: 'view_team',
  listTeamChannels: 'list_team_channels',
  joinPublicChannels: 'join_public_channels',
  readPublicChannel: 'read_public_channel',
  createPublicChannel: 'create_public_channel',
  createPrivateChannel: 'create_private_channel',
  inviteUser: 'invite_user',
  addUserToTeam: 'add_user_to_team',
  removeUserFromTeam: 'remove_user_from_team',
  manageTeam: 'manage_team',
  manageTeamRoles: 'manage_team_roles',
  managePublicChannelProperties: 'manage_public_channel_properties',
  managePrivateChannelProperties: 'manage_private_channel_properties',
  managePublicChannelMembers: 'manage_public_channel_members',
  managePrivateChannelMembers: 'manage_private_channel_members',
  deletePublicChannel: 'delete_public_channel',
  deletePrivateChannel: 'delete_private_channel',
  convertPublicChannelToPrivate: 'convert_public_channel_to_private',
  // channel
  readChannel: 'read_channel',
  createPost: 'create_post',
  editPost: 'edit_post',
  deletePost: 'delete_post',
  editOthersPosts: 'edit_others_posts',
  deleteOthersPosts: 'delete_others_posts',
  addReaction: 'add_reaction',
  removeReaction: 'remove_reaction',
  removeOthersReactions: 'remove_others_reactions',
  useChannelMentions: 'use_channel_mentions',
  manageChannelRoles: 'manage_channel_roles',
} as const;

export type Permission = (typeof P)[keyof typeof P];

const channelUser: Permission[] = [
  P.readChannel,
  P.createPost,
  P.editPost,
  P.deletePost,
  P.addReaction,
  P.removeReaction,
  P.useChannelMentions,
  P.managePublicChannelProperties,
  P.managePrivateChannelProperties,
  P.managePublicChannelMembers,
  P.managePrivateChannelMembers,
  P.deletePublicChannel,
  P.deletePrivateChannel,
];
const channelAdmin: Permission[] = [...channelUser, P.manageChannelRoles, P.removeOthersReactions];

const teamUser: Permission[] = [
  P.viewTeam,
  P.listTeamChannels,
  P.joinPublicChannels,
  P.readPublicChannel,
  P.createPublicChannel,
  P.createPrivateChannel,
  P.inviteUser,
  P.addUserToTeam,
];
const teamAdmin: Permission[] = [
  ...teamUser,
  P.removeUserFromTeam,
  P.manageTeam,
  P.manageTeamRoles,
  P.managePublicChannelProperties,
  P.managePrivateChannelProperties,
  P.managePublicChannelMembers,
  P.managePrivateChannelMembers,
  P.deletePublicChannel,
  P.deletePrivateChannel,
  P.convertPublicChannelToPrivate,
  P.editOthersPosts,
  P.deleteOthersPosts,
  P.manageChannelRoles,
  P.removeOthersReactions,
];
const systemUser: Permission[] = [
  P.createTeam,
  P.listPublicTeams,
  P.joinPublicTeams,
  P.viewMembers,
  P.createDirectChannel,
  P.createGroupChannel,
];
const systemAdmin: Permission[] = Object.values(P);

export const ROLES: Record<string, { displayName: string; permissions: readonly Permission[] }> = {
  system_admin: { displayName: 'System Admin', permissions: systemAdmin },
  system_user: { displayName: 'System User', permissions: systemUser },
  team_admin: { displayName: 'Team Admin', permissions: teamAdmin },
  team_user: { displayName: 'Team User', permissions: teamUser },
  channel_admin: { displayName: 'Channel Admin', permissions: channelAdmin },
  channel_user: { displayName: 'Channel User', permissions: channelUser },
};

export function splitRoles(roles: string): string[] {
  return roles.split(/\s+/).filter(Boolean);
}

export function isSystemAdminRoles(roles: string): boolean {
  return splitRoles(roles).includes('system_admin');
}

/** The role strings Mattermost puts on memberships. */
export const teamMemberRoles = (admin: boolean) => (admin ? 'team_user team_admin' : 'team_user');
export const channelMemberRoles = (admin: boolean) => (admin ? 'channel_user channel_admin' : 'channel_user');

export interface PermissionContext {
  systemRoles: string;
  /** Present when the user is a member of the team in question. */
  teamRoles?: string;
  /** Present when the user is a member of the channel in question. */
  channelRoles?: string;
}

export function can(ctx: PermissionContext, permission: Permission): boolean {
  for (const roles of [ctx.systemRoles, ctx.teamRoles, ctx.channelRoles]) {
    if (!roles) continue;
    for (const r of splitRoles(roles)) {
      if (ROLES[r]?.permissions.includes(permission)) return true;
    }
  }
  return false;
}
