/**
 * Post search, as Mattermost's: `POST /teams/{team_id}/posts/search` (that team's channels plus the
 * caller's direct and group channels) and `POST /posts/search` (every team). The body is
 * `{terms, is_or_search, page, per_page, time_zone_offset, include_deleted_channels}`; the answer is a
 * PostSearchResults (`order` newest first, `posts`, `matches`), with `has_next` as post lists carry it.
 */
import type { FastifyInstance } from 'fastify';
import type { Post, PostSearchResults } from '@mattermost/types/posts';
import type { Services } from '../../services/index.js';
import type { PostSearchResult } from '../../services/search.js';
import { idParam, objectBody, requireActor } from './http.js';
import { presentPost } from './present-posts.js';

export function presentSearchResults(r: PostSearchResult): PostSearchResults & { has_next: boolean } {
  const posts: Record<string, Post> = {};
  for (const p of r.posts) posts[p.post.id] = presentPost(p);
  return {
    order: r.order,
    posts,
    matches: r.matches,
    next_post_id: '',
    prev_post_id: '',
    has_next: r.hasNext,
    first_inaccessible_post_time: 0,
  };
}

export function registerSearchRoutes(api: FastifyInstance, services: Services): void {
  const { search } = services;

  api.post('/teams/:team_id/posts/search', async (req) => {
    const teamId = idParam(req, 'team_id');
    return presentSearchResults(await search.searchPosts(requireActor(req), teamId, objectBody(req)));
  });

  api.post('/posts/search', async (req) => {
    return presentSearchResults(await search.searchPosts(requireActor(req), undefined, objectBody(req)));
  });
}
