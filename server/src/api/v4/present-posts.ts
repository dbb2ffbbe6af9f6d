/**
 * Posts and reactions → wire objects (`@mattermost/types/posts`, `reactions`). Allow-lists, like every
 * presenter. The services use presentPost too, for the JSON string that `posted`, `post_edited` and
 * `post_deleted` events carry, so REST and real-time always show a post the same way. A post's files
 * appear as `file_ids` (the ids claimed at creation, in the order sent) and `metadata.files` (their
 * infos, through presentFileInfo); a deleted post shows neither.
 */
import type { Post, PaginatedPostList } from '@mattermost/types/posts';
import type { FileInfo } from '@mattermost/types/files';
import type { Reaction } from '@mattermost/types/reactions';
import type { ReactionRow } from '../../store/reactions.js';
import type { FileRow } from '../../store/files.js';
import type { PostListResult, PostWithDetails } from '../../services/posts.js';
import { presentFileInfo } from './present-files.js';

function parseJson<T>(s: string, fallback: T): T {
  try {
    return JSON.parse(s) as T;
  } catch {
    return fallback;
  }
}

export function presentReaction(r: ReactionRow): Reaction {
  return { user_id: r.user_id, post_id: r.post_id, emoji_name: r.emoji_name, create_at: r.create_at };
}

/** The ids stored in a post's `file_ids` column (a JSON array written at creation). */
function storedFileIds(column: string): string[] {
  const v = parseJson<unknown>(column, []);
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

/** The files in the order of file_ids (the order the author attached them). */
function inPostOrder(fileIds: readonly string[], files: readonly FileRow[]): FileRow[] {
  const rank = new Map(fileIds.map((id, i) => [id, i]));
  const at = (f: FileRow) => rank.get(f.id) ?? fileIds.length;
  return [...files].sort((a, b) => at(a) - at(b));
}

export function presentPost({ post: p, reactions, files }: PostWithDetails): Post {
  const deleted = p.delete_at !== 0;
  const fileIds = deleted ? [] : storedFileIds(p.file_ids);
  const wire: Post & { has_reactions: boolean } = {
    id: p.id,
    create_at: p.create_at,
    update_at: p.update_at,
    edit_at: p.edit_at,
    delete_at: p.delete_at,
    is_pinned: p.is_pinned === 1,
    user_id: p.user_id,
    channel_id: p.channel_id,
    root_id: p.root_id,
    original_id: '',
    // A deleted post keeps its row (lists asked `since` report the deletion) but not its content.
    message: deleted ? '' : p.message,
    type: p.type as Post['type'],
    props: deleted ? {} : parseJson<Record<string, unknown>>(p.props, {}),
    hashtags: deleted ? '' : p.hashtags,
    pending_post_id: p.pending_post_id ?? '',
    reply_count: p.thread_reply_count,
    last_reply_at: p.last_reply_at,
    participants: null,
    file_ids: fileIds,
    has_reactions: !deleted && reactions.length > 0,
    metadata: {
      embeds: [],
      emojis: [],
      // FileInfo's clientId is the uploading client's own bookkeeping: the server never sends it.
      files: (deleted ? [] : inPostOrder(fileIds, files).map(presentFileInfo)) as FileInfo[],
      images: {},
      reactions: deleted ? [] : reactions.map(presentReaction),
    },
  };
  return wire;
}

export function presentPostList(list: PostListResult): PaginatedPostList {
  const posts: Record<string, Post> = {};
  for (const p of list.posts) posts[p.post.id] = presentPost(p);
  return {
    order: list.order,
    posts,
    next_post_id: list.nextPostId,
    prev_post_id: list.prevPostId,
    has_next: list.hasNext,
    first_inaccessible_post_time: 0,
  };
}
