/**
 * A channel's messages, oldest at the top. It stays pinned to the bottom while the reader is there,
 * keeps the reader's place when older history is prepended or the channel is left and reopened, and
 * loads older pages near the top. Only the newest `limit` posts are mounted; scrolling up mounts more,
 * and rows off screen skip layout and paint (content-visibility), so long channels stay smooth.
 */
import { Fragment, useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { useAppState, type ClientPost } from '../../state/store';
import { loadOlderPosts } from '../../state/actions';
import { dayKey, formatDay } from '../../common/time';
import { PostItem } from './PostItem';

const GROUP_MS = 5 * 60 * 1000;
const MOUNT_STEP = 100;

/** Where the reader was in each channel: stuck to the bottom, or a post and its offset in view. */
interface SavedPlace {
  atBottom: boolean;
  anchorId: string;
  offset: number;
  limit: number;
}
const savedPlaces = new Map<string, SavedPlace>();

export interface Row {
  post: ClientPost;
  compact: boolean;
  daySeparator: string | undefined;
  newLine: boolean;
}

/** Groups consecutive posts by author (within five minutes), marks day changes and the new-messages line. */
export function buildRows(
  posts: readonly ClientPost[],
  lastViewedAt: number | undefined,
  meId: string,
): Row[] {
  const rows: Row[] = [];
  let prev: ClientPost | undefined;
  let newLineDone = lastViewedAt === undefined;
  for (const post of posts) {
    const newDay = !prev || dayKey(prev.create_at) !== dayKey(post.create_at);
    let newLine = false;
    if (!newLineDone && post.create_at > lastViewedAt! && post.user_id !== meId && !post.pendingState) {
      newLine = true;
      newLineDone = true;
    }
    const compact =
      !!prev &&
      !newDay &&
      !newLine &&
      prev.user_id === post.user_id &&
      post.create_at - prev.create_at < GROUP_MS &&
      !prev.delete_at;
    rows.push({ post, compact, daySeparator: newDay ? formatDay(post.create_at) : undefined, newLine });
    prev = post;
  }
  return rows;
}

export function PostList({ channelId, teamName }: { channelId: string; teamName: string }) {
  const win = useAppState((s) => s.channelPosts[channelId]);
  const postsById = useAppState((s) => s.posts);
  const lastViewedAt = useAppState((s) => s.lastViewedAtOpen[channelId]);
  const meId = useAppState((s) => s.me?.id ?? '');
  const scroller = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  const prevHeight = useRef(0);
  const prevFirst = useRef<string | undefined>(undefined);
  const [showJump, setShowJump] = useState(false);
  const [limit, setLimit] = useState(() => savedPlaces.get(channelId)?.limit ?? MOUNT_STEP);

  const posts = useMemo(
    () => (win?.order ?? []).map((id) => postsById[id]).filter((p): p is ClientPost => !!p),
    [win?.order, postsById],
  );
  const limitRef = useRef(limit);
  limitRef.current = limit;
  const mounted = posts.length > limit ? posts.slice(posts.length - limit) : posts;
  const rows = useMemo(() => buildRows(mounted, lastViewedAt, meId), [mounted, lastViewedAt, meId]);

  // Restore the reader's place when the channel opens: the same post at the same height.
  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const saved = savedPlaces.get(channelId);
    const anchor =
      saved && !saved.atBottom ? el.querySelector<HTMLElement>(`[data-post-id="${saved.anchorId}"]`) : null;
    if (saved && anchor) {
      el.scrollTop = anchor.offsetTop - saved.offset;
      atBottom.current = false;
      setShowJump(true);
    } else {
      el.scrollTop = el.scrollHeight;
      atBottom.current = true;
    }
    return () => {
      const top = el.getBoundingClientRect().top;
      let anchorId = '';
      let offset = 0;
      for (const node of el.querySelectorAll<HTMLElement>('[data-post-id]')) {
        const r = node.getBoundingClientRect();
        if (r.bottom > top) {
          anchorId = node.dataset.postId ?? '';
          offset = node.offsetTop - el.scrollTop;
          break;
        }
      }
      savedPlaces.set(channelId, { atBottom: atBottom.current, anchorId, offset, limit: limitRef.current });
    };
  }, [channelId]);

  // After each render: stay at the bottom, or keep the view still when older posts were prepended.
  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const first = rows[0]?.post.id;
    if (atBottom.current) {
      el.scrollTop = el.scrollHeight;
    } else if (prevFirst.current && first !== prevFirst.current) {
      el.scrollTop += el.scrollHeight - prevHeight.current;
    }
    prevHeight.current = el.scrollHeight;
    prevFirst.current = first;
  });

  // Images of fonts loading late change heights: keep the bottom pinned.
  useEffect(() => {
    const el = scroller.current;
    if (!el || typeof ResizeObserver === 'undefined') return;
    const ro = new ResizeObserver(() => {
      if (atBottom.current) el.scrollTop = el.scrollHeight;
      prevHeight.current = el.scrollHeight;
    });
    const inner = el.firstElementChild;
    if (inner) ro.observe(inner);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  const onScroll = useCallback(() => {
    const el = scroller.current;
    if (!el) return;
    const distance = el.scrollHeight - el.clientHeight - el.scrollTop;
    atBottom.current = distance < 40;
    setShowJump(distance > el.clientHeight);
    if (el.scrollTop < 600) {
      if (posts.length > limit) setLimit((l) => l + MOUNT_STEP);
      else if (win?.hasOlder && !win.loadingOlder) void loadOlderPosts(channelId);
    }
  }, [posts.length, limit, win?.hasOlder, win?.loadingOlder, channelId]);

  const jumpToRecent = () => {
    const el = scroller.current;
    if (!el) return;
    setLimit(MOUNT_STEP);
    atBottom.current = true;
    el.scrollTop = el.scrollHeight;
    setShowJump(false);
  };

  return (
    <div className="post-list">
      <div className="post-list__scroller" ref={scroller} onScroll={onScroll}>
        <div
          className="post-list__inner"
          role="log"
          aria-live="polite"
          aria-relevant="additions"
          aria-label="Messages"
        >
          {win && !win.hasOlder && posts.length <= limit && (
            <div className="post-list__start">This is the beginning of the conversation.</div>
          )}
          {win?.loadingOlder && (
            <div className="post-list__loading" role="status">
              Loading older messages…
            </div>
          )}
          {!win?.loaded && posts.length === 0 && (
            <div className="post-list__loading" role="status">
              Loading messages…
            </div>
          )}
          {rows.map((row) => (
            <Fragment key={row.post.id}>
              {row.daySeparator && (
                <div className="separator separator--day" role="separator">
                  <span>{row.daySeparator}</span>
                </div>
              )}
              {row.newLine && (
                <div className="separator separator--new" role="separator" aria-label="New messages">
                  <span>New messages</span>
                </div>
              )}
              <PostItem post={row.post} compact={row.compact} teamName={teamName} />
            </Fragment>
          ))}
        </div>
      </div>
      {showJump && (
        <button type="button" className="jump-to-recent" onClick={jumpToRecent}>
          Jump to recent messages ↓
        </button>
      )}
    </div>
  );
}
