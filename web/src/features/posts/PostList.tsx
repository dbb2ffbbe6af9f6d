/**
 * A channel's messages, oldest at the top. It stays pinned to the bottom while the reader is there,
 * keeps the reader's place when older history is prepended or the channel is left and reopened, and
 * loads older pages near the top. At most a few hundred rows are mounted: a window that moves as the
 * reader scrolls (rows leave at one end as they arrive at the other, the post in view held still), and
 * rows off screen skip layout and paint (content-visibility), so channels of any length stay smooth.
 */
import {
  Fragment,
  startTransition,
  useCallback,
  useEffect,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
} from 'react';
import { useAppState, type ClientPost } from '../../state/store';
import { loadOlderPosts } from '../../state/actions';
import { dayKey, formatDay } from '../../common/time';
import { PostItem } from './PostItem';

const GROUP_MS = 5 * 60 * 1000;
/** Rows mounted or unmounted at a time, at most this many mounted, within this distance of an edge. */
const MOUNT_STEP = 100;
const MAX_MOUNTED = 300;
const EDGE_PX = 800;

/** Which rows are mounted: the `size` rows ending at `end` (null: at the newest, following it). */
interface MountRange {
  size: number;
  end: number | null;
}

/** Where the reader was in each channel: stuck to the bottom, or a post and its offset in view. */
interface SavedPlace {
  atBottom: boolean;
  anchorId: string;
  offset: number;
  range: MountRange;
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
  /** The first post in view and its distance from the top of the view: kept still across renders. */
  const anchor = useRef<{ id: string; offset: number } | undefined>(undefined);
  const [showJump, setShowJump] = useState(false);
  const [range, setRange] = useState<MountRange>(
    () => savedPlaces.get(channelId)?.range ?? { size: MOUNT_STEP, end: null },
  );

  const posts = useMemo(
    () => (win?.order ?? []).map((id) => postsById[id]).filter((p): p is ClientPost => !!p),
    [win?.order, postsById],
  );
  const endIdx = range.end === null ? posts.length : Math.min(range.end, posts.length);
  const startIdx = Math.max(0, endIdx - range.size);
  const rangeRef = useRef(range);
  rangeRef.current = range;
  const mounted = useMemo(() => posts.slice(startIdx, endIdx), [posts, startIdx, endIdx]);
  const rows = useMemo(() => buildRows(mounted, lastViewedAt, meId), [mounted, lastViewedAt, meId]);
  const lastPost = posts.at(-1);

  const captureAnchor = useCallback(() => {
    const el = scroller.current;
    if (!el) return;
    const top = el.getBoundingClientRect().top;
    for (const node of el.querySelectorAll<HTMLElement>('[data-post-id]')) {
      const r = node.getBoundingClientRect();
      if (r.bottom > top) {
        anchor.current = { id: node.dataset.postId ?? '', offset: r.top - top };
        return;
      }
    }
    anchor.current = undefined;
  }, []);

  const restoreAnchor = useCallback(() => {
    const el = scroller.current;
    const a = anchor.current;
    if (!el || !a) return false;
    const node = el.querySelector<HTMLElement>(`[data-post-id="${CSS.escape(a.id)}"]`);
    if (!node) return false;
    el.scrollTop += node.getBoundingClientRect().top - el.getBoundingClientRect().top - a.offset;
    return true;
  }, []);

  // Open the channel where the reader left it: the same post at the same height, or the bottom.
  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const saved = savedPlaces.get(channelId);
    anchor.current =
      saved && !saved.atBottom && saved.anchorId ? { id: saved.anchorId, offset: saved.offset } : undefined;
    if (anchor.current && restoreAnchor()) {
      atBottom.current = false;
      setShowJump(true);
    } else {
      el.scrollTop = el.scrollHeight;
      atBottom.current = true;
    }
    return () => {
      captureAnchor();
      savedPlaces.set(channelId, {
        atBottom: atBottom.current,
        anchorId: anchor.current?.id ?? '',
        offset: anchor.current?.offset ?? 0,
        range: rangeRef.current,
      });
    };
  }, [channelId, captureAnchor, restoreAnchor]);

  // After every render: follow the bottom, or keep the anchor post still whatever was mounted or
  // unmounted above or below it (older pages, a moved window, late-rendering rows).
  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    if (atBottom.current) el.scrollTop = el.scrollHeight;
    else restoreAnchor();
  });

  // Rows that arrived above while the reader sits near the top (an older page) are mounted at once.
  useEffect(() => {
    const el = scroller.current;
    if (!el || atBottom.current || startIdx === 0 || el.scrollTop >= EDGE_PX) return;
    startTransition(() =>
      setRange((r) =>
        r.size < MAX_MOUNTED
          ? { ...r, size: r.size + MOUNT_STEP }
          : { size: r.size, end: Math.max(r.size, endIdx - MOUNT_STEP) },
      ),
    );
  }, [startIdx, endIdx]);

  // Sending a message brings the reader back to the present.
  const lastSeen = useRef(lastPost?.id);
  useLayoutEffect(() => {
    if (lastPost && lastPost.id !== lastSeen.current && lastPost.user_id === meId && lastPost.pendingState) {
      atBottom.current = true;
      setRange({ size: MOUNT_STEP, end: null });
      setShowJump(false);
    }
    lastSeen.current = lastPost?.id;
  }, [lastPost, meId]);

  // Heights that change late (fonts, rows leaving content-visibility's placeholder size).
  useEffect(() => {
    const el = scroller.current;
    if (!el || typeof ResizeObserver === 'undefined') return;
    const ro = new ResizeObserver(() => {
      if (atBottom.current) el.scrollTop = el.scrollHeight;
      else restoreAnchor();
    });
    const inner = el.firstElementChild;
    if (inner) ro.observe(inner);
    ro.observe(el);
    return () => ro.disconnect();
  }, [restoreAnchor]);

  const onScroll = useCallback(() => {
    const el = scroller.current;
    if (!el) return;
    const distance = el.scrollHeight - el.clientHeight - el.scrollTop;
    atBottom.current = distance < 40 && range.end === null;
    setShowJump(distance > el.clientHeight || range.end !== null);
    captureAnchor();
    if (el.scrollTop < EDGE_PX) {
      if (startIdx > 0) {
        // Mount older rows; past the cap, unmount as many at the bottom. A transition: React renders
        // the new rows in slices and lets the browser paint and scroll between them.
        startTransition(() =>
          setRange((r) =>
            r.size < MAX_MOUNTED
              ? { ...r, size: r.size + MOUNT_STEP }
              : { size: r.size, end: Math.max(r.size, endIdx - MOUNT_STEP) },
          ),
        );
      } else if (win?.hasOlder && !win.loadingOlder) {
        void loadOlderPosts(channelId);
      }
    } else if (distance < EDGE_PX && range.end !== null) {
      const end = range.end + MOUNT_STEP;
      startTransition(() => setRange({ size: range.size, end: end >= posts.length ? null : end }));
    }
  }, [range, startIdx, endIdx, posts.length, win?.hasOlder, win?.loadingOlder, channelId, captureAnchor]);

  const jumpToRecent = () => {
    const el = scroller.current;
    if (!el) return;
    setRange({ size: MOUNT_STEP, end: null });
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
          {win && !win.hasOlder && startIdx === 0 && (
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
