import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { UserThreadList, UserThreadWithPost } from '@mattermost/types/threads';
import type { Services } from '../../services/index.js';
import type { ThreadList, ThreadView } from '../../services/threads.js';
import { badRequest } from '../../lib/errors.js';
import { OK, boolQuery, idParam, idQuery, intQuery, requireActor, stringParam } from './http.js';
import { presentPost } from './present-posts.js';

const THREADS_PER_PAGE = 25;

export function presentThread(v: ThreadView): UserThreadWithPost {
  return {
    id: v.root.post.id,
    reply_count: v.root.post.reply_count,
    last_reply_at: v.root.post.last_reply_at,
    last_viewed_at: v.membership.last_viewed,
    participants: v.participants.map((id) => ({ id })),
    unread_replies: v.unreadReplies,
    unread_mentions: v.membership.unread_mentions,
    is_following: v.membership.following === 1,
    post: presentPost(v.root),
  };
}

function presentThreadList(l: ThreadList): UserThreadList {
  return {
    total: l.total,
    total_unread_threads: l.total_unread_threads,
    total_unread_mentions: l.total_unread_mentions,
    threads: l.threads.map(presentThread),
  };
}

export function registerThreadRoutes(api: FastifyInstance, services: Services): void {
  const { threads } = services;
  const base = '/users/:user_id/teams/:team_id/threads';
  const ids = (req: FastifyRequest) => ({
    actor: requireActor(req),
    userId: idParam(req, 'user_id', true),
    teamId: idParam(req, 'team_id'),
  });

  api.get(base, async (req) => {
    const { actor, userId, teamId } = ids(req);
    const before = idQuery(req, 'before');
    const after = idQuery(req, 'after');
    const list = await threads.list(actor, userId, teamId, {
      ...(before ? { before } : {}),
      ...(after ? { after } : {}),
      perPage: intQuery(req, 'per_page', THREADS_PER_PAGE, 0, 200),
      unread: boolQuery(req, 'unread'),
      deleted: boolQuery(req, 'deleted'),
      since: intQuery(req, 'since', 0, 0, Number.MAX_SAFE_INTEGER),
      totalsOnly: boolQuery(req, 'totalsOnly'),
      threadsOnly: boolQuery(req, 'threadsOnly'),
    });
    return presentThreadList(list);
  });

  api.put(`${base}/read`, async (req) => {
    const { actor, userId, teamId } = ids(req);
    await threads.markAllRead(actor, userId, teamId);
    return OK;
  });

  api.get(`${base}/:thread_id`, async (req) => {
    const { actor, userId, teamId } = ids(req);
    return presentThread(await threads.get(actor, userId, teamId, idParam(req, 'thread_id')));
  });

  const follow = (state: boolean) => async (req: FastifyRequest) => {
    const { actor, userId, teamId } = ids(req);
    await threads.setFollowing(actor, userId, teamId, idParam(req, 'thread_id'), state);
    return OK;
  };
  api.put(`${base}/:thread_id/following`, follow(true));
  api.delete(`${base}/:thread_id/following`, follow(false));

  api.put(`${base}/:thread_id/read/:timestamp`, async (req) => {
    const { actor, userId, teamId } = ids(req);
    const raw = stringParam(req, 'timestamp', 16);
    if (!/^\d+$/.test(raw)) {
      throw badRequest(
        'api.context.invalid_url_param.app_error',
        'Invalid or missing timestamp in request URL.',
      );
    }
    const view = await threads.markRead(actor, userId, teamId, idParam(req, 'thread_id'), Number(raw));
    return presentThread(view);
  });
}
