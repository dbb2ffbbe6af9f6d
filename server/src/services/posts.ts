/**
 * Posts: create (with pending_post_id idempotency, counters and mentions in the same transaction),
 * read (lists, threads, unread, pinned, saved), edit, delete, pin. Every route goes through
 * accessPost/accessChannel first, so a post the actor may not see answers exactly like one that does
 * not exist.
 *
 * Files: `file_ids` on create claims the author's uploads (services/files.ts decides which may be
 * claimed) and is stored with the post; it is server-owned afterwards, so edits ignore it. Every read
 * loads the files of all the posts it hands out in one query (withDetails). Deleting a post, and the
 * replies a root takes with it, ends all access to their files in the same transaction.
 */
import { newId, isId } from '../lib/ids.js';
import { AppError, badRequest, forbidden, notFound } from '../lib/errors.js';
import { broadcastOf, type ServerEvent } from '../realtime/events.js';
import { P, can, type Permission } from '../permissions/roles.js';
import { isUniqueViolation, type Store } from '../store/store.js';
import type { PostCursor, PostView } from '../store/posts.js';
import type { ReactionRow } from '../store/reactions.js';
import type { FileRow } from '../store/files.js';
import type { ChannelRow } from '../store/channels.js';
import type { UserRow } from '../store/users.js';
import { presentPost } from '../api/v4/present-posts.js';
import {
  accessChannel,
  channelPermissionContext,
  requireChannelPermission,
  type ChannelAccess,
} from './access.js';
import { inTransaction, type Actor, type Deps } from './context.js';
import {
  attachFilesTx,
  detachFilesForDeletedPostsTx,
  fileInfosForPosts,
  MAX_FILES_PER_POST,
} from './files.js';
import { parseHashtags, parseMentions } from './mentions.js';
import { followThreadOnPostTx } from './threads.js';

export const MAX_MESSAGE_RUNES = 16383;
const MAX_PROPS_JSON = 64 * 1024;
const MAX_PENDING_POST_ID = 64;
const MAX_ATTACHMENTS = 100;
/** `since` answers at most this many posts, as Mattermost does. */
const SINCE_LIMIT = 1000;
const THREAD_LIMIT = 1000;

/** A post as the services hand it out: the row, its reactions and its live files. */
export interface PostWithDetails {
  post: PostView;
  reactions: readonly ReactionRow[];
  files: readonly FileRow[];
}

/** A post list; `posts` may hold more posts than `order` (the roots of listed replies). */
export interface PostListResult {
  order: string[];
  posts: PostWithDetails[];
  nextPostId: string;
  prevPostId: string;
  hasNext: boolean;
}

export interface ChannelPostsQuery {
  page: number;
  perPage: number;
  since?: number;
  before?: string;
  after?: string;
  /** Collapsed threads: list root posts only. */
  rootsOnly: boolean;
  /** Also hand out the roots of the replies listed (Mattermost's skipFetchThreads=false). */
  fetchThreads: boolean;
}

export interface ThreadQuery {
  perPage?: number;
  direction: 'down' | 'up';
  fromPost?: string;
  fromCreateAt?: number;
}

interface PostContent {
  message: string;
  props: Record<string, unknown>;
}

interface NewPost extends PostContent {
  channelId: string;
  rootId: string;
  type: string;
  pendingPostId: string | null;
  fileIds: string[];
}

// ---- input checks ----

const invalid = (field: string, message: string) =>
  badRequest(`model.post.is_valid.${field}.app_error`, message);

/** A new post may have no text when it carries files (a picture, a voice message), as in Mattermost. */
function checkMessage(v: unknown, allowEmpty = false): string {
  if (typeof v !== 'string') throw invalid('msg', 'message must be a string.');
  if (v === '' && !allowEmpty) throw invalid('msg', 'message must not be empty.');
  if ([...v].length > MAX_MESSAGE_RUNES) {
    throw invalid('msg', `message must be at most ${MAX_MESSAGE_RUNES} characters.`);
  }
  return v;
}

/**
 * Props only the server may set (Mattermost's: who or what posted, display overrides, system-message
 * data); a client's are dropped. Every other prop is kept as sent, so that bots and integrations find
 * their own props again, within the size and depth limits.
 */
const SERVER_OWNED_PROPS = new Set([
  'from_webhook',
  'from_bot',
  'from_oauth_app',
  'from_plugin',
  'override_username',
  'override_icon_url',
  'override_icon_emoji',
  'webhook_display_name',
  'mentionHighlightDisabled',
  'add_channel_member',
  'force_notification',
]);
const MAX_PROPS_KEYS = 100;
const MAX_PROPS_DEPTH = 16;

/** Depth of nested arrays and objects in a parsed JSON value, stopping once past `max`. */
function jsonDepthOver(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (depth >= max) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, depth + 1]);
  }
  return false;
}

function checkProps(v: unknown): Record<string, unknown> {
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw invalid('props', 'props must be an object.');
  const src = v as Record<string, unknown>;
  const keys = Object.keys(src);
  if (keys.length > MAX_PROPS_KEYS) throw invalid('props', `props may have at most ${MAX_PROPS_KEYS} keys.`);
  if (jsonDepthOver(src, MAX_PROPS_DEPTH)) throw invalid('props', 'props are nested too deeply.');
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    if (SERVER_OWNED_PROPS.has(key) || key.length > 256 || src[key] === undefined) continue;
    out[key] = src[key];
  }
  // The props Parley's own client reads keep their shapes.
  const a = src.attachments;
  if (
    a !== undefined &&
    (!Array.isArray(a) || a.length > MAX_ATTACHMENTS || !a.every((x) => typeof x === 'object' && x !== null))
  )
    throw invalid('props', 'props.attachments must be an array of objects.');
  if (src.disable_group_highlight !== undefined && typeof src.disable_group_highlight !== 'boolean')
    throw invalid('props', 'props.disable_group_highlight must be a boolean.');
  if (src.card !== undefined && typeof src.card !== 'string')
    throw invalid('props', 'props.card must be a string.');
  if (JSON.stringify(out).length > MAX_PROPS_JSON) throw invalid('props', 'props are too large.');
  return out;
}

/** file_ids on create: ids of the author's uploads (which ones may be claimed is attachFilesTx's call). */
function checkFileIds(v: unknown): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || !v.every((x) => isId(x)))
    throw invalid('file_ids', 'file_ids must be an array of file ids.');
  const ids = [...new Set(v)];
  if (ids.length > MAX_FILES_PER_POST)
    throw invalid('file_ids', `A post can carry at most ${MAX_FILES_PER_POST} files.`);
  return ids;
}

function checkNewPost(body: Record<string, unknown>): NewPost {
  if (!isId(body.channel_id)) throw invalid('channel_id', 'Invalid channel_id.');
  const rootId = body.root_id ?? '';
  if (rootId !== '' && !isId(rootId)) throw invalid('root_id', 'Invalid root_id.');
  const type = body.type ?? '';
  // Clients may not post system messages; plugins' custom_* types are theirs.
  if (typeof type !== 'string' || (type !== '' && !/^custom_[a-z0-9_]{1,57}$/.test(type)))
    throw invalid('type', 'Invalid post type.');
  const pending = body.pending_post_id ?? '';
  if (typeof pending !== 'string' || pending.length > MAX_PENDING_POST_ID)
    throw invalid('pending_post_id', 'Invalid pending_post_id.');
  const fileIds = checkFileIds(body.file_ids);
  return {
    channelId: body.channel_id,
    rootId: rootId as string,
    type,
    message: checkMessage(body.message, fileIds.length > 0),
    props: checkProps(body.props),
    pendingPostId: pending === '' ? null : pending,
    fileIds,
  };
}

// ---- access ----

export interface PostAccess {
  post: PostView;
  access: ChannelAccess;
}

/** The post, when the actor may read its channel; 404 (like an unknown id) otherwise. */
export async function accessPost(
  store: Store,
  actor: Actor,
  postId: string,
  opts: { includeDeleted?: boolean } = {},
): Promise<PostAccess> {
  const post = await store.posts.findById(postId);
  if (!post || (post.delete_at !== 0 && !opts.includeDeleted)) throw notFound('post');
  try {
    return { post, access: await accessChannel(store, actor, post.channel_id) };
  } catch (err) {
    if (err instanceof AppError && err.status === 404) throw notFound('post');
    throw err;
  }
}

/** Writes to an archived channel are refused. */
export function requireWritable(channel: ChannelRow): void {
  if (channel.delete_at !== 0) {
    throw new AppError(
      403,
      'api.post.create_post.can_not_post_to_deleted.error',
      'Can not post to a deleted or archived channel.',
    );
  }
}

/**
 * Attaches reactions and files to rows: one query for the reactions, and one for the files of the live
 * posts that were created with files (most posts have none, and then no query runs).
 */
export async function withDetails(store: Store, rows: readonly PostView[]): Promise<PostWithDetails[]> {
  const reactions = await store.reactions.listForPosts(rows.map((r) => r.id));
  const byPost = new Map<string, ReactionRow[]>();
  for (const r of reactions) {
    const list = byPost.get(r.post_id);
    if (list) list.push(r);
    else byPost.set(r.post_id, [r]);
  }
  const withFiles = rows.filter((r) => r.delete_at === 0 && r.file_ids !== '[]').map((r) => r.id);
  const files =
    withFiles.length > 0 ? await fileInfosForPosts(store, withFiles) : new Map<string, FileRow[]>();
  return rows.map((post) => ({
    post,
    reactions: byPost.get(post.id) ?? [],
    files: files.get(post.id) ?? [],
  }));
}

const cursorOf = (p: PostView): PostCursor => ({ create_at: p.create_at, id: p.id });

function postEvent(event: string, channel: ChannelRow, data: Record<string, unknown>): ServerEvent {
  return {
    event,
    data,
    broadcast: broadcastOf({ channel_id: channel.id }),
    audience: { kind: 'channel', channelId: channel.id },
  };
}

export class PostService {
  constructor(private readonly deps: Deps) {}

  // ---- writes ----

  async create(actor: Actor, body: Record<string, unknown>): Promise<PostWithDetails> {
    const input = checkNewPost(body);
    const { store } = this.deps;
    try {
      const access = await accessChannel(store, actor, input.channelId);
      if (!access.member) throw forbidden('Only members of the channel may post in it.');
      requireChannelPermission(actor, access, P.createPost);
      requireWritable(access.channel);
      const sender = await store.users.findById(actor.userId);
      if (!sender) throw notFound('user');
      return await inTransaction(this.deps, (tx, events) =>
        this.createTx(tx, events, actor, access, sender, input),
      );
    } catch (err) {
      // A retry of a post that was already stored answers with that post, whatever would refuse it
      // now. The unique (user_id, pending_post_id) constraint refuses a second insert, so the post is
      // looked for only when creating failed (a retry's files, claimed by the first attempt, are
      // refused before that), not before every post.
      if (
        input.pendingPostId &&
        (err instanceof AppError || isUniqueViolation(err) || isFileClaimRefusal(err))
      ) {
        const existing = await store.posts.findByPendingId(actor.userId, input.pendingPostId);
        if (existing) return (await withDetails(store, [existing]))[0]!;
      }
      throw err;
    }
  }

  private async createTx(
    tx: Store,
    events: ServerEvent[],
    actor: Actor,
    access: ChannelAccess,
    sender: UserRow,
    input: NewPost,
  ): Promise<PostWithDetails> {
    const { channel } = access;
    const isRoot = input.rootId === '';
    if (!isRoot) {
      const root = await tx.posts.findById(input.rootId);
      if (!root || root.channel_id !== channel.id || root.root_id !== '' || root.delete_at !== 0) {
        throw badRequest('api.post.create_post.root_id.app_error', 'Invalid root_id.');
      }
    }
    // Counted first: the channel's row answers the post's time (strictly increasing in a channel, so
    // that time alone orders a timeline) and stays locked on PostgreSQL until the commit.
    const totals = await tx.posts.countNewPost(channel.id, this.deps.now(), isRoot);
    if (!totals) throw notFound('channel');
    const createAt = totals.last_post_at;
    const id = newId();
    const files = await attachFilesTx(tx, actor, channel.id, id, input.fileIds, createAt);
    const row = await tx.posts.insertReturning({
      id,
      channel_id: channel.id,
      user_id: actor.userId,
      root_id: input.rootId,
      create_at: createAt,
      update_at: createAt,
      edit_at: 0,
      delete_at: 0,
      is_pinned: 0,
      message: input.message,
      type: input.type,
      props: JSON.stringify(input.props),
      hashtags: parseHashtags(input.message),
      file_ids: JSON.stringify(files.map((f) => f.id)),
      pending_post_id: input.pendingPostId,
      reply_count: 0,
      last_reply_at: 0,
    });
    // A reply carries its thread's reply count (PostView), which the recount answers.
    const threadReplyCount = isRoot ? row.reply_count : await tx.posts.refreshThread(input.rootId, createAt);

    const mentioned = await this.mentionedMembers(tx, actor, access, input.message);
    await tx.posts.applyPostToMembers(channel.id, actor.userId, totals, mentioned, isRoot, createAt);
    await followThreadOnPostTx(tx, input.rootId, actor.userId, createAt, mentioned);

    const post: PostView = { ...row, thread_reply_count: threadReplyCount ?? row.reply_count };
    const created: PostWithDetails = { post, reactions: [], files };
    events.push(
      postEvent('posted', channel, {
        post: JSON.stringify(presentPost(created)),
        channel_type: channel.type,
        channel_display_name: channel.type === 'D' ? '@' + sender.username : channel.display_name,
        channel_name: channel.name,
        sender_name: '@' + sender.username,
        team_id: channel.team_id,
        set_online: true,
        ...(mentioned.length > 0 ? { mentions: JSON.stringify(mentioned) } : {}),
      }),
    );
    return created;
  }

  /**
   * Members (other than the poster) whose mention count this message raises: every other member in
   * direct and group channels; elsewhere those named by @username, and everyone for @channel, @all
   * and @here when the poster may use channel-wide mentions.
   */
  private async mentionedMembers(
    tx: Store,
    actor: Actor,
    access: ChannelAccess,
    message: string,
  ): Promise<string[]> {
    const { channel } = access;
    const ids = new Set<string>();
    if (channel.type === 'D' || channel.type === 'G') {
      for (const id of await tx.posts.channelMemberIds(channel.id)) ids.add(id);
    } else {
      const parsed = parseMentions(message);
      const channelWide =
        (parsed.channel || parsed.here) && can(channelPermissionContext(actor, access), P.useChannelMentions);
      if (channelWide) {
        for (const id of await tx.posts.channelMemberIds(channel.id)) ids.add(id);
      } else {
        for (const id of await tx.posts.channelMemberIdsByUsernames(channel.id, parsed.usernames))
          ids.add(id);
      }
    }
    ids.delete(actor.userId);
    return [...ids].sort();
  }

  /**
   * PUT /posts/{id}: the whole editable content (message, props) is replaced. file_ids is not editable
   * content: the files were claimed at creation and stay (a client echoing them back changes nothing).
   */
  async update(actor: Actor, postId: string, body: Record<string, unknown>): Promise<PostWithDetails> {
    if (body.id !== undefined && body.id !== postId) {
      throw badRequest(
        'api.post.update_post.id.app_error',
        'The post id in the body does not match the URL.',
      );
    }
    return this.edit(actor, postId, { message: checkMessage(body.message), props: checkProps(body.props) });
  }

  /** PUT /posts/{id}/patch: only the fields sent change. */
  async patch(actor: Actor, postId: string, body: Record<string, unknown>): Promise<PostWithDetails> {
    const change: Partial<PostContent> = {};
    if (body.message !== undefined) change.message = checkMessage(body.message);
    if (body.props !== undefined) change.props = checkProps(body.props);
    return this.edit(actor, postId, change);
  }

  private async edit(actor: Actor, postId: string, change: Partial<PostContent>): Promise<PostWithDetails> {
    return inTransaction(this.deps, async (tx, events) => {
      const { post, access } = await accessPost(tx, actor, postId);
      requireOwnOrOthers(actor, access, post, P.editPost, P.editOthersPosts);
      requireWritable(access.channel);
      const now = Math.max(this.deps.now(), post.update_at + 1);
      await tx.posts.update(post.id, {
        ...(change.message !== undefined
          ? { message: change.message, hashtags: parseHashtags(change.message) }
          : {}),
        ...(change.props !== undefined ? { props: JSON.stringify(change.props) } : {}),
        edit_at: now,
        update_at: now,
      });
      const [edited] = await withDetails(tx, [(await tx.posts.findById(post.id))!]);
      events.push(postEvent('post_edited', access.channel, { post: JSON.stringify(presentPost(edited!)) }));
      return edited!;
    });
  }

  /** Soft delete; a root takes its replies with it. */
  async delete(actor: Actor, postId: string): Promise<void> {
    await inTransaction(this.deps, async (tx, events) => {
      const { post, access } = await accessPost(tx, actor, postId);
      requireOwnOrOthers(actor, access, post, P.deletePost, P.deleteOthersPosts);
      requireWritable(access.channel);
      const now = Math.max(this.deps.now(), post.update_at + 1);
      const deletedIds = await tx.posts.softDeleteWithReplies(post.id, now);
      await detachFilesForDeletedPostsTx(tx, deletedIds, now);
      if (post.root_id !== '') await tx.posts.refreshThread(post.root_id, now);
      const deleted = (await tx.posts.findById(post.id))!;
      events.push(
        postEvent('post_deleted', access.channel, {
          post: JSON.stringify(presentPost({ post: deleted, reactions: [], files: [] })),
          delete_by: actor.userId,
        }),
      );
    });
  }

  async setPinned(actor: Actor, postId: string, pinned: boolean): Promise<void> {
    await inTransaction(this.deps, async (tx, events) => {
      const { post, access } = await accessPost(tx, actor, postId);
      requireChannelPermission(actor, access, P.readChannel);
      requireWritable(access.channel);
      if ((post.is_pinned === 1) === pinned) return;
      const now = Math.max(this.deps.now(), post.update_at + 1);
      await tx.posts.update(post.id, { is_pinned: pinned ? 1 : 0, update_at: now });
      const [changed] = await withDetails(tx, [(await tx.posts.findById(post.id))!]);
      events.push(postEvent('post_edited', access.channel, { post: JSON.stringify(presentPost(changed!)) }));
    });
  }

  // ---- reads ----

  async get(actor: Actor, postId: string, includeDeleted = false): Promise<PostWithDetails> {
    if (includeDeleted && !actor.isSystemAdmin) throw forbidden();
    const { post } = await accessPost(this.deps.store, actor, postId, { includeDeleted });
    return (await withDetails(this.deps.store, [post]))[0]!;
  }

  /** The posts among `ids` that the actor may read (unknown and hidden ones are left out). */
  async getByIds(actor: Actor, ids: readonly string[]): Promise<PostWithDetails[]> {
    const { store } = this.deps;
    const rows = await store.posts.findByIds(ids);
    const readable = new Map<string, boolean>();
    const out: PostView[] = [];
    for (const row of rows) {
      let ok = readable.get(row.channel_id);
      if (ok === undefined) {
        ok = await accessChannel(store, actor, row.channel_id).then(
          () => true,
          (err: unknown) => {
            if (err instanceof AppError && err.status === 404) return false;
            throw err;
          },
        );
        readable.set(row.channel_id, ok);
      }
      if (ok) out.push(row);
    }
    return withDetails(store, out);
  }

  async listForChannel(actor: Actor, channelId: string, q: ChannelPostsQuery): Promise<PostListResult> {
    const { store } = this.deps;
    await accessChannel(store, actor, channelId);
    const { posts } = store;
    const rootsOnly = q.rootsOnly;

    if (q.since !== undefined) {
      const rows = await posts.listSince(channelId, q.since, { rootsOnly, limit: SINCE_LIMIT });
      return this.assemble(rows, { next: '', prev: '', hasNext: false }, q.fetchThreads && !rootsOnly);
    }

    const offset = q.page * q.perPage;
    const limit = q.perPage + 1;
    const anchorId = q.before ?? q.after;
    if (anchorId !== undefined) {
      const anchor = await posts.findById(anchorId);
      if (!anchor || anchor.channel_id !== channelId) {
        throw badRequest(
          'api.post.get_posts.cursor.app_error',
          'The post to page from is not in this channel.',
        );
      }
      if (q.before !== undefined) {
        const rows = await posts.listBefore(channelId, cursorOf(anchor), { rootsOnly, offset, limit });
        const pageRows = rows.slice(0, q.perPage);
        const newest = pageRows[0];
        const next =
          q.page === 0
            ? anchor.id
            : newest
              ? await posts.idAfter(channelId, cursorOf(newest), rootsOnly)
              : '';
        const extra = rows[q.perPage];
        return this.assemble(
          pageRows,
          { next, prev: extra?.id ?? '', hasNext: extra !== undefined },
          q.fetchThreads && !rootsOnly,
        );
      }
      const rows = await posts.listAfter(channelId, cursorOf(anchor), { rootsOnly, offset, limit });
      const pageRows = rows.slice(0, q.perPage).reverse();
      const oldest = pageRows[pageRows.length - 1];
      const prev =
        q.page === 0 ? anchor.id : oldest ? await posts.idBefore(channelId, cursorOf(oldest), rootsOnly) : '';
      const extra = rows[q.perPage];
      return this.assemble(
        pageRows,
        { next: extra?.id ?? '', prev, hasNext: extra !== undefined },
        q.fetchThreads && !rootsOnly,
      );
    }

    const rows = await posts.listChannel(channelId, { rootsOnly, offset, limit });
    const pageRows = rows.slice(0, q.perPage);
    const newest = pageRows[0];
    const next = q.page > 0 && newest ? await posts.idAfter(channelId, cursorOf(newest), rootsOnly) : '';
    const extra = rows[q.perPage];
    return this.assemble(
      pageRows,
      { next, prev: extra?.id ?? '', hasNext: extra !== undefined },
      q.fetchThreads && !rootsOnly,
    );
  }

  /** The posts around the user's last view of the channel: up to limitBefore read, limitAfter unread. */
  async listAroundLastUnread(
    actor: Actor,
    userId: string,
    channelId: string,
    o: { limitBefore: number; limitAfter: number; rootsOnly: boolean; fetchThreads: boolean },
  ): Promise<PostListResult> {
    if (userId !== actor.userId && !actor.isSystemAdmin) throw forbidden();
    const { store } = this.deps;
    const access = await accessChannel(store, actor, channelId);
    const member =
      userId === actor.userId ? access.member : await store.channels.findMember(channelId, userId);
    if (!member) throw notFound('channel_member');
    const at: PostCursor = { create_at: member.last_viewed_at };
    const [after, before] = await Promise.all([
      store.posts.listAfter(channelId, at, { rootsOnly: o.rootsOnly, limit: o.limitAfter + 1 }),
      store.posts.listBefore(channelId, at, { rootsOnly: o.rootsOnly, limit: o.limitBefore + 1 }),
    ]);
    const rows = [...after.slice(0, o.limitAfter).reverse(), ...before.slice(0, o.limitBefore)];
    const next = after[o.limitAfter]?.id ?? '';
    return this.assemble(
      rows,
      { next, prev: before[o.limitBefore]?.id ?? '', hasNext: next !== '' },
      o.fetchThreads && !o.rootsOnly,
    );
  }

  /** A thread: its root (always) and a page of its replies; postId may name the root or a reply. */
  async thread(actor: Actor, postId: string, q: ThreadQuery): Promise<PostListResult> {
    const { store } = this.deps;
    const { post } = await accessPost(store, actor, postId);
    const root = post.root_id === '' ? post : await store.posts.findById(post.root_id);
    if (!root || root.delete_at !== 0) throw notFound('post');
    let cursor: PostCursor | undefined;
    if (q.fromPost !== undefined) {
      const from = await store.posts.findById(q.fromPost);
      if (!from || from.root_id !== root.id) {
        throw badRequest(
          'api.post.get_post_thread.cursor.app_error',
          'fromPost is not a reply of this thread.',
        );
      }
      cursor = cursorOf(from);
    } else if (q.fromCreateAt !== undefined) {
      cursor = { create_at: q.fromCreateAt };
    }
    const limit = Math.min(q.perPage ?? THREAD_LIMIT, THREAD_LIMIT);
    const replies = await store.posts.listThread(root.id, {
      cursor,
      direction: q.direction,
      limit: limit + 1,
    });
    const rows = [root, ...replies.slice(0, limit)].sort(newestFirst);
    return this.assemble(rows, { next: '', prev: '', hasNext: replies.length > limit }, false);
  }

  async listPinned(actor: Actor, channelId: string): Promise<PostListResult> {
    const { store } = this.deps;
    await accessChannel(store, actor, channelId);
    const rows = await store.posts.listPinned(channelId);
    return this.assemble(rows, { next: '', prev: '', hasNext: false }, false);
  }

  /** The user's saved posts (preferences `flagged_post`) that they can still read. */
  async listFlagged(
    actor: Actor,
    userId: string,
    o: { channelId?: string; teamId?: string; page: number; perPage: number },
  ): Promise<PostListResult> {
    if (userId !== actor.userId) throw forbidden();
    const { store } = this.deps;
    if (o.channelId) await accessChannel(store, actor, o.channelId);
    const rows = await store.posts.listFlagged(userId, {
      ...(o.channelId ? { channelId: o.channelId } : {}),
      ...(o.teamId ? { teamId: o.teamId } : {}),
      readAll: actor.isSystemAdmin,
      offset: o.page * o.perPage,
      limit: o.perPage + 1,
    });
    const pageRows = rows.slice(0, o.perPage);
    return this.assemble(pageRows, { next: '', prev: '', hasNext: rows.length > o.perPage }, false);
  }

  /** `rows` in order; with `addRoots`, the roots of listed replies join `posts` (not `order`). */
  private async assemble(
    rows: PostView[],
    links: { next: string; prev: string; hasNext: boolean },
    addRoots: boolean,
  ): Promise<PostListResult> {
    const all = [...rows];
    if (addRoots) {
      const have = new Set(rows.map((r) => r.id));
      const missing = [
        ...new Set(rows.filter((r) => r.root_id !== '' && !have.has(r.root_id)).map((r) => r.root_id)),
      ];
      all.push(...(await this.deps.store.posts.findByIds(missing)));
    }
    return {
      order: rows.map((r) => r.id),
      posts: await withDetails(this.deps.store, all),
      nextPostId: links.next,
      prevPostId: links.prev,
      hasNext: links.hasNext,
    };
  }
}

/** attachFilesTx's refusal of files it may not claim (400). */
function isFileClaimRefusal(err: unknown): boolean {
  return err instanceof AppError && err.id === 'api.post.create_post.invalid_file_ids.app_error';
}

function newestFirst(a: PostView, b: PostView): number {
  if (a.create_at !== b.create_at) return b.create_at - a.create_at;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

/** The author needs `own`; anyone else needs `others` (admins). */
function requireOwnOrOthers(
  actor: Actor,
  access: ChannelAccess,
  post: PostView,
  own: Permission,
  others: Permission,
): void {
  if (post.user_id === actor.userId && can(channelPermissionContext(actor, access), own)) return;
  requireChannelPermission(actor, access, others);
}
