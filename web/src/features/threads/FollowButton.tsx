import { useEffect, useState } from 'react';
import { errorMessage } from '../../api/client';
import { useAppState } from '../../state/store';
import { loadFollowing, setFollowing } from './following';

/**
 * Follow/Following toggle for a thread. The state is fetched once when the button appears; after that
 * the store keeps it current from live events (another tab's toggle, the user's own reply).
 */
export function FollowButton({ teamId, rootId }: { teamId: string; rootId: string }) {
  const following = useAppState((s) => s.following[rootId]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');

  useEffect(() => {
    let live = true;
    loadFollowing(teamId, rootId).catch((err: unknown) => {
      if (live) setError(errorMessage(err));
    });
    return () => {
      live = false;
    };
  }, [teamId, rootId]);

  const toggle = async () => {
    if (following === undefined) return;
    setBusy(true);
    setError('');
    try {
      await setFollowing(teamId, rootId, !following);
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

/** The toggle for the thread panel's header. */
export function ThreadFollowButton({ teamId, rootId }: { teamId: string; rootId: string }) {
  return <FollowButton teamId={teamId} rootId={rootId} />;
}
