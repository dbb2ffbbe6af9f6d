/**
 * Following a thread (the server's collapsed-threads API). The state lives in the store (`following`,
 * by root id): fetched when a thread is shown, then kept current by `thread_follow_changed` and
 * `thread_updated` events and by the user's own replies (a reply makes its author follow), without
 * fetching again.
 */
import type { UserThreadWithPost } from '@mattermost/types/threads';
import { client, errorStatus } from '../../api/client';
import { put, store } from '../../state/store';

export function applyFollowing(rootId: string, following: boolean): void {
  store.set((s) =>
    s.following[rootId] === following ? {} : { following: put(s.following, rootId, following) },
  );
}

/** Fetches whether the signed-in user follows the thread into the store. */
export async function loadFollowing(teamId: string, rootId: string): Promise<boolean> {
  let following: boolean;
  try {
    const thread = (await client.getUserThread('me', teamId, rootId)) as UserThreadWithPost;
    following = thread.is_following;
  } catch (err) {
    // Servers before 200-for-not-following answered 404 for a thread the user never joined.
    if (errorStatus(err) !== 404) throw err;
    following = false;
  }
  applyFollowing(rootId, following);
  return following;
}

export async function setFollowing(teamId: string, rootId: string, following: boolean): Promise<void> {
  await client.updateThreadFollowForUser('me', teamId, rootId, following);
  applyFollowing(rootId, following);
}
