import { describe, expect, it } from 'vitest';
import type { Post } from '@mattermost/types/posts';
import { mergeSorted } from './actions';

const post = (id: string, create_at: number) => ({ id, create_at }) as Post;

describe('mergeSorted', () => {
  const held = [post('c', 30), post('d', 40), post('e', 40), post('f', 60)];
  const posts: Record<string, Post> = Object.fromEntries(held.map((p) => [p.id, p]));
  const ids = held.map((p) => p.id);

  it('puts an older page before what is held, sorted by time', () => {
    const page = [post('b', 20), post('a', 10)];
    expect(mergeSorted(ids, page, { ...posts, a: page[1]!, b: page[0]! })).toEqual([
      'a',
      'b',
      'c',
      'd',
      'e',
      'f',
    ]);
  });

  it('interleaves posts between held ones, after held posts of the same time', () => {
    const fresh = [post('x', 40), post('y', 50), post('z', 70)];
    const all = { ...posts, ...Object.fromEntries(fresh.map((p) => [p.id, p])) };
    expect(mergeSorted(ids, fresh, all)).toEqual(['c', 'd', 'e', 'x', 'y', 'f', 'z']);
  });

  it('answers the same list when nothing is new', () => {
    expect(mergeSorted(ids, [], posts)).toBe(ids);
  });
});
