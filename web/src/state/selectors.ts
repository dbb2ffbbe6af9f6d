import type { Channel, ChannelMembership } from '@mattermost/types/channels';
import type { UserProfile } from '@mattermost/types/users';
import type { ChannelWithCounts, State } from './store';

export function displayName(user: UserProfile | undefined): string {
  if (!user) return 'Someone';
  return user.username;
}

export function fullName(user: UserProfile | undefined): string {
  if (!user) return '';
  return [user.first_name, user.last_name].filter(Boolean).join(' ');
}

/** The other member of a DM channel (or the user themself, for a DM with oneself). */
export function dmPartnerId(channel: Channel, meId: string): string | undefined {
  if (channel.type !== 'D') return undefined;
  const [x, y] = channel.name.split('__');
  if (!x || !y) return undefined;
  return x === meId ? y : x;
}

export function dmChannelName(a: string, b: string): string {
  return a < b ? `${a}__${b}` : `${b}__${a}`;
}

export function channelTitle(channel: Channel, s: Pick<State, 'me' | 'users'>): string {
  const meId = s.me?.id ?? '';
  if (channel.type === 'D') {
    const other = dmPartnerId(channel, meId);
    const u = other ? s.users[other] : undefined;
    return u ? u.username : channel.display_name || 'Direct message';
  }
  if (channel.type === 'G') {
    const names = channel.display_name
      .split(',')
      .map((n) => n.trim())
      .filter((n) => n && n !== s.me?.username);
    return names.join(', ') || channel.display_name;
  }
  return channel.display_name || channel.name;
}

export function unreadCount(channel: ChannelWithCounts, member: ChannelMembership | undefined): number {
  if (!member) return 0;
  return Math.max(0, (channel.total_msg_count ?? 0) - (member.msg_count ?? 0));
}

export function isUnread(channel: ChannelWithCounts, member: ChannelMembership | undefined): boolean {
  return unreadCount(channel, member) > 0;
}

export function typingKey(channelId: string, rootId = ''): string {
  return rootId ? `${channelId}:${rootId}` : channelId;
}

/** The address of a channel: DMs by the partner's username, others by name. */
export function channelHref(teamName: string, channel: Channel, s: Pick<State, 'me' | 'users'>): string {
  if (channel.type === 'D') {
    const partner = dmPartnerId(channel, s.me?.id ?? '');
    const u = partner ? s.users[partner] : undefined;
    if (u) return `/${encodeURIComponent(teamName)}/messages/@${encodeURIComponent(u.username)}`;
  }
  return `/${encodeURIComponent(teamName)}/channels/${encodeURIComponent(channel.name)}`;
}
