/**
 * Posts, and the counters that posting moves: the channel's totals and last-post times, and the
 * memberships' read and mention counts. Every list query returns PostView rows: the post with its
 * thread's reply count (a reply carries the count of its root, as Mattermost answers).
 */
import { sql, type ExpressionBuilder, type Insertable, type Selectable, type Updateable } from 'kysely';
import type { Database, PostsTable } from '../db/schema.js';
import type { Dialect } from '../db/connection.js';
import type { Executor } from './store.js';

export type PostRow = Selectable<PostsTable>;
export type PostView = PostRow & { thread_reply_count: number };

/**
 * A position in a channel's timeline: posts sort by create_at, then by id. Without an id the position
 * is after every post of that millisecond (so "older" includes create_at itself, "newer" does not).
 */
export interface PostCursor {
  create_at: number;
  id?: string;
}

export interface ListOptions {
  /** Only root posts (collapsed threads). */
  rootsOnly?: boolean;
  offset?: number;
  limit: number;
}

export interface ChannelCounters {
  total_msg_count: number;
  total_msg_count_root: number;
  last_post_at: number;
}

type PostsEB = ExpressionBuilder<Database & { p: PostsTable; r: PostsTable }, 'p' | 'r'>;

export const FLAGGED_POST_CATEGORY = 'flagged_post';

export class PostStore {
  constructor(
    private readonly db: Executor,
    readonly dialect: Dialect,
  ) {}

  async insert(row: Insertable<Database['posts']>): Promise<void> {
    await this.db.insertInto('posts').values(row).execute();
  }

  /** Inserts a post and answers the row as stored (one statement: INSERT … RETURNING). */
  insertReturning(row: Insertable<Database['posts']>): Promise<PostRow> {
    return this.db.insertInto('posts').values(row).returningAll().executeTakeFirstOrThrow();
  }

  async update(id: string, patch: Updateable<Database['posts']>): Promise<void> {
    await this.db.updateTable('posts').set(patch).where('id', '=', id).execute();
  }

  /** Locks the post's row until the transaction ends (PostgreSQL; SQLite runs one writer at a time). */
  async lockPost(id: string): Promise<void> {
    if (this.dialect !== 'postgres') return;
    await this.db.selectFrom('posts').select('id').where('id', '=', id).forUpdate().execute();
  }

  /** The view query: posts `p`, with the thread's reply count from the root `r` when p is a reply. */
  private views() {
    return this.db
      .selectFrom('posts as p')
      .leftJoin('posts as r', 'r.id', 'p.root_id')
      .selectAll('p')
      .select((eb) => eb.fn.coalesce('r.reply_count', 'p.reply_count').as('thread_reply_count'));
  }

  findById(id: string): Promise<PostView | undefined> {
    return this.views().where('p.id', '=', id).executeTakeFirst();
  }

  async findByIds(ids: readonly string[], opts: { includeDeleted?: boolean } = {}): Promise<PostView[]> {
    if (ids.length === 0) return [];
    let q = this.views().where('p.id', 'in', ids);
    if (!opts.includeDeleted) q = q.where('p.delete_at', '=', 0);
    return q.orderBy('p.create_at', 'desc').orderBy('p.id', 'desc').execute();
  }

  findByPendingId(userId: string, pendingPostId: string): Promise<PostView | undefined> {
    return this.views()
      .where('p.user_id', '=', userId)
      .where('p.pending_post_id', '=', pendingPostId)
      .executeTakeFirst();
  }

  /** Newest first, not deleted. */
  listChannel(channelId: string, o: ListOptions): Promise<PostView[]> {
    return this.live(channelId, o.rootsOnly)
      .orderBy('p.create_at', 'desc')
      .orderBy('p.id', 'desc')
      .offset(o.offset ?? 0)
      .limit(o.limit)
      .execute();
  }

  /** Posts older than the cursor, newest first, not deleted. */
  listBefore(channelId: string, cursor: PostCursor, o: ListOptions): Promise<PostView[]> {
    return this.live(channelId, o.rootsOnly)
      .where((eb) => olderThan(eb, cursor))
      .orderBy('p.create_at', 'desc')
      .orderBy('p.id', 'desc')
      .offset(o.offset ?? 0)
      .limit(o.limit)
      .execute();
  }

  /** Posts newer than the cursor, OLDEST first, not deleted. */
  listAfter(channelId: string, cursor: PostCursor, o: ListOptions): Promise<PostView[]> {
    return this.live(channelId, o.rootsOnly)
      .where((eb) => newerThan(eb, cursor))
      .orderBy('p.create_at', 'asc')
      .orderBy('p.id', 'asc')
      .offset(o.offset ?? 0)
      .limit(o.limit)
      .execute();
  }

  /** Posts created, edited or deleted at or after `since` (deleted ones included), newest first. */
  listSince(channelId: string, since: number, o: ListOptions): Promise<PostView[]> {
    let q = this.views().where('p.channel_id', '=', channelId).where('p.update_at', '>=', since);
    if (o.rootsOnly) q = q.where('p.root_id', '=', '');
    return q.orderBy('p.create_at', 'desc').orderBy('p.id', 'desc').limit(o.limit).execute();
  }

  /** A root's live replies, oldest first going 'down' (newest first 'up'), from a cursor when given. */
  async listThread(
    rootId: string,
    o: { cursor?: PostCursor; direction: 'down' | 'up'; limit: number },
  ): Promise<PostView[]> {
    let q = this.views().where('p.root_id', '=', rootId).where('p.delete_at', '=', 0);
    const { cursor } = o;
    if (cursor) q = q.where((eb) => (o.direction === 'down' ? newerThan(eb, cursor) : olderThan(eb, cursor)));
    const dir = o.direction === 'down' ? 'asc' : 'desc';
    return q.orderBy('p.create_at', dir).orderBy('p.id', dir).limit(o.limit).execute();
  }

  listPinned(channelId: string): Promise<PostView[]> {
    return this.live(channelId, false)
      .where('p.is_pinned', '=', 1)
      .orderBy('p.create_at', 'desc')
      .orderBy('p.id', 'desc')
      .limit(1000)
      .execute();
  }

  /**
   * Posts the user saved (preferences `flagged_post`, name = post id) that they can still read: in
   * channels they belong to, or public channels of their teams (every channel when `readAll`).
   */
  listFlagged(
    userId: string,
    o: { channelId?: string; teamId?: string; readAll: boolean; offset: number; limit: number },
  ): Promise<PostView[]> {
    let q = this.views()
      .innerJoin('preferences as f', (j) =>
        j
          .onRef('f.name', '=', 'p.id')
          .on('f.user_id', '=', userId)
          .on('f.category', '=', FLAGGED_POST_CATEGORY),
      )
      .innerJoin('channels as c', 'c.id', 'p.channel_id')
      .where('p.delete_at', '=', 0);
    if (!o.readAll) {
      q = q.where((eb) =>
        eb.or([
          eb.exists(
            eb
              .selectFrom('channel_members as cm')
              .select('cm.user_id')
              .whereRef('cm.channel_id', '=', 'c.id')
              .where('cm.user_id', '=', userId),
          ),
          eb.and([
            eb('c.type', '=', 'O'),
            eb.exists(
              eb
                .selectFrom('team_members as tm')
                .select('tm.user_id')
                .whereRef('tm.team_id', '=', 'c.team_id')
                .where('tm.user_id', '=', userId),
            ),
          ]),
        ]),
      );
    }
    if (o.channelId) q = q.where('p.channel_id', '=', o.channelId);
    if (o.teamId) q = q.where((eb) => eb.or([eb('c.team_id', '=', o.teamId!), eb('c.team_id', '=', '')]));
    return q.orderBy('p.create_at', 'desc').orderBy('p.id', 'desc').offset(o.offset).limit(o.limit).execute();
  }

  /** The id of the newest live post older than the cursor ('' when none). */
  async idBefore(channelId: string, cursor: PostCursor, rootsOnly = false): Promise<string> {
    const row = await this.live(channelId, rootsOnly)
      .where((eb) => olderThan(eb, cursor))
      .orderBy('p.create_at', 'desc')
      .orderBy('p.id', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row?.id ?? '';
  }

  /** The id of the oldest live post newer than the cursor ('' when none). */
  async idAfter(channelId: string, cursor: PostCursor, rootsOnly = false): Promise<string> {
    const row = await this.live(channelId, rootsOnly)
      .where((eb) => newerThan(eb, cursor))
      .orderBy('p.create_at', 'asc')
      .orderBy('p.id', 'asc')
      .limit(1)
      .executeTakeFirst();
    return row?.id ?? '';
  }

  private live(channelId: string, rootsOnly: boolean | undefined) {
    let q = this.views().where('p.channel_id', '=', channelId).where('p.delete_at', '=', 0);
    if (rootsOnly) q = q.where('p.root_id', '=', '');
    return q;
  }

  /**
   * Soft-deletes a post and, when it is a root, its replies. Returns the ids of the posts this call
   * deleted (the post first), so that what hangs off them (files) can follow.
   */
  async softDeleteWithReplies(postId: string, at: number): Promise<string[]> {
    const rows = await this.db
      .updateTable('posts')
      .set({ delete_at: at, update_at: at })
      .where((eb) => eb.or([eb('id', '=', postId), eb('root_id', '=', postId)]))
      .where('delete_at', '=', 0)
      .returning('id')
      .execute();
    const ids = rows.map((r) => r.id).filter((id) => id !== postId);
    return rows.length > ids.length ? [postId, ...ids] : ids;
  }

  /**
   * Recounts a root's live replies and its last reply time; `touchAt` also moves its update_at, so
   * clients asking for changes `since` see the new count. One statement; answers the new reply count
   * (undefined when the root does not exist).
   */
  async refreshThread(rootId: string, touchAt: number): Promise<number | undefined> {
    const row = await this.db
      .updateTable('posts')
      .set((eb) => ({
        reply_count: eb
          .selectFrom('posts as c')
          .select((s) => s.fn.countAll<number>().as('n'))
          .where('c.root_id', '=', rootId)
          .where('c.delete_at', '=', 0),
        last_reply_at: eb
          .selectFrom('posts as c')
          .select((s) => s.fn.coalesce(s.fn.max('c.create_at'), sql<number>`0`).as('last'))
          .where('c.root_id', '=', rootId)
          .where('c.delete_at', '=', 0),
        update_at: touchAt,
      }))
      .where('id', '=', rootId)
      .returning('reply_count')
      .executeTakeFirst();
    return row === undefined ? undefined : Number(row.reply_count);
  }

  // ---- channel counters (posting's effect on channels and memberships) ----

  /**
   * Counts one more post in the channel, in one statement, and answers the new totals. The post's time
   * is `now`, or one millisecond after the channel's last post when that is not earlier: posts of a
   * channel get strictly increasing create_at, so that time alone orders a timeline. The answer's
   * last_post_at is that time. The UPDATE locks the channel's row on PostgreSQL until the transaction
   * ends, so concurrent posts take increasing times (SQLite runs one transaction at a time). Undefined
   * when the channel does not exist.
   */
  async countNewPost(channelId: string, now: number, isRoot: boolean): Promise<ChannelCounters | undefined> {
    const at = sql<number>`case when last_post_at >= ${now} then last_post_at + 1 else ${now} end`;
    const row = await this.db
      .updateTable('channels')
      .set((eb) => ({
        total_msg_count: eb('total_msg_count', '+', 1),
        total_msg_count_root: eb('total_msg_count_root', '+', isRoot ? 1 : 0),
        last_post_at: at,
        ...(isRoot
          ? {
              // In an UPDATE every column reads its old value, so `at` is the post's time here too.
              last_root_post_at: sql<number>`case when last_root_post_at < ${at} then ${at} else last_root_post_at end`,
            }
          : {}),
      }))
      .where('id', '=', channelId)
      .returning(['total_msg_count', 'total_msg_count_root', 'last_post_at'])
      .executeTakeFirst();
    return row;
  }

  /**
   * A post's effect on memberships, in one statement: the poster has read the channel up to their
   * post (nothing in it is unread to them), and each mentioned member's mention counts go up.
   */
  async applyPostToMembers(
    channelId: string,
    posterId: string,
    counters: ChannelCounters,
    mentioned: readonly string[],
    isRoot: boolean,
    at: number,
  ): Promise<void> {
    const poster = sql<boolean>`user_id = ${posterId}`;
    const others = mentioned.filter((id) => id !== posterId);
    await this.db
      .updateTable('channel_members')
      .set((eb) => ({
        msg_count: sql<number>`case when ${poster} then ${counters.total_msg_count} else msg_count end`,
        msg_count_root: sql<number>`case when ${poster} then ${counters.total_msg_count_root} else msg_count_root end`,
        mention_count: sql<number>`case when ${poster} then 0 else ${eb('mention_count', '+', 1)} end`,
        mention_count_root: sql<number>`case when ${poster} then 0 else ${eb('mention_count_root', '+', isRoot ? 1 : 0)} end`,
        last_viewed_at: sql<number>`case when ${poster} then ${at} else last_viewed_at end`,
        last_update_at: at,
      }))
      .where('channel_id', '=', channelId)
      .where('user_id', 'in', [posterId, ...others])
      .execute();
  }

  /** Every member of the channel (for @channel, @all, @here and D/G channels). */
  async channelMemberIds(channelId: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom('channel_members')
      .select('user_id')
      .where('channel_id', '=', channelId)
      .execute();
    return rows.map((r) => r.user_id);
  }

  /** Members of the channel among the given usernames (lower case), for @username mentions. */
  async channelMemberIdsByUsernames(channelId: string, usernames: readonly string[]): Promise<string[]> {
    if (usernames.length === 0) return [];
    const rows = await this.db
      .selectFrom('channel_members as cm')
      .innerJoin('users as u', 'u.id', 'cm.user_id')
      .select('cm.user_id')
      .where('cm.channel_id', '=', channelId)
      .where('u.username', 'in', usernames)
      .where('u.delete_at', '=', 0)
      .execute();
    return rows.map((r) => r.user_id);
  }
}

function olderThan(eb: PostsEB, c: PostCursor) {
  if (c.id === undefined) return eb('p.create_at', '<=', c.create_at);
  return eb.or([
    eb('p.create_at', '<', c.create_at),
    eb.and([eb('p.create_at', '=', c.create_at), eb('p.id', '<', c.id)]),
  ]);
}

function newerThan(eb: PostsEB, c: PostCursor) {
  if (c.id === undefined) return eb('p.create_at', '>', c.create_at);
  return eb.or([
    eb('p.create_at', '>', c.create_at),
    eb.and([eb('p.create_at', '=', c.create_at), eb('p.id', '>', c.id)]),
  ]);
}
