import { useCallback, useEffect, useState } from 'react';
import { boot, loadDrafts } from './state/actions';
import { connectSocket, disconnectSocket } from './realtime/socket';
import { navigate, parseRoute, usePathname } from './router';
import { useAppState } from './state/store';
import { LoginPage, SignupPage } from './features/auth/AuthPages';
import { CreateTeamPage } from './features/teams/CreateTeamPage';
import { Workspace } from './features/layout/Workspace';
import { errorMessage } from './api/client';

type Phase = 'loading' | 'signedOut' | 'signedIn' | 'error';

export function App() {
  const [phase, setPhase] = useState<Phase>('loading');
  const [error, setError] = useState('');
  const pathname = usePathname();
  const route = parseRoute(pathname);
  const me = useAppState((s) => s.me);
  const teamCount = useAppState((s) => Object.keys(s.teams).length);

  const start = useCallback(() => {
    setPhase('loading');
    boot().then(
      (result) => {
        setPhase(result);
        if (result === 'signedIn') {
          loadDrafts();
          connectSocket();
        }
      },
      (err: unknown) => {
        setError(errorMessage(err));
        setPhase('error');
      },
    );
  }, []);

  useEffect(start, [start]);

  // Signing out anywhere (the store loses `me`) returns to the login page.
  useEffect(() => {
    if (phase === 'signedIn' && !me) {
      disconnectSocket();
      setPhase('signedOut');
    }
  }, [phase, me]);

  const onSignedIn = useCallback(() => {
    setPhase('signedIn');
    loadDrafts();
    connectSocket();
    const from = new URLSearchParams(window.location.search).get('redirect_to');
    navigate(from && from.startsWith('/') && !from.startsWith('//') ? from : '/', { replace: true });
  }, []);

  useEffect(() => {
    if (phase === 'signedOut' && route.kind !== 'login' && route.kind !== 'signup') {
      const back = route.kind === 'root' ? '' : `?redirect_to=${encodeURIComponent(pathname)}`;
      window.history.replaceState(null, '', `/login${back}`);
      window.dispatchEvent(new PopStateEvent('popstate'));
    }
    if (phase === 'signedIn' && (route.kind === 'login' || route.kind === 'signup'))
      navigate('/', { replace: true });
  }, [phase, route.kind, pathname]);

  if (phase === 'loading') {
    return (
      <div className="splash" role="status">
        Loading Parley…
      </div>
    );
  }
  if (phase === 'error') {
    return (
      <div className="splash" role="alert">
        <p>Parley could not start: {error}</p>
        <button className="button button--primary" type="button" onClick={start}>
          Try again
        </button>
      </div>
    );
  }
  if (phase === 'signedOut') {
    return route.kind === 'signup' ? (
      <SignupPage onSignedIn={onSignedIn} />
    ) : (
      <LoginPage onSignedIn={onSignedIn} />
    );
  }
  if (route.kind === 'createTeam' || teamCount === 0) return <CreateTeamPage />;
  return <Workspace route={route} />;
}
