import type { FastifyInstance } from 'fastify';
import type { Services } from '../../services/index.js';
import { idArrayBody, idParam, requireActor } from './http.js';

// Statuses read as offline until presence (the real-time issue) replaces these routes.
export function registerStatusRoutes(api: FastifyInstance, services: Services): void {
  api.post('/users/status/ids', async (req) => {
    requireActor(req);
    return idArrayBody(req).map((user_id) => ({
      user_id,
      status: 'offline',
      manual: false,
      last_activity_at: 0,
    }));
  });

  api.get('/users/:user_id/status', async (req) => {
    requireActor(req);
    const id = idParam(req, 'user_id', true);
    await services.users.getUser(id);
    return { user_id: id, status: 'offline', manual: false, last_activity_at: 0 };
  });
}
