import { memo, useEffect, useRef, useState } from 'react';
import { Icon } from '../../common/Icon';
import type { Reaction } from '@mattermost/types/reactions';
import { store, useAppState, type ClientPost } from '../../state/store';
import {
  deletePost,
  discardPost,
  editPost,
  retryPost,
  setPinned,
  setSaved,
  SAVED_CATEGORY,
  toggleReaction,
} from '../../state/actions';
import { setUi, useUi } from '../../state/ui';
import { Avatar } from '../../common/Avatar';
import { Confirm } from '../../common/Dialog';
import { formatFull, formatTime } from '../../common/time';
import { emojiChar } from '../../lib/emoji';
import { navigate, paths } from '../../router';
import { Markdown } from './Markdown';
import { EmojiPicker } from './EmojiPicker';
import { errorMessage } from '../../api/client';
import { Attachments } from '../files/Attachments';
import { useShowsUser } from '../../state/presence';

interface Props {
  post: ClientPost;
  /** A continuation of the previous post by the same author: no avatar or name. */
  compact: boolean;
  teamName: string;
  /** In the thread panel: no reply count, no reply button. */
  inThread?: boolean;
}

export const PostItem = memo(function PostItem({ post, compact, teamName, inThread = false }: Props) {
  const author = useAppState((s) => s.users[post.user_id]);
  useShowsUser(post.user_id);
  const meId = useAppState((s) => s.me?.id ?? '');
  const saved = useAppState((s) =>
    s.preferences.some((p) => p.category === SAVED_CATEGORY && p.name === post.id && p.value === 'true'),
  );
  const editing = useUi((u) => u.editingPostId === post.id);
  const highlighted = useUi((u) => u.highlightPostId === post.id);
  const [picker, setPicker] = useState(false);
  const [menu, setMenu] = useState(false);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [error, setError] = useState('');
  const ref = useRef<HTMLElement>(null);

  const mine = post.user_id === meId;
  const pending = post.pendingState !== undefined;
  const deleted = post.delete_at > 0;
  const name = author?.username ?? 'Someone';

  useEffect(() => {
    if (highlighted) ref.current?.scrollIntoView({ block: 'center' });
  }, [highlighted]);

  const fail = (err: unknown) => setError(errorMessage(err));
  const copyLink = () => {
    const url = `${window.location.origin}${paths.permalink(teamName, post.id)}`;
    void navigator.clipboard?.writeText(url).catch(() => undefined);
    setMenu(false);
  };

  return (
    <article
      ref={ref}
      className={`post${compact ? ' post--compact' : ''}${pending ? ` post--${post.pendingState}` : ''}${highlighted ? ' post--highlight' : ''}${mine ? ' post--mine' : ''}`}
      aria-label={`${name}, ${formatTime(post.create_at)}`}
      data-post-id={post.id}
    >
      <div className="post__gutter">
        {compact ? (
          <time className="post__hover-time" dateTime={new Date(post.create_at).toISOString()}>
            {formatTime(post.create_at)}
          </time>
        ) : (
          <Avatar user={author} />
        )}
      </div>
      <div className="post__content">
        {!compact && (
          <header className="post__header">
            <span className="post__author">{name}</span>
            <a
              className="post__time"
              href={paths.permalink(teamName, post.id)}
              title={formatFull(post.create_at)}
              onClick={(e) => {
                e.preventDefault();
                navigate(paths.permalink(teamName, post.id));
              }}
            >
              <time dateTime={new Date(post.create_at).toISOString()}>{formatTime(post.create_at)}</time>
            </a>
            {post.is_pinned && <span className="post__flag">Pinned</span>}
            {saved && <span className="post__flag">Saved</span>}
          </header>
        )}
        {compact && (post.is_pinned || saved) && (
          <div className="post__header post__header--flags">
            {post.is_pinned && <span className="post__flag">Pinned</span>}
            {saved && <span className="post__flag">Saved</span>}
          </div>
        )}
        {deleted ? (
          <p className="post__deleted">(message deleted)</p>
        ) : editing ? (
          <EditBox
            initial={post.message}
            onCancel={() => setUi({ editingPostId: '' })}
            onSave={(message) => {
              setUi({ editingPostId: '' });
              if (message.trim() && message !== post.message) editPost(post.id, message).catch(fail);
            }}
          />
        ) : (
          <div className="post__body">
            {post.message && <Markdown message={post.message} />}
            {post.edit_at > 0 && <span className="post__edited">(edited)</span>}
            {post.metadata?.files && post.metadata.files.length > 0 && (
              <Attachments files={post.metadata.files} />
            )}
          </div>
        )}
        {post.pendingState === 'sending' && <span className="post__status">Sending…</span>}
        {post.pendingState === 'failed' && (
          <div className="post__status post__status--failed" role="alert">
            Not sent.{' '}
            <button type="button" className="link-button" onClick={() => void retryPost(post.id)}>
              Retry
            </button>{' '}
            <button type="button" className="link-button" onClick={() => discardPost(post.id)}>
              Discard
            </button>
          </div>
        )}
        {error && (
          <p className="form__error" role="alert">
            {error}
          </p>
        )}
        {!deleted && (
          <Reactions postId={post.id} reactions={post.metadata?.reactions} meId={meId} onError={fail} />
        )}
        {!inThread && !post.root_id && post.reply_count > 0 && (
          <button
            type="button"
            className="post__replies link-button"
            onClick={() => setUi({ rhs: { kind: 'thread', rootId: post.id } })}
          >
            {post.reply_count} {post.reply_count === 1 ? 'reply' : 'replies'}
          </button>
        )}
      </div>
      {!pending && !deleted && (
        <div
          className={`post__actions${menu || picker ? ' post__actions--open' : ''}`}
          role="toolbar"
          aria-label="Message actions"
        >
          <button
            type="button"
            className="icon-button"
            aria-label="Add reaction"
            title="Add reaction"
            onClick={() => setPicker((p) => !p)}
          >
            <Icon name="smile" />
          </button>
          {!inThread && (
            <button
              type="button"
              className="icon-button"
              aria-label="Reply in thread"
              title="Reply in thread"
              onClick={() => setUi({ rhs: { kind: 'thread', rootId: post.root_id || post.id } })}
            >
              <Icon name="reply" />
            </button>
          )}
          <button
            type="button"
            className="icon-button"
            aria-label="More actions"
            title="More actions"
            aria-haspopup="menu"
            aria-expanded={menu}
            onClick={() => setMenu((m) => !m)}
          >
            <Icon name="more" />
          </button>
          {menu && (
            <ul className="menu" role="menu" onKeyDown={(e) => e.key === 'Escape' && setMenu(false)}>
              {mine && (
                <li role="none">
                  <button
                    type="button"
                    role="menuitem"
                    onClick={() => {
                      setMenu(false);
                      setUi({ editingPostId: post.id });
                    }}
                  >
                    Edit
                  </button>
                </li>
              )}
              <li role="none">
                <button
                  type="button"
                  role="menuitem"
                  onClick={() => {
                    setMenu(false);
                    setPinned(post.id, !post.is_pinned).catch(fail);
                  }}
                >
                  {post.is_pinned ? 'Unpin' : 'Pin to channel'}
                </button>
              </li>
              <li role="none">
                <button
                  type="button"
                  role="menuitem"
                  onClick={() => {
                    setMenu(false);
                    setSaved(post.id, !saved).catch(fail);
                  }}
                >
                  {saved ? 'Remove from saved' : 'Save'}
                </button>
              </li>
              <li role="none">
                <button type="button" role="menuitem" onClick={copyLink}>
                  Copy link
                </button>
              </li>
              {(mine || isAdmin()) && (
                <li role="none">
                  <button
                    type="button"
                    role="menuitem"
                    className="menu__danger"
                    onClick={() => {
                      setMenu(false);
                      setConfirmDelete(true);
                    }}
                  >
                    Delete
                  </button>
                </li>
              )}
            </ul>
          )}
          {picker && (
            <EmojiPicker
              onClose={() => setPicker(false)}
              onPick={(emoji) => {
                setPicker(false);
                toggleReaction(post.id, emoji).catch(fail);
              }}
            />
          )}
        </div>
      )}
      {confirmDelete && (
        <Confirm
          title="Delete message"
          message="Delete this message? This cannot be undone."
          confirmLabel="Delete"
          danger
          onCancel={() => setConfirmDelete(false)}
          onConfirm={() => {
            setConfirmDelete(false);
            deletePost(post.id).catch(fail);
          }}
        />
      )}
    </article>
  );
});

function isAdmin(): boolean {
  return (store.get().me?.roles ?? '').split(' ').includes('system_admin');
}

function Reactions({
  postId,
  reactions,
  meId,
  onError,
}: {
  postId: string;
  reactions: Reaction[] | undefined;
  meId: string;
  onError: (err: unknown) => void;
}) {
  const users = useAppState((s) => s.users);
  if (!reactions || reactions.length === 0) return null;
  const groups = new Map<string, Reaction[]>();
  for (const r of [...reactions].sort((a, b) => a.create_at - b.create_at)) {
    groups.set(r.emoji_name, [...(groups.get(r.emoji_name) ?? []), r]);
  }
  return (
    <div className="reactions" aria-label="Reactions">
      {[...groups.entries()].map(([emoji, list]) => {
        const mine = list.some((r) => r.user_id === meId);
        const who = list.map((r) => users[r.user_id]?.username ?? 'someone').join(', ');
        return (
          <button
            key={emoji}
            type="button"
            className={`reaction${mine ? ' reaction--mine' : ''}`}
            aria-pressed={mine}
            aria-label={`:${emoji}: ${list.length}, by ${who}`}
            title={`${who} reacted with :${emoji}:`}
            onClick={() => toggleReaction(postId, emoji).catch(onError)}
          >
            <span aria-hidden="true">{emojiChar(emoji) ?? `:${emoji}:`}</span> {list.length}
          </button>
        );
      })}
    </div>
  );
}

function EditBox({
  initial,
  onSave,
  onCancel,
}: {
  initial: string;
  onSave: (message: string) => void;
  onCancel: () => void;
}) {
  const [text, setText] = useState(initial);
  return (
    <div className="edit-box">
      <textarea
        aria-label="Edit message"
        autoFocus
        value={text}
        rows={Math.min(10, text.split('\n').length + 1)}
        onChange={(e) => setText(e.target.value)}
        onFocus={(e) =>
          e.currentTarget.setSelectionRange(e.currentTarget.value.length, e.currentTarget.value.length)
        }
        onKeyDown={(e) => {
          if (e.key === 'Escape') {
            e.preventDefault();
            onCancel();
          } else if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
            e.preventDefault();
            onSave(text);
          }
        }}
      />
      <div className="edit-box__hint">
        Enter to save · Escape to cancel{' '}
        <button type="button" className="link-button" onClick={() => onSave(text)}>
          Save
        </button>
      </div>
    </div>
  );
}
