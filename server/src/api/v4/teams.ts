import type { FastifyInstance } from 'fastify';
import type { Services } from '../../services/index.js';
import { badRequest } from '../../lib/errors.js';
import { isId } from '../../lib/ids.js';
import {
  OK,
  arrayBody,
  boolQuery,
  idArrayBody,
  idParam,
  idQuery,
  objectBody,
  paging,
  requireActor,
  stringParam,
  stringQuery,
} from './http.js';
import { presentTeam, presentTeamMember, presentTeamStats, presentTeamUnread } from './present-teams.js';
import type { TeamView } from '../../services/teams.js';

const invalidBody = (message: string) => badRequest('api.context.invalid_body_param.app_error', message);

const present = (v: TeamView) => presentTeam(v.team, v.sensitive);

export function registerTeamRoutes(api: FastifyInstance, services: Services): void {
  const { teams } = services;

  api.post('/teams', async (req, reply) => {
    const view = await teams.createTeam(requireActor(req), objectBody(req));
    reply.status(201);
    return present(view);
  });

  api.get('/teams', async (req) => {
    const { page, perPage } = paging(req);
    const includeTotal = boolQuery(req, 'include_total_count');
    const r = await teams.listTeams(requireActor(req), { page, perPage, includeTotal });
    const list = r.teams.map(present);
    return includeTotal ? { teams: list, total_count: r.total ?? 0 } : list;
  });

  api.post('/teams/members/invite', async (req, reply) => {
    const inviteId = stringQuery(req, 'invite_id', 64);
    if (!inviteId) {
      throw badRequest(
        'api.team.add_user_to_team.missing_parameter.app_error',
        'An invite_id is required to join a team this way.',
      );
    }
    const m = await teams.joinByInviteId(requireActor(req), inviteId);
    reply.status(201);
    return presentTeamMember(m);
  });

  api.get('/teams/name/:name', async (req) => {
    return present(await teams.getTeamByName(requireActor(req), stringParam(req, 'name', 64)));
  });

  api.get('/teams/name/:name/exists', async (req) => {
    return { exists: await teams.teamExists(requireActor(req), stringParam(req, 'name', 64)) };
  });

  api.get('/teams/:team_id', async (req) => {
    return present(await teams.getTeam(requireActor(req), idParam(req, 'team_id')));
  });

  api.put('/teams/:team_id/patch', async (req) => {
    return present(await teams.patchTeam(requireActor(req), idParam(req, 'team_id'), objectBody(req)));
  });

  api.put('/teams/:team_id', async (req) => {
    const id = idParam(req, 'team_id');
    const body = objectBody(req);
    if (body.id !== id) {
      throw badRequest(
        'api.context.invalid_body_param.app_error',
        'The team id in the body must match the URL.',
      );
    }
    return present(await teams.patchTeam(requireActor(req), id, body));
  });

  api.delete('/teams/:team_id', async (req) => {
    if (boolQuery(req, 'permanent')) {
      throw badRequest('api.team.delete_team.permanent.app_error', 'Teams can only be archived.');
    }
    await teams.archiveTeam(requireActor(req), idParam(req, 'team_id'));
    return OK;
  });

  api.post('/teams/:team_id/restore', async (req) => {
    return present(await teams.restoreTeam(requireActor(req), idParam(req, 'team_id')));
  });

  api.post('/teams/:team_id/regenerate_invite_id', async (req) => {
    return present(await teams.regenerateInviteId(requireActor(req), idParam(req, 'team_id')));
  });

  api.get('/teams/:team_id/stats', async (req) => {
    return presentTeamStats(await teams.stats(requireActor(req), idParam(req, 'team_id')));
  });

  api.post('/teams/:team_id/members', async (req, reply) => {
    const teamId = idParam(req, 'team_id');
    const body = objectBody(req);
    if (!isId(body.user_id)) throw invalidBody('user_id must be an id.');
    if (body.team_id !== undefined && body.team_id !== teamId) {
      throw invalidBody('The team id in the body must match the URL.');
    }
    const m = await teams.addMember(requireActor(req), teamId, body.user_id);
    reply.status(201);
    return presentTeamMember(m);
  });

  api.post('/teams/:team_id/members/batch', async (req, reply) => {
    const teamId = idParam(req, 'team_id');
    const items = arrayBody(req, 256);
    const userIds = items.map((item) => {
      if (typeof item !== 'object' || item === null) throw invalidBody('Each entry must be a team member.');
      const { user_id, team_id } = item as Record<string, unknown>;
      if (!isId(user_id) || (team_id !== undefined && team_id !== teamId)) {
        throw invalidBody('Each entry needs a user_id and this team_id.');
      }
      return user_id;
    });
    if (userIds.length === 0) throw invalidBody('At least one member is required.');
    const graceful = boolQuery(req, 'graceful');
    const rows = await teams.addMembers(requireActor(req), teamId, [...new Set(userIds)]);
    reply.status(201);
    return graceful
      ? rows.map((m) => ({ member: presentTeamMember(m), user_id: m.user_id }))
      : rows.map(presentTeamMember);
  });

  api.get('/teams/:team_id/members', async (req) => {
    const { page, perPage } = paging(req);
    const rows = await teams.listMembers(requireActor(req), idParam(req, 'team_id'), page, perPage);
    return rows.map(presentTeamMember);
  });

  api.post('/teams/:team_id/members/ids', async (req) => {
    const rows = await teams.membersByIds(requireActor(req), idParam(req, 'team_id'), idArrayBody(req));
    return rows.map(presentTeamMember);
  });

  api.get('/teams/:team_id/members/:user_id', async (req) => {
    const m = await teams.getMember(
      requireActor(req),
      idParam(req, 'team_id'),
      idParam(req, 'user_id', true),
    );
    return presentTeamMember(m);
  });

  api.delete('/teams/:team_id/members/:user_id', async (req) => {
    await teams.removeMember(requireActor(req), idParam(req, 'team_id'), idParam(req, 'user_id', true));
    return OK;
  });

  api.get('/users/:user_id/teams', async (req) => {
    const rows = await teams.teamsForUser(requireActor(req), idParam(req, 'user_id', true));
    return rows.map(present);
  });

  api.get('/users/:user_id/teams/members', async (req) => {
    const rows = await teams.membershipsForUser(requireActor(req), idParam(req, 'user_id', true));
    return rows.map(presentTeamMember);
  });

  api.get('/users/:user_id/teams/unread', async (req) => {
    // Validated so a malformed flag is a 400 like elsewhere; threads are not counted yet.
    boolQuery(req, 'include_collapsed_threads');
    const rows = await teams.unreadsForUser(
      requireActor(req),
      idParam(req, 'user_id', true),
      idQuery(req, 'exclude_team'),
    );
    return rows.map(presentTeamUnread);
  });
}
