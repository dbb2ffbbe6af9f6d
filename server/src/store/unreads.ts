import type { Executor } from './store.js';

export interface UnreadPostRow {
  user_id: string;
  root_id: string;
  message: string;
}

/** Queries for marking a channel unread from a post on (the counts a membership keeps). */
export class UnreadStore {
  constructor(private readonly db: Executor) {}

  /** How many posts (and roots) of the channel were created at or after `from`, deleted ones included
   * (the channel's totals count them too). */
  async countPostsFrom(channelId: string, from: number): Promise<{ all: number; roots: number }> {
    const r = await this.db
      .selectFrom('posts')
      .select((eb) => [
        eb.fn.countAll<number>().as('all'),
        eb.fn.sum<number>(eb.case().when('root_id', '=', '').then(1).else(0).end()).as('roots'),
      ])
      .where('channel_id', '=', channelId)
      .where('create_at', '>=', from)
      .executeTakeFirst();
    return { all: Number(r?.all ?? 0), roots: Number(r?.roots ?? 0) };
  }

  /** The live posts of others from `from` on, oldest first, at most `limit`, for counting mentions. */
  listOthersPostsFrom(
    channelId: string,
    userId: string,
    from: number,
    limit: number,
  ): Promise<UnreadPostRow[]> {
    return this.db
      .selectFrom('posts')
      .select(['user_id', 'root_id', 'message'])
      .where('channel_id', '=', channelId)
      .where('create_at', '>=', from)
      .where('delete_at', '=', 0)
      .where('user_id', '!=', userId)
      .orderBy('create_at')
      .limit(limit)
      .execute();
  }
}
