/**
 * Channel rows → wire objects (`@mattermost/types/channels`), as allow-lists.
 */
import type {
  ChannelMembership,
  ChannelStats,
  ChannelType,
  ChannelWithTeamData,
  ServerChannel,
} from '@mattermost/types/channels';
import { channelMemberRoles } from '../../permissions/roles.js';
import type { ChannelMemberRow, ChannelRow, ChannelWithTeamRow } from '../../store/channels.js';

function parseObject(s: string): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(s);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

export function presentChannel(c: ChannelRow): ServerChannel {
  return {
    id: c.id,
    create_at: c.create_at,
    update_at: c.update_at,
    delete_at: c.delete_at,
    team_id: c.team_id,
    type: c.type as ChannelType,
    display_name: c.display_name,
    name: c.name,
    header: c.header,
    purpose: c.purpose,
    last_post_at: c.last_post_at,
    last_root_post_at: c.last_root_post_at,
    total_msg_count: c.total_msg_count,
    total_msg_count_root: c.total_msg_count_root,
    creator_id: c.creator_id,
    scheme_id: '',
    group_constrained: false,
    shared: false,
    props: {},
    policy_id: null,
  };
}

export function presentChannelWithTeam(c: ChannelWithTeamRow): ChannelWithTeamData & ServerChannel {
  return {
    ...presentChannel(c),
    team_display_name: c.team_display_name ?? '',
    team_name: c.team_name ?? '',
    team_update_at: c.team_update_at ?? 0,
  };
}

export function presentChannelMember(m: ChannelMemberRow): ChannelMembership {
  return {
    channel_id: m.channel_id,
    user_id: m.user_id,
    roles: channelMemberRoles(m.scheme_admin === 1),
    last_viewed_at: m.last_viewed_at,
    msg_count: m.msg_count,
    msg_count_root: m.msg_count_root,
    mention_count: m.mention_count,
    mention_count_root: m.mention_count_root,
    urgent_mention_count: 0,
    notify_props: parseObject(m.notify_props),
    last_update_at: m.last_update_at,
    scheme_user: true,
    scheme_admin: m.scheme_admin === 1,
  };
}

export function presentChannelStats(s: {
  channel_id: string;
  member_count: number;
  pinnedpost_count: number;
}): ChannelStats {
  return {
    channel_id: s.channel_id,
    member_count: s.member_count,
    guest_count: 0,
    pinnedpost_count: s.pinnedpost_count,
    files_count: 0,
  };
}
