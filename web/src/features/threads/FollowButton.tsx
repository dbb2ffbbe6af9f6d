import { useEffect, useState } from 'react';
import { errorMessage } from '../../api/client';
import { useAppState } from '../../state/store';
import { fetchFollowing, setFollowing } from './following';

/**
 * Follow/Following toggle for a thread. `refreshKey` changes when the thread does (a new reply may
 * have made the user follow it on the server), and the state is fetched again.
 */
export function FollowButton({
  teamId,
  rootId,
  refreshKey = 0,
}: {
  teamId: string;
  rootId: string;
  refreshKey?: number;
}) {
  const [following, setState] = useState<boolean | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');

  useEffect(() => {
    let live = true;
    fetchFollowing(teamId, rootId).then(
      (f) => {
        if (live) setState(f);
      },
      (err: unknown) => {
        if (live) setError(errorMessage(err));
      },
    );
    return () => {
      live = false;
    };
  }, [teamId, rootId, refreshKey]);

  const toggle = async () => {
    if (following === undefined) return;
    const next = !following;
    setBusy(true);
    setError('');
    try {
      await setFollowing(teamId, rootId, next);
      setState(next);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <button
        type="button"
        className={following ? 'button button--primary' : 'button button--ghost'}
        aria-pressed={following ?? false}
        disabled={following === undefined || busy}
        title={error || (following ? 'Stop following this thread' : 'Follow this thread')}
        onClick={() => void toggle()}
      >
        {following ? 'Following' : 'Follow'}
      </button>
      {error && (
        <span className="visually-hidden" role="alert">
          {error}
        </span>
      )}
    </>
  );
}

/** The toggle for the thread panel's header: fetched again whenever the thread's reply count changes. */
export function ThreadFollowButton({ teamId, rootId }: { teamId: string; rootId: string }) {
  const replies = useAppState((s) => s.threads[rootId]?.length ?? 0);
  return <FollowButton teamId={teamId} rootId={rootId} refreshKey={replies} />;
}
