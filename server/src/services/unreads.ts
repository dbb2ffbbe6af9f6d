/**
 * Mark as unread: the reader moves their last view back to just before a post. Message counts come
 * from the channel's posts; mentions are recounted from the messages from that post on, read the way
 * posting reads them.
 */
import type { ChannelUnread } from '@mattermost/types/channels';
import { badRequest, forbidden } from '../lib/errors.js';
import { broadcastOf } from '../realtime/events.js';
import { accessChannel } from './access.js';
import { inTransaction, type Actor, type Deps } from './context.js';
import { parseMentions } from './mentions.js';

/** Mentions are recounted over at most this many posts (older unread history counts as read mentions). */
const MENTION_RECOUNT_LIMIT = 5_000;

export class UnreadService {
  constructor(private readonly deps: Deps) {}

  async markPostUnread(actor: Actor, userId: string, postId: string): Promise<ChannelUnread> {
    if (userId !== actor.userId) throw forbidden();
    const { store } = this.deps;
    const post = await store.posts.findById(postId);
    // A post of a channel the reader cannot see answers like a post that does not exist.
    const access = post
      ? await accessChannel(store, actor, post.channel_id).catch(() => undefined)
      : undefined;
    if (!post || !access || post.delete_at !== 0) {
      throw badRequest('api.post.mark_unread.post_not_found', 'Unable to find the post.');
    }
    if (!access.member) throw forbidden('You are not a member of this channel.');
    const { channel } = access;
    const user = await store.users.findById(actor.userId);
    const username = user?.username ?? '';
    const now = this.deps.now();

    return inTransaction(this.deps, async (tx, events) => {
      const current = await tx.channels.findById(channel.id);
      const unread = await tx.unreads.countPostsFrom(channel.id, post.create_at);
      const msg_count = Math.max(0, (current?.total_msg_count ?? 0) - unread.all);
      const msg_count_root = Math.max(0, (current?.total_msg_count_root ?? 0) - unread.roots);
      let mention_count = 0;
      let mention_count_root = 0;
      const directOrGroup = channel.type === 'D' || channel.type === 'G';
      for (const p of await tx.unreads.listOthersPostsFrom(
        channel.id,
        actor.userId,
        post.create_at,
        MENTION_RECOUNT_LIMIT,
      )) {
        const m = parseMentions(p.message);
        if (directOrGroup || m.channel || m.here || m.usernames.includes(username)) {
          mention_count++;
          if (p.root_id === '') mention_count_root++;
        }
      }
      const last_viewed_at = post.create_at - 1;
      await tx.channels.updateMember(channel.id, actor.userId, {
        msg_count,
        msg_count_root,
        mention_count,
        mention_count_root,
        last_viewed_at,
        last_update_at: now,
      });
      const result = {
        team_id: channel.team_id,
        channel_id: channel.id,
        user_id: actor.userId,
        msg_count,
        msg_count_root,
        mention_count,
        mention_count_root,
        urgent_mention_count: 0,
        last_viewed_at,
      };
      events.push({
        event: 'post_unread',
        data: { ...result, post_id: post.id },
        broadcast: broadcastOf({ user_id: actor.userId, channel_id: channel.id, team_id: channel.team_id }),
        audience: { kind: 'users', userIds: [actor.userId] },
      });
      return result as ChannelUnread;
    });
  }
}
