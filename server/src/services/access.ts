/**
 * access*: fetch a resource and check that the actor may see it, in one step. What the actor may not
 * see answers exactly like what does not exist (404), so ids of private channels and their posts
 * reveal nothing. require*: check a permission on something already visible (403 when missing).
 */
import { forbidden, notFound } from '../lib/errors.js';
import {
  can,
  channelMemberRoles,
  teamMemberRoles,
  type Permission,
  type PermissionContext,
} from '../permissions/roles.js';
import type { Store } from '../store/store.js';
import type { ChannelMemberRow, ChannelRow } from '../store/channels.js';
import type { TeamMemberRow, TeamRow } from '../store/teams.js';
import type { Actor } from './context.js';

export interface TeamAccess {
  team: TeamRow;
  member: TeamMemberRow | undefined;
}

export interface ChannelAccess {
  channel: ChannelRow;
  /** The actor's membership of the channel, when they are a member. */
  member: ChannelMemberRow | undefined;
  /** The actor's membership of the channel's team (undefined for D/G channels and non-members). */
  teamMember: TeamMemberRow | undefined;
}

/** A team the actor belongs to (or any team, for a system admin); open teams too when `allowOpen`. */
export async function accessTeam(
  store: Store,
  actor: Actor,
  teamId: string,
  opts: { allowOpen?: boolean } = {},
): Promise<TeamAccess> {
  const team = await store.teams.findById(teamId);
  if (!team) throw notFound('team');
  const member = await store.teams.findMember(teamId, actor.userId);
  if (member || actor.isSystemAdmin) return { team, member };
  if (opts.allowOpen && team.allow_open_invite === 1 && team.delete_at === 0) return { team, member };
  throw notFound('team');
}

/**
 * A channel the actor may read: public channels of their teams, and private, direct and group channels
 * they are a member of. System admins may read every channel.
 */
export async function accessChannel(store: Store, actor: Actor, channelId: string): Promise<ChannelAccess> {
  const channel = await store.channels.findById(channelId);
  if (!channel) throw notFound('channel');
  const member = await store.channels.findMember(channelId, actor.userId);
  const teamMember = channel.team_id
    ? await store.teams.findMember(channel.team_id, actor.userId)
    : undefined;
  if (member || actor.isSystemAdmin) return { channel, member, teamMember };
  if (channel.type === 'O' && teamMember) return { channel, member, teamMember };
  throw notFound('channel');
}

export function channelPermissionContext(actor: Actor, access: ChannelAccess): PermissionContext {
  return {
    systemRoles: actor.roles,
    ...(access.teamMember ? { teamRoles: teamMemberRoles(access.teamMember.scheme_admin === 1) } : {}),
    ...(access.member ? { channelRoles: channelMemberRoles(access.member.scheme_admin === 1) } : {}),
  };
}

export function teamPermissionContext(actor: Actor, access: TeamAccess): PermissionContext {
  return {
    systemRoles: actor.roles,
    ...(access.member ? { teamRoles: teamMemberRoles(access.member.scheme_admin === 1) } : {}),
  };
}

export function requireChannelPermission(actor: Actor, access: ChannelAccess, permission: Permission): void {
  if (!can(channelPermissionContext(actor, access), permission)) throw forbidden();
}

export function requireTeamPermission(actor: Actor, access: TeamAccess, permission: Permission): void {
  if (!can(teamPermissionContext(actor, access), permission)) throw forbidden();
}
