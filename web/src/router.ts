/**
 * Routes as paths, parsed from location.pathname; navigate() pushes history and notifies listeners.
 * /login · /signup · /create-team · /{team}/channels/{channel} · /{team}/messages/@{username} ·
 * /{team}/pl/{post_id} · / (the last or first channel).
 */
import { useSyncExternalStore } from 'react';

export type Route =
  | { kind: 'root' }
  | { kind: 'login' }
  | { kind: 'signup' }
  | { kind: 'createTeam' }
  | { kind: 'team'; team: string }
  | { kind: 'channel'; team: string; channel: string }
  | { kind: 'dm'; team: string; username: string }
  | { kind: 'permalink'; team: string; postId: string }
  | { kind: 'notFound' };

function seg(s: string | undefined): string {
  try {
    return decodeURIComponent(s ?? '');
  } catch {
    return '';
  }
}

export function parseRoute(pathname: string): Route {
  const parts = pathname.split('/').filter(Boolean);
  if (parts.length === 0) return { kind: 'root' };
  const [a, b, c] = [seg(parts[0]), seg(parts[1]), seg(parts[2])];
  if (parts.length === 1) {
    if (a === 'login') return { kind: 'login' };
    if (a === 'signup') return { kind: 'signup' };
    if (a === 'create-team') return { kind: 'createTeam' };
    return { kind: 'team', team: a };
  }
  if (parts.length === 3 && b === 'channels' && c) return { kind: 'channel', team: a, channel: c };
  if (parts.length === 3 && b === 'messages' && c.startsWith('@') && c.length > 1) {
    return { kind: 'dm', team: a, username: c.slice(1) };
  }
  if (parts.length === 3 && b === 'pl' && c) return { kind: 'permalink', team: a, postId: c };
  return { kind: 'notFound' };
}

export const paths = {
  channel: (team: string, channel: string) =>
    `/${encodeURIComponent(team)}/channels/${encodeURIComponent(channel)}`,
  dm: (team: string, username: string) =>
    `/${encodeURIComponent(team)}/messages/@${encodeURIComponent(username)}`,
  permalink: (team: string, postId: string) =>
    `/${encodeURIComponent(team)}/pl/${encodeURIComponent(postId)}`,
};

const listeners = new Set<() => void>();
let current = typeof window !== 'undefined' ? window.location.pathname : '/';

function notify() {
  current = window.location.pathname;
  for (const l of listeners) l();
}

if (typeof window !== 'undefined') window.addEventListener('popstate', notify);

export function navigate(path: string, opts: { replace?: boolean } = {}): void {
  if (path === window.location.pathname) return;
  if (opts.replace) window.history.replaceState(null, '', path);
  else window.history.pushState(null, '', path);
  notify();
}

export function usePathname(): string {
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => current,
  );
}
