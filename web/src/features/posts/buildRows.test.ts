import { describe, expect, it } from 'vitest';
import type { ClientPost } from '../../state/store';
import { buildRows } from './PostList';

const DAY = 86_400_000;
const base = new Date(2026, 0, 15, 9, 0).getTime();

function p(id: string, user: string, at: number, extra: Partial<ClientPost> = {}): ClientPost {
  return {
    id,
    user_id: user,
    create_at: at,
    update_at: at,
    edit_at: 0,
    delete_at: 0,
    is_pinned: false,
    channel_id: 'c',
    root_id: '',
    original_id: '',
    message: id,
    type: '',
    props: {},
    hashtags: '',
    pending_post_id: '',
    reply_count: 0,
    metadata: { embeds: [], emojis: [], files: [], images: {} },
    ...extra,
  };
}

describe('buildRows', () => {
  it('groups consecutive posts by the same author within five minutes', () => {
    const rows = buildRows(
      [
        p('a1', 'alice', base),
        p('a2', 'alice', base + 60_000),
        p('b1', 'bob', base + 120_000),
        p('b2', 'bob', base + 120_000 + 6 * 60_000),
      ],
      undefined,
      'alice',
    );
    expect(rows.map((r) => [r.post.id, r.compact])).toEqual([
      ['a1', false],
      ['a2', true],
      ['b1', false],
      ['b2', false],
    ]);
  });

  it('puts a day separator before the first post of each day, and breaks groups there', () => {
    const rows = buildRows([p('x', 'alice', base), p('y', 'alice', base + DAY)], undefined, 'alice');
    expect(rows[0]!.daySeparator).toBeDefined();
    expect(rows[1]!.daySeparator).toBeDefined();
    expect(rows[1]!.daySeparator).not.toBe(rows[0]!.daySeparator);
    expect(rows[1]!.compact).toBe(false);
  });

  it('draws the new-messages line once, before the first unseen post by someone else', () => {
    const rows = buildRows(
      [
        p('old', 'bob', base),
        p('mine', 'alice', base + 2000),
        p('new1', 'bob', base + 3000),
        p('new2', 'bob', base + 4000),
      ],
      base + 1000,
      'alice',
    );
    expect(rows.filter((r) => r.newLine).map((r) => r.post.id)).toEqual(['new1']);
    expect(rows.find((r) => r.post.id === 'new1')!.compact).toBe(false);
  });

  it('draws no line when everything was seen', () => {
    const rows = buildRows([p('a', 'bob', base)], base + 1, 'alice');
    expect(rows.some((r) => r.newLine)).toBe(false);
  });
});
