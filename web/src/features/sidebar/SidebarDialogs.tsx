import { useEffect, useState, type FormEvent } from 'react';
import type { Channel } from '@mattermost/types/channels';
import type { Team } from '@mattermost/types/teams';
import type { UserProfile } from '@mattermost/types/users';
import { Dialog } from '../../common/Dialog';
import { Avatar } from '../../common/Avatar';
import { errorMessage } from '../../api/client';
import {
  createChannel,
  joinChannel,
  listMoreChannels,
  openDirectChannel,
  openGroupChannel,
  searchUsers,
} from '../../state/actions';
import { navigate, paths } from '../../router';
import { store } from '../../state/store';
import { channelHref } from '../../state/selectors';
import { teamSlug } from '../teams/CreateTeamPage';

export function NewChannelDialog({ team, onClose }: { team: Team; onClose: () => void }) {
  const [name, setName] = useState('');
  const [purpose, setPurpose] = useState('');
  const [isPrivate, setPrivate] = useState(false);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const slug = teamSlug(name);
    if (!slug) {
      setError('Use at least one letter or digit.');
      return;
    }
    setBusy(true);
    try {
      const c = await createChannel(team.id, name.trim(), slug, isPrivate ? 'P' : 'O', purpose.trim());
      onClose();
      navigate(paths.channel(team.name, c.name));
    } catch (err) {
      setError(errorMessage(err));
      setBusy(false);
    }
  };

  return (
    <Dialog title="Create a channel" onClose={onClose}>
      <form className="form" onSubmit={submit}>
        <label>
          Name
          <input value={name} onChange={(e) => setName(e.target.value)} maxLength={64} required />
        </label>
        <label>
          Purpose <span className="form__optional">(optional)</span>
          <input value={purpose} onChange={(e) => setPurpose(e.target.value)} maxLength={250} />
        </label>
        <label className="form__check">
          <input type="checkbox" checked={isPrivate} onChange={(e) => setPrivate(e.target.checked)} />
          Private: only invited members can see it
        </label>
        {error && (
          <p className="form__error" role="alert">
            {error}
          </p>
        )}
        <div className="dialog__actions">
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="button button--primary" disabled={busy}>
            Create
          </button>
        </div>
      </form>
    </Dialog>
  );
}

export function BrowseChannelsDialog({ team, onClose }: { team: Team; onClose: () => void }) {
  const [channels, setChannels] = useState<Channel[] | undefined>();
  const [filter, setFilter] = useState('');
  const [error, setError] = useState('');

  useEffect(() => {
    listMoreChannels(team.id).then(setChannels, (err: unknown) => setError(errorMessage(err)));
  }, [team.id]);

  const shown = (channels ?? []).filter((c) =>
    `${c.display_name} ${c.name} ${c.purpose}`.toLowerCase().includes(filter.toLowerCase()),
  );

  return (
    <Dialog title="Browse channels" onClose={onClose} wide>
      <input
        className="search-input"
        aria-label="Filter channels"
        placeholder="Filter channels"
        value={filter}
        onChange={(e) => setFilter(e.target.value)}
      />
      {error && (
        <p className="form__error" role="alert">
          {error}
        </p>
      )}
      {channels === undefined ? (
        <p role="status">Loading…</p>
      ) : shown.length === 0 ? (
        <p>No other public channels.</p>
      ) : (
        <ul className="picker-list">
          {shown.map((c) => (
            <li key={c.id}>
              <div>
                <strong>{c.display_name}</strong>
                {c.purpose && <div className="muted">{c.purpose}</div>}
              </div>
              <button
                type="button"
                className="button"
                onClick={() => {
                  joinChannel(c.id).then(
                    () => {
                      onClose();
                      navigate(paths.channel(team.name, c.name));
                    },
                    (err: unknown) => setError(errorMessage(err)),
                  );
                }}
              >
                Join
              </button>
            </li>
          ))}
        </ul>
      )}
    </Dialog>
  );
}

export function NewMessageDialog({ team, onClose }: { team: Team; onClose: () => void }) {
  const [term, setTerm] = useState('');
  const [results, setResults] = useState<UserProfile[]>([]);
  const [picked, setPicked] = useState<UserProfile[]>([]);
  const [error, setError] = useState('');

  useEffect(() => {
    let cancelled = false;
    const t = setTimeout(() => {
      searchUsers(term, team.id).then(
        (users) =>
          !cancelled && setResults(users.filter((u) => u.id !== store.get().me?.id && u.delete_at === 0)),
        () => !cancelled && setResults([]),
      );
    }, 150);
    return () => {
      cancelled = true;
      clearTimeout(t);
    };
  }, [term, team.id]);

  const go = async () => {
    if (picked.length === 0) return;
    try {
      const c =
        picked.length === 1
          ? await openDirectChannel(picked[0]!.id)
          : await openGroupChannel(picked.map((u) => u.id));
      onClose();
      navigate(channelHref(team.name, c, store.get()));
    } catch (err) {
      setError(errorMessage(err));
    }
  };

  return (
    <Dialog title="Direct message" onClose={onClose} wide>
      <div className="chips" aria-label="Selected people">
        {picked.map((u) => (
          <button
            type="button"
            key={u.id}
            className="chip"
            aria-label={`Remove ${u.username}`}
            onClick={() => setPicked((p) => p.filter((x) => x.id !== u.id))}
          >
            @{u.username} ×
          </button>
        ))}
      </div>
      <input
        className="search-input"
        aria-label="Find people by name"
        placeholder="Find people by name"
        value={term}
        onChange={(e) => setTerm(e.target.value)}
      />
      <ul className="picker-list">
        {results
          .filter((u) => !picked.some((p) => p.id === u.id))
          .map((u) => (
            <li key={u.id}>
              <button
                type="button"
                className="picker-list__pick"
                onClick={() => setPicked((p) => (p.length < 7 ? [...p, u] : p))}
              >
                <Avatar user={u} size={24} /> <strong>@{u.username}</strong>{' '}
                <span className="muted">{[u.first_name, u.last_name].filter(Boolean).join(' ')}</span>
              </button>
            </li>
          ))}
      </ul>
      {error && (
        <p className="form__error" role="alert">
          {error}
        </p>
      )}
      <div className="dialog__actions">
        <button type="button" className="button" onClick={onClose}>
          Cancel
        </button>
        <button
          type="button"
          className="button button--primary"
          disabled={picked.length === 0}
          onClick={() => void go()}
        >
          Go
        </button>
      </div>
    </Dialog>
  );
}
