import { beforeEach, describe, expect, it } from 'vitest';
import { render, screen } from '@testing-library/react';
import type { UserProfile } from '@mattermost/types/users';
import { PostItem } from './PostItem';
import { initialState, store, type ClientPost } from '../../state/store';

const now = new Date(2026, 0, 15, 9, 30).getTime();

function user(id: string, username: string, first_name = ''): UserProfile {
  return { id, username, first_name, last_name: '', roles: 'system_user' } as UserProfile;
}

function post(extra: Partial<ClientPost>): ClientPost {
  return {
    id: 'p1',
    user_id: 'u-bob',
    create_at: now,
    update_at: now,
    edit_at: 0,
    delete_at: 0,
    is_pinned: false,
    channel_id: 'c',
    root_id: '',
    original_id: '',
    message: '',
    type: '',
    props: {},
    hashtags: '',
    pending_post_id: '',
    reply_count: 0,
    metadata: { embeds: [], emojis: [], files: [], images: {} },
    ...extra,
  };
}

describe('PostItem', () => {
  beforeEach(() => {
    const alice = user('u-alice', 'alice');
    store.set(() => ({
      ...initialState(),
      me: alice,
      users: { 'u-alice': alice, 'u-bob': user('u-bob', 'bob', '<img src=x onerror=alert(1)>') },
    }));
  });

  it('renders Markdown, the author and the time', () => {
    render(<PostItem post={post({ message: 'Ship it **today**' })} compact={false} teamName="acme" />);
    const article = screen.getByRole('article', { name: /^bob, / });
    expect(article.querySelector('strong')?.textContent).toBe('today');
    expect(screen.getByRole('link', { name: /\d/ })).toHaveAttribute('href', '/acme/pl/p1');
  });

  it('renders hostile markup and names as text, with no element of theirs', () => {
    const { container } = render(
      <PostItem
        post={post({
          message: '<img src=x onerror=alert(1)> <script>alert(2)</script> [x](javascript:alert(3))',
        })}
        compact={false}
        teamName="acme"
      />,
    );
    expect(container.querySelector('img, script')).toBeNull();
    expect(container.textContent).toContain('<img src=x onerror=alert(1)>');
    expect(container.textContent).toContain('<script>alert(2)</script>');
    for (const a of container.querySelectorAll('a'))
      expect(a.getAttribute('href') ?? '').not.toMatch(/javascript:/i);
    // The avatar shows the first letter of the hostile first name, as text.
    expect(container.querySelector('.avatar')?.textContent).toBe('<');
  });

  it('shows reactions grouped by emoji, mine pressed', () => {
    const reactions = [
      { user_id: 'u-alice', post_id: 'p1', emoji_name: 'tada', create_at: 1 },
      { user_id: 'u-bob', post_id: 'p1', emoji_name: 'tada', create_at: 2 },
      { user_id: 'u-bob', post_id: 'p1', emoji_name: '+1', create_at: 3 },
    ];
    render(
      <PostItem
        post={post({ message: 'x', metadata: { embeds: [], emojis: [], files: [], images: {}, reactions } })}
        compact={false}
        teamName="acme"
      />,
    );
    const tada = screen.getByRole('button', { name: ':tada: 2, by alice, bob' });
    expect(tada).toHaveAttribute('aria-pressed', 'true');
    expect(tada).toHaveTextContent('🎉 2');
    expect(screen.getByRole('button', { name: ':+1: 1, by bob' })).toHaveAttribute('aria-pressed', 'false');
  });

  it('marks a failed post with a retry, and a deleted one as deleted', () => {
    const { rerender } = render(
      <PostItem post={post({ message: 'hello', pendingState: 'failed' })} compact={false} teamName="acme" />,
    );
    expect(screen.getByRole('alert')).toHaveTextContent('Not sent.');
    expect(screen.getByRole('button', { name: 'Retry' })).toBeInTheDocument();
    rerender(<PostItem post={post({ message: '', delete_at: now })} compact={false} teamName="acme" />);
    expect(screen.getByText('(message deleted)')).toBeInTheDocument();
    expect(screen.queryByRole('toolbar')).toBeNull();
  });

  it('shows the reply count on a root post', () => {
    render(<PostItem post={post({ message: 'root', reply_count: 3 })} compact={false} teamName="acme" />);
    expect(screen.getByRole('button', { name: '3 replies' })).toBeInTheDocument();
  });
});
