import { afterEach, describe, expect, it, vi } from 'vitest';
import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { ClientError } from '@mattermost/client';
import type { UserThreadWithPost } from '@mattermost/types/threads';
import { client } from '../../api/client';
import { FollowButton } from './FollowButton';
import { store } from '../../state/store';

function notFound() {
  return new ClientError('http://localhost', {
    message: 'Unable to find the thread.',
    server_error_id: 'app.thread.get.app_error',
    status_code: 404,
    url: '/api/v4/users/me/teams/t/threads/r',
  });
}

afterEach(() => {
  vi.restoreAllMocks();
  store.reset();
});

describe('FollowButton', () => {
  it('shows Following for a followed thread and unfollows on click', async () => {
    const get = vi
      .spyOn(client, 'getUserThread')
      .mockResolvedValue({ id: 'r', is_following: true } as UserThreadWithPost);
    const put = vi.spyOn(client, 'updateThreadFollowForUser').mockResolvedValue({ status: 'OK' } as never);
    render(<FollowButton teamId="t" rootId="r" />);
    const button = await screen.findByRole('button', { name: 'Following' });
    expect(button).toHaveAttribute('aria-pressed', 'true');
    expect(get).toHaveBeenCalledWith('me', 't', 'r');

    await userEvent.click(button);
    expect(put).toHaveBeenCalledWith('me', 't', 'r', false);
    expect(await screen.findByRole('button', { name: 'Follow' })).toHaveAttribute('aria-pressed', 'false');
  });

  it('treats a 404 as not following, and follows on click', async () => {
    vi.spyOn(client, 'getUserThread').mockRejectedValue(notFound());
    const put = vi.spyOn(client, 'updateThreadFollowForUser').mockResolvedValue({ status: 'OK' } as never);
    render(<FollowButton teamId="t" rootId="r" />);
    const button = await screen.findByRole('button', { name: 'Follow' });
    await waitFor(() => expect(button).toBeEnabled());
    await userEvent.click(button);
    expect(put).toHaveBeenCalledWith('me', 't', 'r', true);
    expect(await screen.findByRole('button', { name: 'Following' })).toBeInTheDocument();
  });

  it('keeps the state and reports the error when the change fails', async () => {
    vi.spyOn(client, 'getUserThread').mockResolvedValue({
      id: 'r',
      is_following: false,
    } as UserThreadWithPost);
    vi.spyOn(client, 'updateThreadFollowForUser').mockRejectedValue(new Error('offline'));
    render(<FollowButton teamId="t" rootId="r" />);
    const button = await screen.findByRole('button', { name: 'Follow' });
    await waitFor(() => expect(button).toBeEnabled());
    await userEvent.click(button);
    expect(await screen.findByRole('alert')).toHaveTextContent('offline');
    expect(screen.getByRole('button', { name: 'Follow' })).toHaveAttribute('aria-pressed', 'false');
  });
});
