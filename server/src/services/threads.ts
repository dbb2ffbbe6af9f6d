/**
 * Thread following (Mattermost's collapsed-reply-threads API): a user's membership of a thread, keyed
 * by its root post, says whether they follow it and what they have read. The root's author and every
 * replier follow automatically (followThreadOnPostTx, called from post creation); a user who explicitly
 * unfollowed stays unfollowed until they reply. Following needs read access to the root's channel.
 */
import { AppError, forbidden, notFound } from '../lib/errors.js';
import { broadcastOf, type ServerEvent } from '../realtime/events.js';
import type { Store } from '../store/store.js';
import type { FollowedThreadRow, FollowedThreadTotals, ThreadMembershipRow } from '../store/threads.js';
import type { PostView } from '../store/posts.js';
import { accessTeam } from './access.js';
import { inTransaction, type Actor, type Deps } from './context.js';
import { PostService, accessPost } from './posts.js';

/** A root post as the post service hands it out (with its reactions and files), ready to present. */
export type ThreadRootPost = Awaited<ReturnType<PostService['getByIds']>>[number];

export interface ThreadView {
  membership: ThreadMembershipRow;
  root: ThreadRootPost;
  participants: string[];
  unreadReplies: number;
}

export interface ThreadListOptions {
  before?: string;
  after?: string;
  perPage: number;
  unread: boolean;
  deleted: boolean;
  since: number;
  totalsOnly: boolean;
  threadsOnly: boolean;
}

export interface ThreadList extends FollowedThreadTotals {
  threads: ThreadView[];
}

/**
 * Inside post creation's transaction: a reply makes its author follow the thread (and have read it up
 * to the reply), the root's author and the users the reply mentions follow unless they have chosen
 * otherwise, and the mentions count as unread for them. A root post starts no thread yet.
 */
export async function followThreadOnPostTx(
  tx: Store,
  rootId: string,
  userId: string,
  createAt: number,
  mentioned: readonly string[],
): Promise<void> {
  if (rootId === '') return;
  const post = { user_id: userId, create_at: createAt };
  const root = await tx.posts.findById(rootId);
  if (!root) return;
  await tx.threads.setFollowing(root.id, post.user_id, true, post.create_at);
  await tx.threads.markViewed(root.id, post.user_id, post.create_at, post.create_at);
  await tx.threads.followUnlessMember(
    root.id,
    [...new Set([root.user_id, ...mentioned])].filter((id) => id !== post.user_id),
    post.create_at,
  );
  await tx.threads.addMentions(
    root.id,
    mentioned.filter((id) => id !== post.user_id),
    post.create_at,
  );
}

export class ThreadService {
  private readonly posts: PostService;

  constructor(private readonly deps: Deps) {
    this.posts = new PostService(deps);
  }

  private requireSelfOrAdmin(actor: Actor, userId: string): void {
    if (actor.userId !== userId && !actor.isSystemAdmin) throw forbidden();
  }

  /** The root post of a thread the actor may read, in the given team (or a direct/group channel). */
  private async accessThreadRoot(
    store: Store,
    actor: Actor,
    teamId: string,
    threadId: string,
  ): Promise<PostView> {
    await accessTeam(store, actor, teamId);
    let post: PostView;
    try {
      ({ post } = await accessPost(store, actor, threadId));
    } catch (err) {
      if (err instanceof AppError && err.status === 404) throw notFound('thread');
      throw err;
    }
    if (post.root_id !== '') throw notFound('thread');
    const channel = await store.channels.findById(post.channel_id);
    if (!channel || (channel.team_id !== '' && channel.team_id !== teamId)) throw notFound('thread');
    return post;
  }

  /** Roots the actor can no longer read, or that were deleted, drop out. */
  private async views(
    store: Store,
    actor: Actor,
    userId: string,
    members: readonly (ThreadMembershipRow | FollowedThreadRow)[],
  ): Promise<ThreadView[]> {
    const roots = await this.posts.getByIds(
      actor,
      members.map((m) => m.post_id),
    );
    const byId = new Map(roots.map((r) => [r.post.id, r]));
    const participants = await store.threads.participants(roots.map((r) => r.post));
    const out: ThreadView[] = [];
    for (const membership of members) {
      const root = byId.get(membership.post_id);
      if (!root) continue;
      const unread =
        'unread_replies' in membership
          ? membership.unread_replies
          : await store.threads.countUnreadReplies(root.post.id, userId, membership.last_viewed);
      out.push({
        membership,
        root,
        participants: participants.get(root.post.id) ?? [root.post.user_id],
        unreadReplies: unread,
      });
    }
    return out;
  }

  async list(actor: Actor, userId: string, teamId: string, opts: ThreadListOptions): Promise<ThreadList> {
    this.requireSelfOrAdmin(actor, userId);
    const { store } = this.deps;
    await accessTeam(store, actor, teamId);
    const cursor = async (id: string | undefined) => {
      if (!id) return undefined;
      const p = await store.posts.findById(id);
      return p ? { last_reply_at: p.last_reply_at, id: p.id } : undefined;
    };
    const before = await cursor(opts.before);
    const after = await cursor(opts.after);
    const totals = opts.threadsOnly
      ? { total: 0, total_unread_threads: 0, total_unread_mentions: 0 }
      : await store.threads.followedTotals({ userId, teamId, deleted: opts.deleted });
    if (opts.totalsOnly) return { ...totals, threads: [] };
    const rows = await store.threads.listFollowed({
      userId,
      teamId,
      unread: opts.unread,
      deleted: opts.deleted,
      since: opts.since,
      ...(before ? { before } : {}),
      ...(after ? { after } : {}),
      limit: opts.perPage,
    });
    return { ...totals, threads: await this.views(store, actor, userId, rows) };
  }

  /**
   * The user's view of one thread they can read. Without a membership (they never followed, replied or
   * read it) the answer is the thread as not followed: `is_following` false, nothing unread. Mattermost
   * answers 404 there (`app.user.get_thread_membership_for_user.not_found`); Parley answers what a
   * client asks, whether the user follows, without an error for the common case. A thread the user
   * cannot read is still a 404, like an unknown id.
   */
  async get(actor: Actor, userId: string, teamId: string, threadId: string): Promise<ThreadView> {
    this.requireSelfOrAdmin(actor, userId);
    const { store } = this.deps;
    await this.accessThreadRoot(store, actor, teamId, threadId);
    const membership: ThreadMembershipRow | FollowedThreadRow = (await store.threads.find(
      threadId,
      userId,
    )) ?? {
      post_id: threadId,
      user_id: userId,
      following: 0,
      last_viewed: 0,
      last_updated: 0,
      unread_mentions: 0,
      unread_replies: 0,
    };
    const [view] = await this.views(store, actor, userId, [membership]);
    if (!view) throw notFound('thread');
    return view;
  }

  async setFollowing(
    actor: Actor,
    userId: string,
    teamId: string,
    threadId: string,
    following: boolean,
  ): Promise<void> {
    this.requireSelfOrAdmin(actor, userId);
    const root = await this.accessThreadRoot(this.deps.store, actor, teamId, threadId);
    await inTransaction(this.deps, async (tx, events) => {
      await tx.threads.setFollowing(threadId, userId, following, this.deps.now());
      events.push(
        userEvent(userId, 'thread_follow_changed', {
          thread_id: threadId,
          state: following,
          reply_count: root.reply_count,
        }),
      );
    });
  }

  /** The user has read the thread up to `timestamp` (ms). */
  async markRead(
    actor: Actor,
    userId: string,
    teamId: string,
    threadId: string,
    timestamp: number,
  ): Promise<ThreadView> {
    this.requireSelfOrAdmin(actor, userId);
    const { store } = this.deps;
    await this.accessThreadRoot(store, actor, teamId, threadId);
    await inTransaction(this.deps, async (tx, events) => {
      const now = this.deps.now();
      // Reading a thread one has no membership of does not make one follow it.
      if (!(await tx.threads.find(threadId, userId))) {
        await tx.threads.setFollowing(threadId, userId, false, now);
      }
      await tx.threads.markViewed(threadId, userId, timestamp, now);
      events.push(
        userEvent(userId, 'thread_read_changed', {
          thread_id: threadId,
          timestamp,
          unread_mentions: 0,
          unread_replies: await tx.threads.countUnreadReplies(threadId, userId, timestamp),
        }),
      );
    });
    return this.get(actor, userId, teamId, threadId);
  }

  async markAllRead(actor: Actor, userId: string, teamId: string): Promise<void> {
    this.requireSelfOrAdmin(actor, userId);
    const { store } = this.deps;
    await accessTeam(store, actor, teamId);
    await inTransaction(this.deps, async (tx, events) => {
      const ids = await tx.threads.followedIds(userId, teamId);
      const now = this.deps.now();
      await tx.threads.markAllViewed(userId, ids, now);
      events.push(userEvent(userId, 'thread_read_changed', { timestamp: now }));
    });
  }
}

function userEvent(userId: string, event: string, data: Record<string, unknown>): ServerEvent {
  return {
    event,
    data,
    broadcast: broadcastOf({ user_id: userId }),
    audience: { kind: 'users', userIds: [userId] },
  };
}
