import { useEffect, useMemo, useState } from 'react';
import { Icon } from '../../common/Icon';
import type { Team } from '@mattermost/types/teams';
import { store, useAppState, type ChannelWithCounts } from '../../state/store';
import {
  archiveChannel,
  leaveChannel,
  loadChannelPosts,
  rememberLastViewed,
  renameChannel,
  sendPost,
  viewChannel,
} from '../../state/actions';
import { channelTitle, dmPartnerId } from '../../state/selectors';
import { setUi } from '../../state/ui';
import { sendTyping } from '../../realtime/socket';
import { PostList } from '../posts/PostList';
import { Composer } from '../composer/Composer';
import { defaultProviders } from '../composer/providers';
import { TypingIndicator } from './TypingIndicator';
import { PresenceDot } from '../../common/Avatar';
import { Confirm, Dialog } from '../../common/Dialog';
import { errorMessage } from '../../api/client';
import { navigate } from '../../router';
import { client } from '../../api/client';
import { ChannelFilesDialog } from '../files/ChannelFiles';

export function ChannelView({ channel, team }: { channel: ChannelWithCounts; team: Team }) {
  const me = useAppState((s) => s.me);
  const users = useAppState((s) => s.users);
  const [error, setError] = useState('');

  useEffect(() => {
    rememberLastViewed(channel.id);
    void viewChannel(channel.id);
    loadChannelPosts(channel.id).catch((err: unknown) => setError(errorMessage(err)));
  }, [channel.id]);

  const providers = useMemo(() => defaultProviders(team.id, channel.id), [team.id, channel.id]);
  const title = channelTitle(channel, { me, users });
  const placeholder = `Write to ${title}`;

  const editLast = () => {
    const s = store.get();
    const order = s.channelPosts[channel.id]?.order ?? [];
    for (let i = order.length - 1; i >= 0; i--) {
      const p = s.posts[order[i]!];
      if (p && p.user_id === s.me?.id && !p.pendingState && !p.delete_at) {
        setUi({ editingPostId: p.id });
        return true;
      }
    }
    return false;
  };

  return (
    <section className="channel" aria-labelledby="channel-title">
      <ChannelHeader channel={channel} team={team} title={title} />
      {error && (
        <p className="form__error" role="alert">
          {error}
        </p>
      )}
      <PostList channelId={channel.id} teamName={team.name} />
      <TypingIndicator channelId={channel.id} />
      {channel.delete_at > 0 ? (
        <p className="channel__archived">This channel is archived.</p>
      ) : (
        <Composer
          id="composer"
          draftKey={channel.id}
          placeholder={placeholder}
          providers={providers}
          channelId={channel.id}
          onSend={(message, files) => void sendPost(channel.id, message, '', files)}
          onTyping={() => sendTyping(channel.id, '')}
          onEditLast={editLast}
          maxLength={Number(store.get().config.MaxPostSize) || 16383}
        />
      )}
    </section>
  );
}

function ChannelHeader({ channel, team, title }: { channel: ChannelWithCounts; team: Team; title: string }) {
  const meId = useAppState((s) => s.me?.id ?? '');
  const [memberCount, setMemberCount] = useState<number | undefined>();
  const [menu, setMenu] = useState(false);
  const [dialog, setDialog] = useState<'rename' | 'archive' | 'leave' | 'files' | undefined>();
  const [error, setError] = useState('');
  const partner = dmPartnerId(channel, meId);
  const isGroupLike = channel.type === 'D' || channel.type === 'G';

  useEffect(() => {
    let cancelled = false;
    client.getChannelStats(channel.id).then(
      (st) => !cancelled && setMemberCount(st.member_count),
      () => undefined,
    );
    return () => {
      cancelled = true;
    };
  }, [channel.id]);

  return (
    <header className="channel__header">
      <button
        type="button"
        className="icon-button channel__menu-toggle"
        aria-label="Open channel list"
        onClick={() => setUi({ drawerOpen: true })}
      >
        <Icon name="menu" />
      </button>
      <div className="channel__title-block">
        <h2 id="channel-title" className="channel__title">
          {partner ? (
            <PresenceDot userId={partner} />
          ) : (
            !isGroupLike && <Icon name={channel.type === 'P' ? 'lock' : 'hash'} />
          )}
          {title}
        </h2>
        {(channel.purpose || channel.header) && (
          <p className="channel__purpose" title={channel.purpose || channel.header}>
            {channel.purpose || channel.header}
          </p>
        )}
      </div>
      <div className="channel__tools">
        {memberCount !== undefined && !isGroupLike && (
          <button
            type="button"
            className="button button--ghost"
            aria-label={`Members: ${memberCount}`}
            onClick={() => setUi({ rhs: { kind: 'members', channelId: channel.id } })}
          >
            <Icon name="people" size={16} /> {memberCount}
          </button>
        )}
        <button type="button" className="button button--ghost" onClick={() => setDialog('files')}>
          Files
        </button>
        <button
          type="button"
          className="icon-button"
          aria-label="Pinned messages"
          title="Pinned messages"
          onClick={() => setUi({ rhs: { kind: 'pinned', channelId: channel.id } })}
        >
          <Icon name="pin" />
        </button>
        {!isGroupLike && (
          <div className="menu-anchor">
            <button
              type="button"
              className="icon-button"
              aria-label="Channel actions"
              aria-haspopup="menu"
              aria-expanded={menu}
              onClick={() => setMenu((m) => !m)}
            >
              <Icon name="more" />
            </button>
            {menu && (
              <ul
                className="menu menu--right"
                role="menu"
                onKeyDown={(e) => e.key === 'Escape' && setMenu(false)}
              >
                <li role="none">
                  <button type="button" role="menuitem" onClick={() => (setMenu(false), setDialog('rename'))}>
                    Rename
                  </button>
                </li>
                {channel.name !== 'town-square' && (
                  <li role="none">
                    <button
                      type="button"
                      role="menuitem"
                      onClick={() => (setMenu(false), setDialog('leave'))}
                    >
                      Leave channel
                    </button>
                  </li>
                )}
                {channel.name !== 'town-square' && (
                  <li role="none">
                    <button
                      type="button"
                      role="menuitem"
                      className="menu__danger"
                      onClick={() => (setMenu(false), setDialog('archive'))}
                    >
                      Archive channel
                    </button>
                  </li>
                )}
              </ul>
            )}
          </div>
        )}
      </div>
      {error && (
        <p className="form__error" role="alert">
          {error}
        </p>
      )}
      {dialog === 'rename' && (
        <RenameDialog channel={channel} onClose={() => setDialog(undefined)} onError={setError} />
      )}
      {dialog === 'leave' && (
        <Confirm
          title="Leave channel"
          message={`Leave ${title}?`}
          confirmLabel="Leave"
          onCancel={() => setDialog(undefined)}
          onConfirm={() => {
            setDialog(undefined);
            leaveChannel(channel.id).then(
              () => navigate(`/${team.name}`),
              (err: unknown) => setError(errorMessage(err)),
            );
          }}
        />
      )}
      {dialog === 'archive' && (
        <Confirm
          title="Archive channel"
          message={`Archive ${title}? Its members will no longer be able to post in it.`}
          confirmLabel="Archive"
          danger
          onCancel={() => setDialog(undefined)}
          onConfirm={() => {
            setDialog(undefined);
            archiveChannel(channel.id).then(
              () => navigate(`/${team.name}`),
              (err: unknown) => setError(errorMessage(err)),
            );
          }}
        />
      )}
      {dialog === 'files' && (
        <ChannelFilesDialog channelId={channel.id} onClose={() => setDialog(undefined)} />
      )}
    </header>
  );
}

function RenameDialog({
  channel,
  onClose,
  onError,
}: {
  channel: ChannelWithCounts;
  onClose: () => void;
  onError: (msg: string) => void;
}) {
  const [name, setName] = useState(channel.display_name);
  const [purpose, setPurpose] = useState(channel.purpose);
  return (
    <Dialog title="Rename channel" onClose={onClose}>
      <form
        className="form"
        onSubmit={(e) => {
          e.preventDefault();
          onClose();
          renameChannel(channel.id, name.trim(), purpose.trim()).catch((err: unknown) =>
            onError(errorMessage(err)),
          );
        }}
      >
        <label>
          Name
          <input value={name} onChange={(e) => setName(e.target.value)} required maxLength={64} />
        </label>
        <label>
          Purpose
          <input value={purpose} onChange={(e) => setPurpose(e.target.value)} maxLength={250} />
        </label>
        <div className="dialog__actions">
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="button button--primary">
            Save
          </button>
        </div>
      </form>
    </Dialog>
  );
}
