import { useEffect, useState, type FormEvent } from 'react';
import type { Team } from '@mattermost/types/teams';
import { errorMessage } from '../../api/client';
import { createTeam, joinTeam, listJoinableTeams, logout } from '../../state/actions';
import { navigate } from '../../router';
import { useAppState } from '../../state/store';

export function teamSlug(name: string): string {
  return name
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 64);
}

/** Create a team, or join an open one. The first person on a fresh server lands here after sign-up. */
export function CreateTeamPage() {
  const [name, setName] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const [joinable, setJoinable] = useState<Team[]>([]);
  const hasTeams = useAppState((s) => Object.keys(s.teams).length > 0);

  useEffect(() => {
    listJoinableTeams().then(setJoinable, () => setJoinable([]));
  }, []);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const slug = teamSlug(name);
    if (slug.length < 2) {
      setError('Use at least two letters or digits.');
      return;
    }
    setBusy(true);
    setError('');
    try {
      const team = await createTeam(name.trim(), slug);
      navigate(`/${team.name}`);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="auth">
      <div className="auth__card">
        <h1>{hasTeams ? 'Create or join a team' : 'Create your team'}</h1>
        <form onSubmit={submit} className="form">
          <label>
            Team name
            <input value={name} onChange={(e) => setName(e.target.value)} required maxLength={64} autoFocus />
          </label>
          {name && (
            <p className="form__hint">
              Address: <code>/{teamSlug(name)}</code>
            </p>
          )}
          {error && (
            <p className="form__error" role="alert">
              {error}
            </p>
          )}
          <button className="button button--primary" type="submit" disabled={busy}>
            {busy ? 'Creating…' : 'Create team'}
          </button>
        </form>
        {joinable.length > 0 && (
          <section aria-label="Open teams" className="join-teams">
            <h2>Or join an open team</h2>
            <ul>
              {joinable.map((t) => (
                <li key={t.id}>
                  <span>{t.display_name}</span>
                  <button
                    type="button"
                    className="button"
                    onClick={() => {
                      joinTeam(t).then(
                        () => navigate(`/${t.name}`),
                        (err: unknown) => setError(errorMessage(err)),
                      );
                    }}
                  >
                    Join
                  </button>
                </li>
              ))}
            </ul>
          </section>
        )}
        <p className="auth__switch">
          {hasTeams ? (
            <a
              href="/"
              onClick={(e) => {
                e.preventDefault();
                navigate('/');
              }}
            >
              Back to your teams
            </a>
          ) : (
            <button
              type="button"
              className="link-button"
              onClick={() => void logout().then(() => navigate('/login'))}
            >
              Log out
            </button>
          )}
        </p>
      </div>
    </main>
  );
}
