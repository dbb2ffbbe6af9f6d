/**
 * Folds WebSocket events into the store. Each case mirrors what a REST refetch would show, so a client
 * that only listens ends where a client that reloads starts.
 */
import type { WebSocketMessage } from '@mattermost/client';
import type { Channel, ChannelMembership } from '@mattermost/types/channels';
import type { Post } from '@mattermost/types/posts';
import type { PreferenceType } from '@mattermost/types/preferences';
import type { UserProfile } from '@mattermost/types/users';
import { put, store, without } from '../state/store';
import {
  applyPreferences,
  applyReaction,
  countOwnPost,
  ensureUsers,
  forgetChannel,
  loadTeamsAndChannels,
  markPostDeleted,
  markReadLocally,
  receivePost,
  receiveUsers,
  refreshChannel,
  viewChannelSoon,
} from '../state/actions';
import { typingKey } from '../state/selectors';
import { notifyForPost } from '../features/notifications/notify';
import { applyFollowing, loadFollowing } from '../features/threads/following';

export const TYPING_MS = 5000;

function parse<T>(raw: unknown): T | undefined {
  if (typeof raw !== 'string') return raw as T | undefined;
  try {
    return JSON.parse(raw) as T;
  } catch {
    return undefined;
  }
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

export function isChannelVisible(channelId: string): boolean {
  return (
    store.get().activeChannelId === channelId &&
    typeof document !== 'undefined' &&
    document.visibilityState === 'visible'
  );
}

export function handleEvent(msg: WebSocketMessage): void {
  const data = (msg.data ?? {}) as Record<string, unknown>;
  const broadcast = (msg.broadcast ?? {}) as { channel_id?: string; user_id?: string; team_id?: string };
  const me = store.get().me;
  switch (msg.event as string) {
    case 'posted': {
      const post = parse<Post>(data.post);
      if (!post) return;
      const isNew = receivePost(post);
      stopTyping(post.channel_id, post.root_id, post.user_id);
      const mentions = parse<string[]>(data.mentions) ?? [];
      const mentioned = !!me && mentions.includes(me.id);
      // The user's own reply may already be in the store (the answer to sending it came first).
      if (post.root_id && (isNew || post.user_id === me?.id)) followOnReply(post, mentioned);
      if (!isNew) return;
      if (me && post.user_id === me.id) {
        countOwnPost(post);
        return;
      }
      countIncoming(post, mentioned || str(data.channel_type) === 'D');
      if (isChannelVisible(post.channel_id)) viewChannelSoon(post.channel_id);
      else if (!store.get().myMembers[post.channel_id]) void refreshChannel(post.channel_id);
      notifyForPost(post, {
        mentioned,
        channelType: str(data.channel_type),
        channelName: str(data.channel_display_name),
        senderName: str(data.sender_name),
      });
      return;
    }
    case 'post_edited': {
      const post = parse<Post>(data.post);
      if (post) receivePost(post);
      return;
    }
    case 'post_deleted': {
      const post = parse<Post>(data.post);
      if (post) markPostDeleted(post);
      return;
    }
    case 'reaction_added':
    case 'reaction_removed': {
      const r = parse<{ user_id: string; post_id: string; emoji_name: string; create_at: number }>(
        data.reaction,
      );
      if (r) applyReaction(r, msg.event === 'reaction_added');
      return;
    }
    case 'typing': {
      const channelId = broadcast.channel_id ?? '';
      const userId = str(data.user_id);
      if (!channelId || !userId || userId === me?.id) return;
      startTyping(channelId, str(data.parent_id), userId);
      return;
    }
    case 'status_change': {
      const userId = str(data.user_id);
      const status = str(data.status);
      if (userId && status) store.set((s) => ({ statuses: put(s.statuses, userId, status) }));
      return;
    }
    case 'channel_viewed': {
      const channelId = str(data.channel_id);
      if (channelId) markReadLocally(channelId);
      return;
    }
    case 'multiple_channels_viewed': {
      const times = (data.channel_times ?? {}) as Record<string, number>;
      for (const [channelId, at] of Object.entries(times)) markReadLocally(channelId, at);
      return;
    }
    case 'channel_created':
    case 'direct_added':
    case 'group_added': {
      const channelId = str(data.channel_id) || (broadcast.channel_id ?? '');
      if (channelId) void refreshChannel(channelId);
      return;
    }
    case 'channel_updated': {
      const channel = parse<Channel>(data.channel);
      if (channel) {
        store.set((s) =>
          s.channels[channel.id]
            ? { channels: put(s.channels, channel.id, { ...s.channels[channel.id], ...channel }) }
            : {},
        );
      }
      return;
    }
    case 'channel_converted':
    case 'channel_restored': {
      const channelId = str(data.channel_id);
      if (channelId) void refreshChannel(channelId);
      return;
    }
    case 'channel_deleted': {
      const channelId = str(data.channel_id);
      if (channelId) forgetChannel(channelId);
      return;
    }
    case 'channel_member_updated': {
      const member = parse<ChannelMembership>(data.channelMember);
      if (member && member.user_id === me?.id) {
        store.set((s) => ({ myMembers: put(s.myMembers, member.channel_id, member) }));
      }
      return;
    }
    case 'user_added': {
      const userId = str(data.user_id);
      const channelId = broadcast.channel_id ?? '';
      if (userId === me?.id && channelId) void refreshChannel(channelId);
      else if (userId) void ensureUsers([userId]);
      return;
    }
    case 'user_removed': {
      // To the removed user the channel is in data; to the others, in the broadcast.
      const removedChannel = str(data.channel_id);
      if (removedChannel && (broadcast.user_id === me?.id || !str(data.user_id)))
        forgetChannel(removedChannel);
      return;
    }
    case 'added_to_team':
    case 'leave_team':
    case 'update_team':
    case 'delete_team': {
      void loadTeamsAndChannels();
      return;
    }
    case 'new_user': {
      const userId = str(data.user_id);
      if (userId) void ensureUsers([userId]);
      return;
    }
    case 'user_updated': {
      const user = parse<UserProfile>(data.user);
      if (user) receiveUsers([user]);
      return;
    }
    case 'preferences_changed':
    case 'preferences_deleted': {
      const prefs = parse<PreferenceType[]>(data.preferences);
      if (prefs) applyPreferences(prefs, msg.event === 'preferences_changed');
      return;
    }
    case 'thread_follow_changed': {
      const threadId = str(data.thread_id);
      if (!threadId || typeof data.state !== 'boolean') return;
      applyFollowing(threadId, data.state);
      if (typeof data.reply_count === 'number') setReplyCount(threadId, data.reply_count);
      return;
    }
    case 'thread_updated': {
      const thread = parse<{ id?: string; is_following?: boolean; reply_count?: number }>(data.thread);
      if (!thread?.id) return;
      if (typeof thread.is_following === 'boolean') applyFollowing(thread.id, thread.is_following);
      if (typeof thread.reply_count === 'number') setReplyCount(thread.id, thread.reply_count);
      return;
    }
    case 'hello':
    default:
      return;
  }
}

/**
 * A new reply changes who follows the thread on the server: its author always, the root's author and
 * the users it mentions unless they chose otherwise (which only the server knows: ask it again, and
 * only for a thread whose state this client shows).
 */
function followOnReply(post: Post, mentioned: boolean): void {
  const s = store.get();
  if (!s.me || !(post.root_id in s.following)) return;
  if (post.user_id === s.me.id) {
    applyFollowing(post.root_id, true);
    return;
  }
  const rootAuthor = s.posts[post.root_id]?.user_id;
  if (s.following[post.root_id] || (!mentioned && rootAuthor !== s.me.id)) return;
  const teamId = s.channels[post.channel_id]?.team_id || s.activeTeamId;
  if (teamId) void loadFollowing(teamId, post.root_id).catch(() => undefined);
}

/** The root's reply count as the server counts it (a thread event carries it). */
function setReplyCount(rootId: string, count: number): void {
  store.set((s) => {
    const root = s.posts[rootId];
    if (!root || root.reply_count === count) return {};
    return { posts: put(s.posts, rootId, { ...root, reply_count: count }) };
  });
}

function countIncoming(post: Post, mention: boolean): void {
  store.set((s) => {
    const c = s.channels[post.channel_id];
    if (!c) return {};
    const channel = {
      ...c,
      total_msg_count: (c.total_msg_count ?? 0) + 1,
      total_msg_count_root: (c.total_msg_count_root ?? 0) + (post.root_id ? 0 : 1),
      last_post_at: post.create_at,
    };
    const m = s.myMembers[post.channel_id];
    const member =
      m && mention
        ? {
            ...m,
            mention_count: m.mention_count + 1,
            mention_count_root: m.mention_count_root + (post.root_id ? 0 : 1),
          }
        : m;
    return {
      channels: put(s.channels, c.id, channel),
      myMembers: member ? put(s.myMembers, c.id, member) : s.myMembers,
    };
  });
}

const typingTimers = new Map<string, ReturnType<typeof setTimeout>>();

export function startTyping(channelId: string, rootId: string, userId: string): void {
  const key = typingKey(channelId, rootId);
  store.set((s) => ({
    typing: put(s.typing, key, { ...(s.typing[key] ?? {}), [userId]: Date.now() + TYPING_MS }),
  }));
  void ensureUsers([userId]);
  const timerKey = `${key}/${userId}`;
  const old = typingTimers.get(timerKey);
  if (old) clearTimeout(old);
  typingTimers.set(
    timerKey,
    setTimeout(() => stopTyping(channelId, rootId, userId), TYPING_MS),
  );
}

export function stopTyping(channelId: string, rootId: string, userId: string): void {
  const key = typingKey(channelId, rootId);
  const timerKey = `${key}/${userId}`;
  const t = typingTimers.get(timerKey);
  if (t) clearTimeout(t);
  typingTimers.delete(timerKey);
  store.set((s) => {
    const who = s.typing[key];
    if (!who || !(userId in who)) return {};
    const rest = without(who, userId);
    return { typing: Object.keys(rest).length ? put(s.typing, key, rest) : without(s.typing, key) };
  });
}
