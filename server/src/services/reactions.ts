/**
 * Reactions: add, remove, list. A reaction is visible to whoever can read its post, and is made by
 * the session's user only. A post carries at most MAX_REACTIONS_PER_POST distinct emoji.
 */
import { isId } from '../lib/ids.js';
import { badRequest, forbidden } from '../lib/errors.js';
import { P } from '../permissions/roles.js';
import type { ReactionRow } from '../store/reactions.js';
import { presentReaction } from '../api/v4/present-posts.js';
import { broadcastOf, type ServerEvent } from '../realtime/events.js';
import { requireChannelPermission } from './access.js';
import { inTransaction, type Actor, type Deps } from './context.js';
import { accessPost, requireWritable } from './posts.js';

export const MAX_REACTIONS_PER_POST = 50;
const EMOJI_NAME_RE = /^[a-zA-Z0-9_+-]{1,64}$/;

export function checkEmojiName(v: unknown): string {
  if (typeof v !== 'string' || !EMOJI_NAME_RE.test(v)) {
    throw badRequest('model.reaction.is_valid.emoji_name.app_error', 'Invalid emoji name.');
  }
  return v;
}

function reactionEvent(event: string, r: ReactionRow): ServerEvent {
  return {
    event,
    data: { reaction: JSON.stringify(presentReaction(r)) },
    broadcast: broadcastOf({ channel_id: r.channel_id }),
    audience: { kind: 'channel', channelId: r.channel_id },
  };
}

export class ReactionService {
  constructor(private readonly deps: Deps) {}

  async add(actor: Actor, body: Record<string, unknown>): Promise<ReactionRow> {
    if (!isId(body.user_id))
      throw badRequest('model.reaction.is_valid.user_id.app_error', 'Invalid user_id.');
    if (!isId(body.post_id))
      throw badRequest('model.reaction.is_valid.post_id.app_error', 'Invalid post_id.');
    const emojiName = checkEmojiName(body.emoji_name);
    if (body.user_id !== actor.userId) throw forbidden('Reactions can only be added as yourself.');
    const postId = body.post_id;
    return inTransaction(this.deps, async (tx, events) => {
      const { post, access } = await accessPost(tx, actor, postId);
      requireChannelPermission(actor, access, P.addReaction);
      requireWritable(access.channel);
      const existing = await tx.reactions.find(post.id, actor.userId, emojiName);
      if (existing) return existing;
      // Lock the post (PostgreSQL) so that concurrent reactions cannot pass the cap together.
      await tx.posts.lockPost(post.id);
      const names = await tx.reactions.emojiNames(post.id);
      if (!names.includes(emojiName) && names.length >= MAX_REACTIONS_PER_POST) {
        throw badRequest(
          'api.reaction.save.too_many_reactions.app_error',
          `A post can have at most ${MAX_REACTIONS_PER_POST} different reactions.`,
        );
      }
      const now = this.deps.now();
      const row: ReactionRow = {
        post_id: post.id,
        user_id: actor.userId,
        emoji_name: emojiName,
        channel_id: post.channel_id,
        create_at: now,
      };
      await tx.reactions.insertIfAbsent(row);
      // Clients that ask for changes `since` a time see the post again, with its reactions.
      await tx.posts.update(post.id, { update_at: Math.max(now, post.update_at + 1) });
      events.push(reactionEvent('reaction_added', row));
      return row;
    });
  }

  async remove(actor: Actor, userId: string, postId: string, emojiNameParam: string): Promise<void> {
    const emojiName = checkEmojiName(emojiNameParam);
    await inTransaction(this.deps, async (tx, events) => {
      const { post, access } = await accessPost(tx, actor, postId);
      requireChannelPermission(
        actor,
        access,
        userId === actor.userId ? P.removeReaction : P.removeOthersReactions,
      );
      requireWritable(access.channel);
      const existing = await tx.reactions.find(post.id, userId, emojiName);
      if (!existing) return;
      await tx.reactions.delete(post.id, userId, emojiName);
      await tx.posts.update(post.id, { update_at: Math.max(this.deps.now(), post.update_at + 1) });
      events.push(reactionEvent('reaction_removed', existing));
    });
  }

  async list(actor: Actor, postId: string): Promise<ReactionRow[]> {
    const { store } = this.deps;
    const { post } = await accessPost(store, actor, postId);
    return store.reactions.listForPost(post.id);
  }
}
