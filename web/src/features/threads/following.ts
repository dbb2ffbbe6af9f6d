/**
 * Following a thread (the server's collapsed-threads API). The state lives in the component that
 * shows it: nothing else in the app reads it yet.
 */
import type { UserThreadWithPost } from '@mattermost/types/threads';
import { client, errorStatus } from '../../api/client';

/** Whether the signed-in user follows the thread; a thread they never joined answers 404: not following. */
export async function fetchFollowing(teamId: string, rootId: string): Promise<boolean> {
  try {
    const thread = (await client.getUserThread('me', teamId, rootId)) as UserThreadWithPost;
    return thread.is_following;
  } catch (err) {
    if (errorStatus(err) === 404) return false;
    throw err;
  }
}

export async function setFollowing(teamId: string, rootId: string, following: boolean): Promise<void> {
  await client.updateThreadFollowForUser('me', teamId, rootId, following);
}
