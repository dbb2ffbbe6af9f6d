import type { FastifyInstance } from 'fastify';
import type { Services } from '../../services/index.js';
import { idParam, requireActor } from './http.js';

export function registerUnreadRoutes(api: FastifyInstance, services: Services): void {
  api.post('/users/:user_id/posts/:post_id/set_unread', async (req) =>
    services.unreads.markPostUnread(
      requireActor(req),
      idParam(req, 'user_id', true),
      idParam(req, 'post_id'),
    ),
  );
}
