import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../../services/index.js';
import type { IssuedSession } from '../../services/auth.js';
import { badRequest, unauthorized } from '../../lib/errors.js';
import { constantTimeEqual } from '../../lib/crypto.js';
import type { UserRow } from '../../store/users.js';
import type { Actor } from '../../services/context.js';
import { defaultAvatarPng } from '../../lib/avatar.js';
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
  stringArrayBody,
  stringParam,
  stringQuery,
} from './http.js';
import { presentUser } from './present.js';

function secureCookies(req: FastifyRequest, siteUrl: string): boolean {
  return siteUrl.startsWith('https://') || req.protocol === 'https';
}

function setSessionCookies(
  req: FastifyRequest,
  reply: FastifyReply,
  s: IssuedSession,
  services: Services,
): void {
  const { config } = services.deps;
  const maxAge = Math.floor(config.sessionLengthMs / 1000);
  const secure = secureCookies(req, config.siteUrl);
  const base = { path: '/', maxAge, sameSite: 'lax' as const, secure };
  reply.setCookie('MMAUTHTOKEN', s.token, { ...base, httpOnly: true });
  reply.setCookie('MMUSERID', s.user.id, { ...base, httpOnly: false });
  reply.setCookie('MMCSRF', s.csrfToken, { ...base, httpOnly: false });
}

function clearSessionCookies(reply: FastifyReply): void {
  for (const name of ['MMAUTHTOKEN', 'MMUSERID', 'MMCSRF']) reply.clearCookie(name, { path: '/' });
}

/** The user as their own viewer (sign-up and login answer with the full profile). */
const selfViewer = (u: UserRow): Actor => ({
  userId: u.id,
  sessionId: '',
  roles: u.roles,
  isSystemAdmin: false,
});

export function registerUserRoutes(api: FastifyInstance, services: Services): void {
  const { users, auth } = services;
  const opts = () => ({ showEmail: services.deps.config.showEmailAddress });

  api.post('/users', { config: { public: true } }, async (req, reply) => {
    const body = objectBody(req);
    const inviteId = stringQuery(req, 'iid', 64);
    const user = await users.createUser(req.actor, body, inviteId ? { inviteId } : {});
    reply.status(201);
    return presentUser(user, req.actor ?? selfViewer(user), opts());
  });

  api.post('/users/login', { config: { public: true } }, async (req, reply) => {
    const body = objectBody(req);
    const issued = await auth.login(body.login_id, body.password, body.device_id);
    reply.header('Token', issued.token);
    if (req.headers['x-requested-with'] === 'XMLHttpRequest') setSessionCookies(req, reply, issued, services);
    return presentUser(issued.user, selfViewer(issued.user), opts());
  });

  // Public so that an expired session can still clear its cookies; but a cookie-authenticated logout
  // must carry the CSRF token like any other write, or any site could sign people out.
  api.post('/users/logout', { config: { public: true } }, async (req, reply) => {
    if (req.actor && req.cookieAuth) {
      const header = req.headers['x-csrf-token'];
      if (typeof header !== 'string' || !req.session || !constantTimeEqual(header, req.session.csrf_token)) {
        throw unauthorized('Invalid or missing CSRF token.');
      }
    }
    if (req.actor) await auth.logout(req.actor);
    clearSessionCookies(reply);
    return OK;
  });

  api.get('/users', async (req) => {
    const actor = requireActor(req);
    const { page, perPage } = paging(req);
    const sortRaw = stringQuery(req, 'sort', 32);
    if (
      sortRaw !== undefined &&
      sortRaw !== 'create_at' &&
      sortRaw !== 'username' &&
      sortRaw !== 'last_activity_at'
    ) {
      throw badRequest('api.context.invalid_url_param.app_error', 'Invalid sort parameter.');
    }
    const withoutTeam = stringQuery(req, 'without_team', 5);
    if (withoutTeam !== undefined && !['1', 'true', '0', 'false'].includes(withoutTeam)) {
      throw badRequest('api.context.invalid_url_param.app_error', 'Invalid without_team parameter.');
    }
    const rows = await users.listUsers(actor, {
      page,
      perPage,
      inTeam: idQuery(req, 'in_team'),
      notInTeam: idQuery(req, 'not_in_team'),
      inChannel: idQuery(req, 'in_channel'),
      notInChannel: idQuery(req, 'not_in_channel'),
      active: boolQuery(req, 'active'),
      inactive: boolQuery(req, 'inactive'),
      role: stringQuery(req, 'role', 64),
      sort: sortRaw === 'create_at' ? 'create_at' : 'username',
      withoutTeam: withoutTeam === '1' || withoutTeam === 'true',
    });
    return rows.map((u) => presentUser(u, actor, opts()));
  });

  api.post('/users/ids', async (req) => {
    const actor = requireActor(req);
    const rows = await users.getUsersByIds(idArrayBody(req));
    return rows.map((u) => presentUser(u, actor, opts()));
  });

  api.post('/users/usernames', async (req) => {
    const actor = requireActor(req);
    const rows = await users.getUsersByUsernames(stringArrayBody(req, 1000, 64));
    return rows.map((u) => presentUser(u, actor, opts()));
  });

  api.get('/users/autocomplete', async (req) => {
    const actor = requireActor(req);
    const name = stringQuery(req, 'name', 64) ?? '';
    const limit = intQuery(req, 'limit', 100, 1, 100);
    const teamId = idQuery(req, 'in_team');
    const channelId = idQuery(req, 'in_channel');
    const inTeam = teamId ? { inTeam: teamId } : {};
    if (channelId) {
      const inCh = await users.searchUsers(actor, name, { limit, inChannel: channelId });
      const outCh = await users.searchUsers(actor, name, { limit, ...inTeam, notInChannel: channelId });
      return {
        users: inCh.map((u) => presentUser(u, actor, opts())),
        out_of_channel: outCh.map((u) => presentUser(u, actor, opts())),
      };
    }
    const rows = await users.searchUsers(actor, name, { limit, ...inTeam });
    return { users: rows.map((u) => presentUser(u, actor, opts())) };
  });

  api.post('/users/search', async (req) => {
    const actor = requireActor(req);
    const b = objectBody(req);
    if (typeof b.term !== 'string' || b.term.length > 64) {
      throw badRequest('api.user.search.term', 'term must be a string of at most 64 characters.');
    }
    const idField = (k: string) => {
      const v = b[k];
      if (v === undefined || v === '') return undefined;
      if (typeof v !== 'string' || !/^[a-z0-9]{26}$/.test(v))
        throw badRequest('api.user.search.app_error', `Invalid ${k}.`);
      return v;
    };
    const limitRaw = b.limit;
    if (
      limitRaw !== undefined &&
      (typeof limitRaw !== 'number' || !Number.isInteger(limitRaw) || limitRaw < 1)
    ) {
      throw badRequest('api.user.search.app_error', 'limit must be a positive whole number.');
    }
    const teamId = idField('team_id');
    const notInTeam = idField('not_in_team_id');
    const inChannel = idField('in_channel_id');
    const notInChannel = idField('not_in_channel_id');
    if (b.allow_inactive !== undefined && typeof b.allow_inactive !== 'boolean') {
      throw badRequest('api.user.search.app_error', 'allow_inactive must be true or false.');
    }
    const rows = await users.searchUsers(actor, b.term, {
      limit: Math.min((limitRaw as number | undefined) ?? 100, 1000),
      ...(teamId ? { inTeam: teamId } : {}),
      ...(notInTeam ? { notInTeam } : {}),
      ...(inChannel ? { inChannel } : {}),
      ...(notInChannel ? { notInChannel } : {}),
      allowInactive: b.allow_inactive === true,
    });
    return rows.map((u) => presentUser(u, actor, opts()));
  });

  api.get('/users/username/:username', async (req) => {
    const u = await users.getUserByUsername(stringParam(req, 'username', 64));
    return presentUser(u, requireActor(req), opts());
  });

  api.get('/users/email/:email', async (req) => {
    const actor = requireActor(req);
    const u = await users.getUserByEmail(actor, stringParam(req, 'email', 128), opts().showEmail);
    return presentUser(u, actor, opts());
  });

  api.get('/users/:user_id', async (req) => {
    const u = await users.getUser(idParam(req, 'user_id', true));
    return presentUser(u, requireActor(req), opts());
  });

  const patch = async (req: FastifyRequest) => {
    const actor = requireActor(req);
    const id = idParam(req, 'user_id', true);
    const u = await users.patchUser(actor, id, objectBody(req));
    return presentUser(u, actor, opts());
  };
  api.put('/users/:user_id/patch', patch);
  api.put('/users/:user_id', patch);

  api.put('/users/:user_id/password', async (req) => {
    const b = objectBody(req);
    await users.updatePassword(
      requireActor(req),
      idParam(req, 'user_id', true),
      b.current_password,
      b.new_password,
    );
    return OK;
  });

  api.put('/users/:user_id/active', async (req) => {
    const b = objectBody(req);
    if (typeof b.active !== 'boolean')
      throw badRequest('api.user.update_active.app_error', 'active must be true or false.');
    await users.setActive(requireActor(req), idParam(req, 'user_id', true), b.active);
    return OK;
  });

  api.delete('/users/:user_id', async (req) => {
    await users.setActive(requireActor(req), idParam(req, 'user_id', true), false);
    return OK;
  });

  api.put('/users/:user_id/roles', async (req) => {
    await users.updateRoles(requireActor(req), idParam(req, 'user_id', true), objectBody(req).roles);
    return OK;
  });

  const image = async (req: FastifyRequest, reply: FastifyReply) => {
    const id = idParam(req, 'user_id', true);
    await users.getUser(id);
    reply.header('Content-Type', 'image/png').header('Cache-Control', 'private, max-age=86400');
    return reply.send(defaultAvatarPng(id));
  };
  api.get('/users/:user_id/image', image);
  api.get('/users/:user_id/image/default', image);

  api.get('/users/:user_id/sessions', async (req) => {
    const actor = requireActor(req);
    const id = idParam(req, 'user_id', true);
    const rows = await services.auth.listSessions(actor, id);
    return rows.map((s) => ({
      id: s.id,
      user_id: s.user_id,
      create_at: s.create_at,
      expires_at: s.expires_at,
      last_activity_at: s.last_activity_at,
      device_id: s.device_id,
      roles: s.roles,
      props: {},
      is_oauth: false,
      team_members: [],
    }));
  });

  api.post('/users/:user_id/sessions/revoke', async (req) => {
    const actor = requireActor(req);
    const b = objectBody(req);
    if (typeof b.session_id !== 'string')
      throw badRequest('api.user.revoke_session.app_error', 'session_id is required.');
    await services.auth.revokeSession(actor, idParam(req, 'user_id', true), b.session_id);
    return OK;
  });

  api.post('/users/:user_id/sessions/revoke/all', async (req) => {
    const actor = requireActor(req);
    const id = idParam(req, 'user_id', true);
    await services.auth.revokeAllSessions(actor, id);
    return OK;
  });
}
