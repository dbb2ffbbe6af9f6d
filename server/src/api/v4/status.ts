import type { FastifyInstance } from 'fastify';
import type { Services } from '../../services/index.js';
import { idArrayBody, idParam, objectBody, requireActor } from './http.js';

// Statuses are presence (services/presence.ts): `{user_id, status, manual, last_activity_at}`.
export function registerStatusRoutes(api: FastifyInstance, services: Services): void {
  const { presence } = services;

  api.post('/users/status/ids', async (req) => {
    requireActor(req);
    return presence.getStatuses(idArrayBody(req));
  });

  api.get('/users/:user_id/status', async (req) => {
    requireActor(req);
    return presence.getStatus(idParam(req, 'user_id', true));
  });

  api.put('/users/:user_id/status', async (req) => {
    const actor = requireActor(req);
    return presence.setStatus(actor, idParam(req, 'user_id', true), objectBody(req));
  });
}
