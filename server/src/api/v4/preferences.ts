import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Services } from '../../services/index.js';
import { notFound } from '../../lib/errors.js';
import { OK, idParam, requireActor, stringParam } from './http.js';
import { presentPreference } from './present.js';

export function registerPreferenceRoutes(api: FastifyInstance, services: Services): void {
  const { preferences } = services;

  api.get('/users/:user_id/preferences', async (req) => {
    const rows = await preferences.list(requireActor(req), idParam(req, 'user_id', true));
    return rows.map(presentPreference);
  });

  api.get('/users/:user_id/preferences/:category', async (req) => {
    const rows = await preferences.list(
      requireActor(req),
      idParam(req, 'user_id', true),
      stringParam(req, 'category', 32),
    );
    return rows.map(presentPreference);
  });

  api.get('/users/:user_id/preferences/:category/name/:name', async (req) => {
    const row = await preferences.get(
      requireActor(req),
      idParam(req, 'user_id', true),
      stringParam(req, 'category', 32),
      stringParam(req, 'name', 64),
    );
    if (!row) throw notFound('preference');
    return presentPreference(row);
  });

  api.put('/users/:user_id/preferences', async (req) => {
    await preferences.save(requireActor(req), idParam(req, 'user_id', true), req.body);
    return OK;
  });

  const remove = async (req: FastifyRequest) => {
    await preferences.delete(requireActor(req), idParam(req, 'user_id', true), req.body);
    return OK;
  };
  api.post('/users/:user_id/preferences/delete', remove);
  api.delete('/users/:user_id/preferences', remove);
}
