/**
 * Joining and leaving teams and channels, shared by the services that add or remove people (sign-up
 * with an invite, team joins, channel adds, team leaves). Each helper runs inside the caller's
 * transaction and appends the events that the caller publishes after commit.
 */
import type { Store } from '../store/store.js';
import type { TeamRow } from '../store/teams.js';
import type { ChannelRow } from '../store/channels.js';
import type { Audience, ServerEvent } from '../realtime/events.js';
import { broadcastOf, membersChangedMarker } from '../realtime/events.js';

export const DEFAULT_CHANNELS = ['town-square', 'off-topic'] as const;
export const TOWN_SQUARE = 'town-square';

export const defaultChannelNotifyProps = () =>
  JSON.stringify({
    desktop: 'default',
    email: 'default',
    mark_unread: 'all',
    push: 'default',
    ignore_channel_mentions: 'default',
  });

/**
 * Who hears about a channel's changes. Public channels: the channel. Private, direct and group
 * channels: their members named one by one, as read inside the transaction, so that the audience is
 * exactly the membership the change produced (a joiner hears of their own join, a leaver does not
 * hear what follows).
 */
export async function channelAudience(tx: Store, channel: ChannelRow): Promise<Audience> {
  if (channel.type === 'O') return { kind: 'channel', channelId: channel.id };
  return { kind: 'users', userIds: await tx.channels.memberIds(channel.id) };
}

/** Adds userId to the channel (no-op when already a member). Returns true when a row was added. */
export async function addChannelMemberTx(
  tx: Store,
  channel: ChannelRow,
  userId: string,
  now: number,
  events: ServerEvent[],
  opts: { admin?: boolean; quiet?: boolean } = {},
): Promise<boolean> {
  if (await tx.channels.findMember(channel.id, userId)) return false;
  await tx.channels.insertMember({
    channel_id: channel.id,
    user_id: userId,
    scheme_admin: opts.admin ? 1 : 0,
    // A newcomer starts with the channel read: history before joining is not unread.
    last_viewed_at: now,
    msg_count: channel.total_msg_count,
    msg_count_root: channel.total_msg_count_root,
    mention_count: 0,
    mention_count_root: 0,
    notify_props: defaultChannelNotifyProps(),
    last_update_at: now,
  });
  // Every membership change reaches the hubs (which cache channel members) in publication order.
  if (opts.quiet) events.push(membersChangedMarker(channel.id));
  else {
    events.push({
      event: 'user_added',
      data: { user_id: userId, team_id: channel.team_id },
      broadcast: broadcastOf({ channel_id: channel.id }),
      audience: await channelAudience(tx, channel),
      membersChanged: [channel.id],
    });
  }
  return true;
}

/**
 * Removes userId from the channel. Tells the channel (user_id, remover_id) and the removed user
 * (channel_id, remover_id), as Mattermost does. Returns false when they were not a member.
 */
export async function removeChannelMemberTx(
  tx: Store,
  channel: ChannelRow,
  userId: string,
  removerId: string,
  events: ServerEvent[],
  opts: { notifyUser?: boolean } = {},
): Promise<boolean> {
  if (!(await tx.channels.deleteMember(channel.id, userId))) return false;
  events.push({
    event: 'user_removed',
    data: { user_id: userId, remover_id: removerId },
    broadcast: broadcastOf({ channel_id: channel.id }),
    audience: await channelAudience(tx, channel),
    membersChanged: [channel.id],
  });
  if (opts.notifyUser !== false) {
    events.push({
      event: 'user_removed',
      data: { channel_id: channel.id, remover_id: removerId },
      broadcast: broadcastOf({ user_id: userId }),
      audience: { kind: 'users', userIds: [userId] },
    });
  }
  return true;
}

/** Adds userId to the team and its default channels (no-op when already a member). */
export async function addTeamMemberTx(
  tx: Store,
  team: TeamRow,
  userId: string,
  now: number,
  events: ServerEvent[],
  opts: { admin?: boolean } = {},
): Promise<boolean> {
  if (await tx.teams.findMember(team.id, userId)) return false;
  await tx.teams.insertMember({
    team_id: team.id,
    user_id: userId,
    scheme_admin: opts.admin ? 1 : 0,
    create_at: now,
  });
  events.push({
    event: 'added_to_team',
    data: { team_id: team.id, user_id: userId },
    broadcast: broadcastOf({ user_id: userId }),
    audience: { kind: 'users', userIds: [userId] },
  });
  for (const name of DEFAULT_CHANNELS) {
    const channel = await tx.channels.findByTeamAndName(team.id, name);
    if (channel && channel.delete_at === 0) await addChannelMemberTx(tx, channel, userId, now, events);
  }
  return true;
}

/**
 * Removes userId from the team and from every channel of the team. The team hears leave_team, and so
 * does the user (no longer in the team's audience once this commits); each channel hears user_removed.
 */
export async function removeTeamMemberTx(
  tx: Store,
  team: TeamRow,
  userId: string,
  removerId: string,
  events: ServerEvent[],
): Promise<boolean> {
  if (!(await tx.teams.findMember(team.id, userId))) return false;
  for (const channelId of await tx.channels.channelIdsOfTeamForUser(team.id, userId)) {
    const channel = await tx.channels.findById(channelId);
    if (channel) await removeChannelMemberTx(tx, channel, userId, removerId, events, { notifyUser: false });
  }
  await tx.teams.deleteMember(team.id, userId);
  const data = { team_id: team.id, user_id: userId };
  events.push(
    {
      event: 'leave_team',
      data,
      broadcast: broadcastOf({ team_id: team.id }),
      audience: { kind: 'team', teamId: team.id },
    },
    {
      event: 'leave_team',
      data,
      broadcast: broadcastOf({ user_id: userId }),
      audience: { kind: 'users', userIds: [userId] },
    },
  );
  return true;
}
