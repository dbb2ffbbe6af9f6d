/**
 * Whose presence the app shows, so that it asks the server only for those. Components that show a
 * user's status (a presence dot: DM partners in the sidebar and the header, the member list) or a
 * post by them (the mounted rows of a message list or thread) register the user while mounted.
 * Mattermost pushes `status_change` only to the user concerned and its web app polls
 * `POST /users/status/ids` for the users on screen every minute; Parley may also push status changes
 * (limited for large channels), and the poll repairs whatever was not pushed.
 */
import { useEffect } from 'react';
import { store } from './store';

const shown = new Map<string, number>();

/** Users newly shown whose status the store does not hold: fetched together, soon, not at the next poll. */
const unknown = new Set<string>();
let fetchUnknown: ((ids: string[]) => void) | undefined;
let unknownTimer: ReturnType<typeof setTimeout> | undefined;

export function onUnknownStatuses(fetch: (ids: string[]) => void): void {
  fetchUnknown = fetch;
}

export function showUser(userId: string): () => void {
  if (!userId) return () => undefined;
  const n = shown.get(userId) ?? 0;
  shown.set(userId, n + 1);
  if (n === 0 && !(userId in store.get().statuses)) {
    unknown.add(userId);
    unknownTimer ??= setTimeout(() => {
      unknownTimer = undefined;
      const ids = [...unknown];
      unknown.clear();
      fetchUnknown?.(ids);
    }, 50);
  }
  return () => {
    const n = (shown.get(userId) ?? 1) - 1;
    if (n <= 0) shown.delete(userId);
    else shown.set(userId, n);
  };
}

/** Registers the user as shown while the calling component is mounted. */
export function useShowsUser(userId: string): void {
  useEffect(() => showUser(userId), [userId]);
}

export function shownUserIds(): string[] {
  return [...shown.keys()];
}

/** How often the statuses of the users shown are fetched again (Mattermost's web app: a minute). */
export const STATUS_POLL_MS = 60 * 1000;
/** Ids per POST /users/status/ids (the server accepts up to 1,000). */
export const STATUS_BATCH = 500;
