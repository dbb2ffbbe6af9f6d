import { useEffect, useMemo, useState } from 'react';
import { Icon } from '../../common/Icon';
import type { Team } from '@mattermost/types/teams';
import type { UserProfile } from '@mattermost/types/users';
import { useAppState, type ClientPost } from '../../state/store';
import {
  addChannelMember,
  loadChannelMembers,
  loadPinned,
  loadSaved,
  loadThread,
  removeChannelMember,
  searchUsers,
  sendPost,
} from '../../state/actions';
import { setUi, type RightPanel as Panel } from '../../state/ui';
import { PostItem } from '../posts/PostItem';
import { Composer } from '../composer/Composer';
import { defaultProviders } from '../composer/providers';
import { TypingIndicator } from '../channel/TypingIndicator';
import { sendTyping } from '../../realtime/socket';
import { errorMessage } from '../../api/client';
import { Avatar, PresenceDot } from '../../common/Avatar';
import { SAVED_CATEGORY } from '../../state/actions';
import { ThreadFollowButton } from '../threads/FollowButton';

export function RightPanel({ panel, team }: { panel: NonNullable<Panel>; team: Team }) {
  const title =
    panel.kind === 'thread'
      ? 'Thread'
      : panel.kind === 'pinned'
        ? 'Pinned messages'
        : panel.kind === 'saved'
          ? 'Saved messages'
          : 'Members';
  return (
    <aside className="rhs" aria-label={title}>
      <header className="rhs__header">
        <h2>{title}</h2>
        <div className="rhs__header-actions">
          {panel.kind === 'thread' && <ThreadFollowButton teamId={team.id} rootId={panel.rootId} />}
          <button
            type="button"
            className="icon-button"
            aria-label={`Close ${title.toLowerCase()}`}
            onClick={() => setUi({ rhs: undefined })}
          >
            <Icon name="close" />
          </button>
        </div>
      </header>
      {panel.kind === 'thread' && <ThreadPanel rootId={panel.rootId} team={team} />}
      {panel.kind === 'pinned' && <PinnedPanel channelId={panel.channelId} team={team} />}
      {panel.kind === 'saved' && <SavedPanel team={team} />}
      {panel.kind === 'members' && <MembersPanel channelId={panel.channelId} team={team} />}
    </aside>
  );
}

function ThreadPanel({ rootId, team }: { rootId: string; team: Team }) {
  const root = useAppState((s) => s.posts[rootId]);
  const replyIds = useAppState((s) => s.threads[rootId]);
  const posts = useAppState((s) => s.posts);
  const [error, setError] = useState('');

  useEffect(() => {
    loadThread(rootId).catch((err: unknown) => setError(errorMessage(err)));
  }, [rootId]);

  const replies = useMemo(
    () => (replyIds ?? []).map((id) => posts[id]).filter((p): p is ClientPost => !!p && !p.delete_at),
    [replyIds, posts],
  );
  const providers = useMemo(
    () => defaultProviders(team.id, root?.channel_id ?? ''),
    [team.id, root?.channel_id],
  );

  if (!root) {
    return (
      <div className="rhs__body">{error ? <p role="alert">{error}</p> : <p role="status">Loading…</p>}</div>
    );
  }

  return (
    <div className="rhs__body rhs__body--thread">
      <div className="rhs__scroll" role="log" aria-label="Thread messages">
        <PostItem post={root} compact={false} teamName={team.name} inThread />
        <div className="separator" role="separator">
          <span>
            {replies.length} {replies.length === 1 ? 'reply' : 'replies'}
          </span>
        </div>
        {replies.map((p, i) => {
          const prev = i > 0 ? replies[i - 1] : undefined;
          const compact =
            !!prev && prev.user_id === p.user_id && p.create_at - prev.create_at < 5 * 60 * 1000;
          return <PostItem key={p.id} post={p} compact={compact} teamName={team.name} inThread />;
        })}
      </div>
      {error && (
        <p className="form__error" role="alert">
          {error}
        </p>
      )}
      <TypingIndicator channelId={root.channel_id} rootId={rootId} />
      <Composer
        draftKey={`${root.channel_id}:${rootId}`}
        placeholder="Reply to thread"
        providers={providers}
        channelId={root.channel_id}
        onSend={(message, files) => void sendPost(root.channel_id, message, rootId, files)}
        onTyping={() => sendTyping(root.channel_id, rootId)}
      />
    </div>
  );
}

function PostListPanel({ ids, team, empty }: { ids: string[] | undefined; team: Team; empty: string }) {
  const posts = useAppState((s) => s.posts);
  if (!ids) return <p role="status">Loading…</p>;
  const shown = ids.map((id) => posts[id]).filter((p): p is ClientPost => !!p && !p.delete_at);
  if (shown.length === 0) return <p className="muted">{empty}</p>;
  return (
    <div role="list">
      {shown.map((p) => (
        <div role="listitem" key={p.id}>
          <PostItem post={p} compact={false} teamName={team.name} inThread />
        </div>
      ))}
    </div>
  );
}

function PinnedPanel({ channelId, team }: { channelId: string; team: Team }) {
  const ids = useAppState((s) => s.pinned[channelId]);
  const posts = useAppState((s) => s.posts);
  const [error, setError] = useState('');
  useEffect(() => {
    loadPinned(channelId).catch((err: unknown) => setError(errorMessage(err)));
  }, [channelId]);
  // A pin or unpin seen live (is_pinned) adjusts the list without a refetch.
  const live = useMemo(() => {
    if (!ids) return undefined;
    const base = ids.filter((id) => posts[id]?.is_pinned !== false);
    const extra = Object.values(posts)
      .filter((p) => p.channel_id === channelId && p.is_pinned && !base.includes(p.id))
      .map((p) => p.id);
    return [...extra, ...base];
  }, [ids, posts, channelId]);
  return (
    <div className="rhs__body rhs__scroll">
      {error && <p role="alert">{error}</p>}
      <PostListPanel ids={live} team={team} empty="No pinned messages in this channel yet." />
    </div>
  );
}

function SavedPanel({ team }: { team: Team }) {
  const [ids, setIds] = useState<string[] | undefined>();
  const prefs = useAppState((s) => s.preferences);
  const [error, setError] = useState('');
  useEffect(() => {
    loadSaved().then(setIds, (err: unknown) => setError(errorMessage(err)));
  }, []);
  const live = useMemo(() => {
    if (!ids) return undefined;
    const saved = new Set(
      prefs.filter((p) => p.category === SAVED_CATEGORY && p.value === 'true').map((p) => p.name),
    );
    return ids.filter((id) => saved.has(id));
  }, [ids, prefs]);
  return (
    <div className="rhs__body rhs__scroll">
      {error && <p role="alert">{error}</p>}
      <PostListPanel ids={live} team={team} empty="Save messages to find them here." />
    </div>
  );
}

function MembersPanel({ channelId, team }: { channelId: string; team: Team }) {
  const [members, setMembers] = useState<UserProfile[] | undefined>();
  const [term, setTerm] = useState('');
  const [candidates, setCandidates] = useState<UserProfile[]>([]);
  const [error, setError] = useState('');
  const meId = useAppState((s) => s.me?.id ?? '');
  const channel = useAppState((s) => s.channels[channelId]);

  const reload = () => {
    loadChannelMembers(channelId).then(setMembers, (err: unknown) => setError(errorMessage(err)));
  };
  useEffect(reload, [channelId]);

  useEffect(() => {
    if (!term) {
      setCandidates([]);
      return;
    }
    let cancelled = false;
    searchUsers(term, team.id).then(
      (users) => !cancelled && setCandidates(users.filter((u) => !members?.some((m) => m.id === u.id))),
      () => undefined,
    );
    return () => {
      cancelled = true;
    };
  }, [term, team.id, members]);

  const canManage = channel && channel.type !== 'D' && channel.type !== 'G';

  return (
    <div className="rhs__body rhs__scroll">
      {canManage && (
        <div className="members__add">
          <input
            className="search-input"
            aria-label="Add people to the channel"
            placeholder="Add people…"
            value={term}
            onChange={(e) => setTerm(e.target.value)}
          />
          <ul className="picker-list">
            {candidates.map((u) => (
              <li key={u.id}>
                <span>@{u.username}</span>
                <button
                  type="button"
                  className="button"
                  onClick={() =>
                    addChannelMember(channelId, u.id).then(
                      () => {
                        setTerm('');
                        reload();
                      },
                      (err: unknown) => setError(errorMessage(err)),
                    )
                  }
                >
                  Add
                </button>
              </li>
            ))}
          </ul>
        </div>
      )}
      {error && (
        <p className="form__error" role="alert">
          {error}
        </p>
      )}
      {!members ? (
        <p role="status">Loading…</p>
      ) : (
        <ul className="members" aria-label="Channel members">
          {members.map((u) => (
            <li key={u.id}>
              <span className="avatar-with-status">
                <Avatar user={u} size={28} />
                <PresenceDot userId={u.id} />
              </span>
              <span className="members__name">
                {u.username}
                {u.id === meId && <span className="muted"> (you)</span>}
              </span>
              {canManage && u.id !== meId && (
                <button
                  type="button"
                  className="link-button"
                  aria-label={`Remove ${u.username} from the channel`}
                  onClick={() =>
                    removeChannelMember(channelId, u.id).then(reload, (err: unknown) =>
                      setError(errorMessage(err)),
                    )
                  }
                >
                  Remove
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
