/**
 * Joining teams and channels, shared by the services that add people (sign-up with an invite, team
 * joins, channel adds). Each helper runs inside the caller's transaction and appends the events that
 * the caller publishes after commit.
 */
import type { Store } from '../store/store.js';
import type { TeamRow } from '../store/teams.js';
import type { ChannelRow } from '../store/channels.js';
import type { ServerEvent } from '../realtime/events.js';
import { broadcastOf } from '../realtime/events.js';

export const DEFAULT_CHANNELS = ['town-square', 'off-topic'] as const;

export const defaultChannelNotifyProps = () =>
  JSON.stringify({
    desktop: 'default',
    email: 'default',
    mark_unread: 'all',
    push: 'default',
    ignore_channel_mentions: 'default',
  });

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
  if (!opts.quiet) {
    events.push({
      event: 'user_added',
      data: { user_id: userId, team_id: channel.team_id },
      broadcast: broadcastOf({ channel_id: channel.id }),
      audience: { kind: 'channel', channelId: channel.id },
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
