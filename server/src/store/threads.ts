import { sql, type Selectable } from 'kysely';
import type { ThreadMembershipsTable } from '../db/schema.js';
import type { PostView } from './posts.js';
import type { Executor } from './store.js';

export type ThreadMembershipRow = Selectable<ThreadMembershipsTable>;

/** A followed thread as listed: the membership, with the count of replies the member has not seen. */
export interface FollowedThreadRow extends ThreadMembershipRow {
  unread_replies: number;
}

export interface FollowedThreadsQuery {
  userId: string;
  teamId: string;
  /** Only threads with unread replies. */
  unread: boolean;
  /** Also threads whose root post was deleted. */
  deleted: boolean;
  /** Only threads changed after this time (ms); 0 for all. */
  since: number;
  /** Paging by a thread id: threads ordered after (older than) it, or before (newer than) it. */
  before?: { last_reply_at: number; id: string };
  after?: { last_reply_at: number; id: string };
  limit: number;
}

export interface FollowedThreadTotals {
  total: number;
  total_unread_threads: number;
  total_unread_mentions: number;
}

export class ThreadStore {
  constructor(private readonly db: Executor) {}

  find(postId: string, userId: string): Promise<ThreadMembershipRow | undefined> {
    return this.db
      .selectFrom('thread_memberships')
      .selectAll()
      .where('post_id', '=', postId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
  }

  /** Creates or updates the membership with the given following state. */
  async setFollowing(postId: string, userId: string, following: boolean, now: number): Promise<void> {
    const f = following ? 1 : 0;
    await this.db
      .insertInto('thread_memberships')
      .values({
        post_id: postId,
        user_id: userId,
        following: f,
        last_viewed: 0,
        last_updated: now,
        unread_mentions: 0,
      })
      .onConflict((oc) => oc.columns(['post_id', 'user_id']).doUpdateSet({ following: f, last_updated: now }))
      .execute();
  }

  /** Makes users follow the thread unless they already have a membership (an explicit unfollow stays). */
  async followUnlessMember(postId: string, userIds: readonly string[], now: number): Promise<void> {
    if (userIds.length === 0) return;
    await this.db
      .insertInto('thread_memberships')
      .values(
        userIds.map((user_id) => ({
          post_id: postId,
          user_id,
          following: 1,
          last_viewed: 0,
          last_updated: now,
          unread_mentions: 0,
        })),
      )
      .onConflict((oc) => oc.columns(['post_id', 'user_id']).doNothing())
      .execute();
  }

  /** The member has seen the thread up to `at`: replies before it are read, mentions are cleared. */
  async markViewed(postId: string, userId: string, at: number, now: number): Promise<void> {
    await this.db
      .updateTable('thread_memberships')
      .set({ last_viewed: at, unread_mentions: 0, last_updated: now })
      .where('post_id', '=', postId)
      .where('user_id', '=', userId)
      .execute();
  }

  /** Marks every followed thread of the user read up to `at`. */
  async markAllViewed(userId: string, postIds: readonly string[], at: number): Promise<void> {
    if (postIds.length === 0) return;
    await this.db
      .updateTable('thread_memberships')
      .set({ last_viewed: at, unread_mentions: 0, last_updated: at })
      .where('user_id', '=', userId)
      .where('post_id', 'in', postIds)
      .execute();
  }

  async addMentions(postId: string, userIds: readonly string[], now: number): Promise<void> {
    if (userIds.length === 0) return;
    await this.db
      .updateTable('thread_memberships')
      .set((eb) => ({ unread_mentions: eb('unread_mentions', '+', 1), last_updated: now }))
      .where('post_id', '=', postId)
      .where('user_id', 'in', userIds)
      .execute();
  }

  /** Replies to the thread by others than the user after `since`, not deleted. */
  async countUnreadReplies(postId: string, userId: string, since: number): Promise<number> {
    const r = await this.db
      .selectFrom('posts')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('root_id', '=', postId)
      .where('delete_at', '=', 0)
      .where('create_at', '>', since)
      .where('user_id', '<>', userId)
      .executeTakeFirst();
    return Number(r?.n ?? 0);
  }

  /**
   * The followed threads of one team (and of direct and group channels), newest reply first, limited
   * to channels the user can still read: those they are a member of, and public ones of the team.
   */
  private followedBase(q: Pick<FollowedThreadsQuery, 'userId' | 'teamId' | 'deleted' | 'since'>) {
    let base = this.db
      .selectFrom('thread_memberships as tm')
      .innerJoin('posts as p', 'p.id', 'tm.post_id')
      .innerJoin('channels as c', 'c.id', 'p.channel_id')
      .where('tm.user_id', '=', q.userId)
      .where('tm.following', '=', 1)
      .where((eb) => eb.or([eb('c.team_id', '=', q.teamId), eb('c.team_id', '=', '')]))
      .where((eb) =>
        eb.or([
          eb.and([eb('c.type', '=', 'O'), eb('c.team_id', '=', q.teamId)]),
          eb.exists(
            eb
              .selectFrom('channel_members as cm')
              .select('cm.user_id')
              .whereRef('cm.channel_id', '=', 'c.id')
              .where('cm.user_id', '=', q.userId),
          ),
        ]),
      );
    if (!q.deleted) base = base.where('p.delete_at', '=', 0);
    if (q.since > 0)
      base = base.where((eb) =>
        eb.or([eb('p.update_at', '>', q.since), eb('tm.last_updated', '>', q.since)]),
      );
    return base;
  }

  private unreadRepliesExpr() {
    return sql<number>`(select count(*) from posts r where r.root_id = tm.post_id and r.delete_at = 0 and r.create_at > tm.last_viewed and r.user_id <> tm.user_id)`;
  }

  async listFollowed(q: FollowedThreadsQuery): Promise<FollowedThreadRow[]> {
    let query = this.followedBase(q).selectAll('tm').select(this.unreadRepliesExpr().as('unread_replies'));
    if (q.unread) query = query.where(this.unreadRepliesExpr(), '>', 0);
    const { before, after } = q;
    if (before) {
      query = query.where((eb) =>
        eb.or([
          eb('p.last_reply_at', '<', before.last_reply_at),
          eb.and([eb('p.last_reply_at', '=', before.last_reply_at), eb('p.id', '<', before.id)]),
        ]),
      );
    }
    if (after) {
      query = query.where((eb) =>
        eb.or([
          eb('p.last_reply_at', '>', after.last_reply_at),
          eb.and([eb('p.last_reply_at', '=', after.last_reply_at), eb('p.id', '>', after.id)]),
        ]),
      );
    }
    const rows = await query
      .orderBy('p.last_reply_at', 'desc')
      .orderBy('p.id', 'desc')
      .limit(q.limit)
      .execute();
    return rows.map((r) => ({ ...r, unread_replies: Number(r.unread_replies) }));
  }

  async followedTotals(
    q: Pick<FollowedThreadsQuery, 'userId' | 'teamId' | 'deleted'>,
  ): Promise<FollowedThreadTotals> {
    const r = await this.followedBase({ ...q, since: 0 })
      .select((eb) => [
        eb.fn.countAll<number>().as('total'),
        sql<number>`coalesce(sum(case when ${this.unreadRepliesExpr()} > 0 then 1 else 0 end), 0)`.as(
          'unread_threads',
        ),
        sql<number>`coalesce(sum(tm.unread_mentions), 0)`.as('unread_mentions'),
      ])
      .executeTakeFirst();
    return {
      total: Number(r?.total ?? 0),
      total_unread_threads: Number(r?.unread_threads ?? 0),
      total_unread_mentions: Number(r?.unread_mentions ?? 0),
    };
  }

  /** Ids of every followed thread of the team that the user can read (for "mark all read"). */
  async followedIds(userId: string, teamId: string): Promise<string[]> {
    const rows = await this.followedBase({ userId, teamId, deleted: false, since: 0 })
      .select('tm.post_id')
      .execute();
    return rows.map((r) => r.post_id);
  }

  /** Participants per thread: the root's author, then repliers in the order of their first reply. */
  async participants(roots: readonly PostView[]): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>(roots.map((r) => [r.id, [r.user_id]]));
    if (roots.length === 0) return out;
    const rows = await this.db
      .selectFrom('posts')
      .select(['root_id', 'user_id'])
      .select((eb) => eb.fn.min('create_at').as('first'))
      .where(
        'root_id',
        'in',
        roots.map((r) => r.id),
      )
      .where('delete_at', '=', 0)
      .groupBy(['root_id', 'user_id'])
      .orderBy('first')
      .execute();
    for (const r of rows) {
      const list = out.get(r.root_id);
      if (list && !list.includes(r.user_id)) list.push(r.user_id);
    }
    return out;
  }
}
