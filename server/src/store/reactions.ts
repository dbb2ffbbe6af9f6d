import type { Selectable } from 'kysely';
import type { ReactionsTable } from '../db/schema.js';
import type { Executor } from './store.js';

export type ReactionRow = Selectable<ReactionsTable>;

export class ReactionStore {
  constructor(private readonly db: Executor) {}

  /** Inserts the reaction unless the same user already reacted with the same emoji. */
  async insertIfAbsent(row: ReactionRow): Promise<void> {
    await this.db
      .insertInto('reactions')
      .values(row)
      .onConflict((oc) => oc.columns(['post_id', 'user_id', 'emoji_name']).doNothing())
      .execute();
  }

  find(postId: string, userId: string, emojiName: string): Promise<ReactionRow | undefined> {
    return this.db
      .selectFrom('reactions')
      .selectAll()
      .where('post_id', '=', postId)
      .where('user_id', '=', userId)
      .where('emoji_name', '=', emojiName)
      .executeTakeFirst();
  }

  /** Returns how many rows were deleted (0 or 1). */
  async delete(postId: string, userId: string, emojiName: string): Promise<number> {
    const r = await this.db
      .deleteFrom('reactions')
      .where('post_id', '=', postId)
      .where('user_id', '=', userId)
      .where('emoji_name', '=', emojiName)
      .executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  listForPost(postId: string): Promise<ReactionRow[]> {
    return this.listForPosts([postId]);
  }

  /** Oldest first. */
  async listForPosts(postIds: readonly string[]): Promise<ReactionRow[]> {
    if (postIds.length === 0) return [];
    return this.db
      .selectFrom('reactions')
      .selectAll()
      .where('post_id', 'in', postIds)
      .orderBy('create_at')
      .orderBy('emoji_name')
      .orderBy('user_id')
      .execute();
  }

  /** The distinct emoji names on a post. */
  async emojiNames(postId: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom('reactions')
      .select('emoji_name')
      .distinct()
      .where('post_id', '=', postId)
      .execute();
    return rows.map((r) => r.emoji_name);
  }
}
