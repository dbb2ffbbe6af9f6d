/**
 * The thread panel follows the conversation live: replies, the root's reply count and the follow state
 * change from WebSocket events alone, with no second fetch.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { act, render, screen, within } from '@testing-library/react';
import type { WebSocketMessage } from '@mattermost/client';
import type { Post, PostList } from '@mattermost/types/posts';
import type { Team } from '@mattermost/types/teams';
import type { UserProfile } from '@mattermost/types/users';
import type { UserThreadWithPost } from '@mattermost/types/threads';
import { client } from '../../api/client';
import { store } from '../../state/store';
import { handleEvent } from '../../realtime/events';
import { RightPanel } from '../layout/RightPanel';

const team = { id: 't', name: 'team' } as Team;
const alice = { id: 'alice', username: 'alice', roles: 'system_user' } as UserProfile;
const bob = { id: 'bob', username: 'bob', roles: 'system_user' } as UserProfile;

function post(id: string, user: string, at: number, extra: Partial<Post> = {}): Post {
  return {
    id,
    user_id: user,
    channel_id: 'c',
    root_id: '',
    create_at: at,
    update_at: at,
    edit_at: 0,
    delete_at: 0,
    is_pinned: false,
    original_id: '',
    message: `message ${id}`,
    type: '',
    props: {},
    hashtags: '',
    reply_count: 0,
    metadata: { embeds: [], emojis: [], files: [], images: {} },
    ...extra,
  } as Post;
}

const root = post('root', 'bob', 1000, { reply_count: 1 });
const first = post('r1', 'bob', 2000, { root_id: 'root', reply_count: 1 });

function event(name: string, data: Record<string, unknown>): void {
  act(() => handleEvent({ event: name, data, broadcast: { channel_id: 'c' }, seq: 1 } as WebSocketMessage));
}

function posted(p: Post, mentions: string[] = []): void {
  event('posted', { post: JSON.stringify(p), channel_type: 'O', mentions: JSON.stringify(mentions) });
}

let getThread: ReturnType<typeof vi.spyOn>;
let getFollow: ReturnType<typeof vi.spyOn>;

beforeEach(() => {
  store.set(() => ({
    me: alice,
    users: { alice, bob },
    channels: { c: { id: 'c', team_id: 't', type: 'O', name: 'c', display_name: 'C' } as never },
    activeTeamId: 't',
    activeChannelId: 'c',
  }));
  getThread = vi.spyOn(client, 'getPostThread').mockResolvedValue({
    order: ['root', 'r1'],
    posts: { root, r1: first },
  } as unknown as PostList as never);
  getFollow = vi
    .spyOn(client, 'getUserThread')
    .mockResolvedValue({ id: 'root', is_following: false } as UserThreadWithPost);
  vi.spyOn(client, 'getProfilesByIds').mockResolvedValue([]);
  vi.spyOn(client, 'getStatusesByIds').mockResolvedValue([]);
  vi.spyOn(client, 'viewMyChannel').mockResolvedValue({} as never);
});

afterEach(() => {
  vi.restoreAllMocks();
  store.reset();
});

async function openThread() {
  render(<RightPanel panel={{ kind: 'thread', rootId: 'root' }} team={team} />);
  const log = await screen.findByRole('log', { name: 'Thread messages' });
  await screen.findByText('message r1');
  await screen.findByRole('button', { name: 'Follow' });
  return log;
}

describe('thread panel, live', () => {
  it('shows a reply from the socket and counts it on the root, without fetching again', async () => {
    const log = await openThread();
    expect(within(log).getByRole('separator')).toHaveTextContent('1 reply');

    posted(post('r2', 'bob', 3000, { root_id: 'root' }));
    expect(await within(log).findByText('message r2')).toBeInTheDocument();
    expect(within(log).getByRole('separator')).toHaveTextContent('2 replies');
    expect(store.get().posts.root?.reply_count).toBe(2);
    expect(getThread).toHaveBeenCalledTimes(1);
    expect(getFollow).toHaveBeenCalledTimes(1);
  });

  it('applies thread_follow_changed (another tab) to the toggle and the reply count', async () => {
    await openThread();
    event('thread_follow_changed', { thread_id: 'root', state: true, reply_count: 5 });
    expect(await screen.findByRole('button', { name: 'Following' })).toHaveAttribute('aria-pressed', 'true');
    expect(store.get().posts.root?.reply_count).toBe(5);

    event('thread_follow_changed', { thread_id: 'root', state: false, reply_count: 5 });
    expect(await screen.findByRole('button', { name: 'Follow' })).toHaveAttribute('aria-pressed', 'false');
    expect(getFollow).toHaveBeenCalledTimes(1);
  });

  it('applies thread_updated', async () => {
    await openThread();
    event('thread_updated', { thread: JSON.stringify({ id: 'root', is_following: true, reply_count: 7 }) });
    expect(await screen.findByRole('button', { name: 'Following' })).toBeInTheDocument();
    expect(store.get().posts.root?.reply_count).toBe(7);
  });

  it('follows after the user’s own reply, with no fetch', async () => {
    await openThread();
    posted(post('r3', 'alice', 4000, { root_id: 'root' }));
    expect(await screen.findByRole('button', { name: 'Following' })).toBeInTheDocument();
    expect(getFollow).toHaveBeenCalledTimes(1);
  });

  it('asks the server again only when a reply may have made the user follow (a mention)', async () => {
    await openThread();
    getFollow.mockResolvedValue({ id: 'root', is_following: true } as UserThreadWithPost);
    posted(post('r4', 'bob', 5000, { root_id: 'root', message: '@alice see' }), ['alice']);
    expect(await screen.findByRole('button', { name: 'Following' })).toBeInTheDocument();
    expect(getFollow).toHaveBeenCalledTimes(2);
  });
});
