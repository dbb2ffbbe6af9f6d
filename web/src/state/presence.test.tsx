import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { act, render, screen } from '@testing-library/react';
import type { WebSocketMessage } from '@mattermost/client';
import type { Post } from '@mattermost/types/posts';
import type { UserProfile, UserStatus } from '@mattermost/types/users';
import { client } from '../api/client';
import { PresenceDot } from '../common/Avatar';
import { PostItem } from '../features/posts/PostItem';
import { handleEvent } from '../realtime/events';
import { disconnectSocket, startStatusPoll } from '../realtime/socket';
import { STATUS_POLL_MS } from './presence';
import { store } from './store';

const ids = {
  bob: 'b'.repeat(26),
  carol: 'c'.repeat(26),
  dave: 'd'.repeat(26),
  erin: 'e'.repeat(26),
};
const user = (id: string, username: string) => ({ id, username }) as UserProfile;

let statuses: Record<string, string>;
let asked: string[][];

beforeEach(() => {
  vi.useFakeTimers();
  statuses = { [ids.bob]: 'online', [ids.carol]: 'online', [ids.dave]: 'online', [ids.erin]: 'online' };
  asked = [];
  vi.spyOn(client, 'getStatusesByIds').mockImplementation(async (wanted: string[]) => {
    asked.push([...wanted].sort());
    return wanted.map((id) => ({ user_id: id, status: statuses[id] ?? 'offline' }) as UserStatus);
  });
  vi.spyOn(client, 'getProfilesByIds').mockResolvedValue([]);
  store.set(() => ({
    me: user('a'.repeat(26), 'alice'),
    // erin is known to the store but shown nowhere.
    users: {
      [ids.bob]: user(ids.bob, 'bob'),
      [ids.dave]: user(ids.dave, 'dave'),
      [ids.erin]: user(ids.erin, 'erin'),
    },
  }));
});

afterEach(() => {
  disconnectSocket();
  vi.useRealTimers();
  vi.restoreAllMocks();
  store.reset();
});

const flush = () => act(async () => vi.advanceTimersByTimeAsync(100));
const tick = () => act(async () => vi.advanceTimersByTimeAsync(STATUS_POLL_MS));

describe('presence polling', () => {
  it('polls the statuses of the users shown every minute, and only theirs', async () => {
    const post = {
      id: 'p'.repeat(26),
      user_id: ids.dave,
      channel_id: 'x'.repeat(26),
      root_id: '',
      message: 'hello',
      create_at: 1,
      update_at: 1,
      edit_at: 0,
      delete_at: 0,
      reply_count: 0,
    } as Post;
    const view = render(
      <>
        <PresenceDot userId={ids.bob} />
        <PresenceDot userId={ids.carol} />
        <PostItem post={post} compact={false} teamName="t" />
      </>,
    );
    startStatusPoll();
    // Users shown for the first time are asked about at once, together.
    await flush();
    expect(asked).toEqual([[ids.bob, ids.carol, ids.dave].sort()]);
    expect(screen.getAllByRole('img', { name: 'Online' })).toHaveLength(2);

    // Nothing pushed; the next poll brings bob's change.
    statuses[ids.bob] = 'away';
    await tick();
    expect(asked.at(-1)).toEqual([ids.bob, ids.carol, ids.dave].sort());
    expect(asked.flat()).not.toContain(ids.erin);
    expect(screen.getByRole('img', { name: 'Away' })).toBeInTheDocument();

    // A user no longer shown is no longer asked about.
    view.rerender(
      <>
        <PresenceDot userId={ids.bob} />
        <PostItem post={post} compact={false} teamName="t" />
      </>,
    );
    await tick();
    expect(asked.at(-1)).toEqual([ids.bob, ids.dave].sort());
  });

  it('applies status_change events between polls', async () => {
    render(<PresenceDot userId={ids.bob} />);
    startStatusPoll();
    await flush();
    expect(screen.getByRole('img', { name: 'Online' })).toBeInTheDocument();
    act(() =>
      handleEvent({
        event: 'status_change',
        data: { user_id: ids.bob, status: 'dnd' },
        broadcast: {},
        seq: 2,
      } as unknown as WebSocketMessage),
    );
    expect(screen.getByRole('img', { name: 'Do not disturb' })).toBeInTheDocument();
  });

  it('asks nothing when nobody is shown', async () => {
    startStatusPoll();
    await tick();
    expect(asked).toEqual([]);
  });
});
