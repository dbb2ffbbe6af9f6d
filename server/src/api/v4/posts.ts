import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Services } from '../../services/index.js';
import { badRequest } from '../../lib/errors.js';
import {
  OK,
  boolQuery,
  idArrayBody,
  idParam,
  idQuery,
  intQuery,
  objectBody,
  paging,
  requireActor,
  stringParam,
  stringQuery,
} from './http.js';
import { presentPost, presentPostList, presentReaction } from './present-posts.js';

const MAX_TIME = 8_640_000_000_000_000;
const MAX_IDS = 1000;

/** A millisecond time in the query, or undefined when absent (or 0, which Mattermost reads as unset). */
function timeQuery(req: FastifyRequest, name: string): number | undefined {
  const v = intQuery(req, name, 0, 0, MAX_TIME);
  return v === 0 ? undefined : v;
}

/** Mattermost's thread options: skipFetchThreads / collapsedThreads. */
function threadFlags(req: FastifyRequest) {
  return {
    fetchThreads: !boolQuery(req, 'skipFetchThreads', false),
    rootsOnly: boolQuery(req, 'collapsedThreads', false),
  };
}

export function registerPostRoutes(api: FastifyInstance, services: Services): void {
  const { posts, reactions } = services;

  api.post('/posts', async (req, reply) => {
    const post = await posts.create(requireActor(req), objectBody(req));
    reply.status(201);
    return presentPost(post);
  });

  api.post('/posts/ids', async (req) => {
    const list = await posts.getByIds(requireActor(req), idArrayBody(req, MAX_IDS));
    return list.map(presentPost);
  });

  api.get('/posts/:post_id', async (req) => {
    const post = await posts.get(
      requireActor(req),
      idParam(req, 'post_id'),
      boolQuery(req, 'include_deleted', false),
    );
    return presentPost(post);
  });

  api.put('/posts/:post_id', async (req) => {
    return presentPost(await posts.update(requireActor(req), idParam(req, 'post_id'), objectBody(req)));
  });

  api.put('/posts/:post_id/patch', async (req) => {
    return presentPost(await posts.patch(requireActor(req), idParam(req, 'post_id'), objectBody(req)));
  });

  api.delete('/posts/:post_id', async (req) => {
    await posts.delete(requireActor(req), idParam(req, 'post_id'));
    return OK;
  });

  api.get('/posts/:post_id/thread', async (req) => {
    const direction = stringQuery(req, 'direction', 4) ?? 'down';
    if (direction !== 'down' && direction !== 'up') {
      throw badRequest('api.context.invalid_url_param.app_error', 'Invalid direction parameter.');
    }
    const perPage =
      stringQuery(req, 'perPage', 10) === undefined ? undefined : intQuery(req, 'perPage', 0, 0, 1000);
    const fromPost = idQuery(req, 'fromPost');
    const fromCreateAt = timeQuery(req, 'fromCreateAt');
    const list = await posts.thread(requireActor(req), idParam(req, 'post_id'), {
      direction,
      ...(perPage !== undefined ? { perPage } : {}),
      ...(fromPost !== undefined ? { fromPost } : {}),
      ...(fromCreateAt !== undefined ? { fromCreateAt } : {}),
    });
    return presentPostList(list);
  });

  api.get('/channels/:channel_id/posts', async (req) => {
    const { page, perPage } = paging(req);
    const since = timeQuery(req, 'since');
    const before = idQuery(req, 'before');
    const after = idQuery(req, 'after');
    if (before !== undefined && after !== undefined) {
      throw badRequest('api.context.invalid_url_param.app_error', 'Use either before or after, not both.');
    }
    const list = await posts.listForChannel(requireActor(req), idParam(req, 'channel_id'), {
      page,
      perPage,
      ...threadFlags(req),
      ...(since !== undefined ? { since } : {}),
      ...(before !== undefined ? { before } : {}),
      ...(after !== undefined ? { after } : {}),
    });
    return presentPostList(list);
  });

  api.get('/users/:user_id/channels/:channel_id/posts/unread', async (req) => {
    const list = await posts.listAroundLastUnread(
      requireActor(req),
      idParam(req, 'user_id', true),
      idParam(req, 'channel_id'),
      {
        limitBefore: intQuery(req, 'limit_before', 30, 0, 200),
        limitAfter: intQuery(req, 'limit_after', 30, 1, 200),
        ...threadFlags(req),
      },
    );
    return presentPostList(list);
  });

  api.post('/posts/:post_id/pin', async (req) => {
    await posts.setPinned(requireActor(req), idParam(req, 'post_id'), true);
    return OK;
  });

  api.post('/posts/:post_id/unpin', async (req) => {
    await posts.setPinned(requireActor(req), idParam(req, 'post_id'), false);
    return OK;
  });

  api.get('/channels/:channel_id/pinned', async (req) => {
    return presentPostList(await posts.listPinned(requireActor(req), idParam(req, 'channel_id')));
  });

  api.get('/users/:user_id/posts/flagged', async (req) => {
    const { page, perPage } = paging(req);
    const channelId = idQuery(req, 'channel_id');
    const teamId = idQuery(req, 'team_id');
    const list = await posts.listFlagged(requireActor(req), idParam(req, 'user_id', true), {
      page,
      perPage,
      ...(channelId !== undefined ? { channelId } : {}),
      ...(teamId !== undefined ? { teamId } : {}),
    });
    return presentPostList(list);
  });

  // ---- reactions ----

  api.post('/reactions', async (req) => {
    return presentReaction(await reactions.add(requireActor(req), objectBody(req)));
  });

  api.delete('/users/:user_id/posts/:post_id/reactions/:emoji_name', async (req) => {
    await reactions.remove(
      requireActor(req),
      idParam(req, 'user_id', true),
      idParam(req, 'post_id'),
      stringParam(req, 'emoji_name', 64),
    );
    return OK;
  });

  api.get('/posts/:post_id/reactions', async (req) => {
    const list = await reactions.list(requireActor(req), idParam(req, 'post_id'));
    return list.map(presentReaction);
  });
}
