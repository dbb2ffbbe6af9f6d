import type { FastifyInstance } from 'fastify';
import type { Services } from '../../services/index.js';
import { ChannelService } from '../../services/channels.js';
import { badRequest } from '../../lib/errors.js';
import { isId } from '../../lib/ids.js';
import {
  OK,
  arrayBody,
  boolQuery,
  idArrayBody,
  idParam,
  objectBody,
  paging,
  requireActor,
  stringParam,
} from './http.js';
import {
  presentChannel,
  presentChannelMember,
  presentChannelStats,
  presentChannelWithTeam,
} from './present-channels.js';

const invalidBody = (message: string) => badRequest('api.context.invalid_body_param.app_error', message);

/** An id field of a JSON body; '' and absent mean "none" where `optional`. */
function bodyId(body: Record<string, unknown>, field: string, optional = false): string | undefined {
  const v = body[field];
  if (optional && (v === undefined || v === '')) return undefined;
  if (!isId(v)) throw invalidBody(`${field} must be an id.`);
  return v;
}

function bodyBool(body: Record<string, unknown>, field: string): boolean {
  const v = body[field];
  if (v === undefined) return false;
  if (typeof v !== 'boolean') throw invalidBody(`${field} must be true or false.`);
  return v;
}

export function registerChannelRoutes(api: FastifyInstance, services: Services): void {
  const { channels } = services;

  // ---- creating -------------------------------------------------------------------------------

  api.post('/channels', async (req, reply) => {
    const channel = await channels.createChannel(requireActor(req), objectBody(req));
    reply.status(201);
    return presentChannel(channel);
  });

  api.post('/channels/direct', async (req, reply) => {
    // Not idArrayBody: [me, me] (a channel with oneself) must keep both entries.
    const ids = arrayBody(req, 2);
    if (!ids.every(isId)) throw invalidBody('The request body must be an array of two user ids.');
    const channel = await channels.createDirect(requireActor(req), ids);
    reply.status(201);
    return presentChannel(channel);
  });

  api.post('/channels/group', async (req, reply) => {
    const channel = await channels.createGroup(requireActor(req), idArrayBody(req, 16));
    reply.status(201);
    return presentChannel(channel);
  });

  // ---- reading --------------------------------------------------------------------------------

  api.get('/channels/:channel_id', async (req) => {
    return presentChannel(await channels.getChannel(requireActor(req), idParam(req, 'channel_id')));
  });

  api.get('/teams/:team_id/channels/name/:channel_name', async (req) => {
    const c = await channels.getChannelByName(
      requireActor(req),
      idParam(req, 'team_id'),
      stringParam(req, 'channel_name', 64),
      boolQuery(req, 'include_deleted'),
    );
    return presentChannel(c);
  });

  api.get('/teams/name/:team_name/channels/name/:channel_name', async (req) => {
    const c = await channels.getChannelByTeamNameAndName(
      requireActor(req),
      stringParam(req, 'team_name', 64),
      stringParam(req, 'channel_name', 64),
      boolQuery(req, 'include_deleted'),
    );
    return presentChannel(c);
  });

  api.get('/teams/:team_id/channels', async (req) => {
    const { page, perPage } = paging(req);
    const rows = await channels.listPublic(requireActor(req), idParam(req, 'team_id'), page, perPage);
    return rows.map(presentChannel);
  });

  api.get('/teams/:team_id/channels/deleted', async (req) => {
    const { page, perPage } = paging(req);
    const rows = await channels.listArchived(requireActor(req), idParam(req, 'team_id'), page, perPage);
    return rows.map(presentChannel);
  });

  api.get('/users/:user_id/teams/:team_id/channels', async (req) => {
    const rows = await channels.channelsForUser(
      requireActor(req),
      idParam(req, 'user_id', true),
      idParam(req, 'team_id'),
      boolQuery(req, 'include_deleted'),
    );
    return rows.map(presentChannel);
  });

  api.get('/users/:user_id/teams/:team_id/channels/members', async (req) => {
    const rows = await channels.membershipsForUser(requireActor(req), idParam(req, 'user_id', true), {
      teamId: idParam(req, 'team_id'),
    });
    return rows.map(presentChannelMember);
  });

  api.get('/users/:user_id/channels', async (req) => {
    const rows = await channels.channelsForUser(
      requireActor(req),
      idParam(req, 'user_id', true),
      undefined,
      boolQuery(req, 'include_deleted'),
    );
    return rows.map(presentChannel);
  });

  api.get('/users/:user_id/channel_members', async (req) => {
    const { page, perPage } = paging(req);
    const rows = await channels.membershipsForUser(requireActor(req), idParam(req, 'user_id', true), {
      page,
      perPage,
    });
    return rows.map(presentChannelMember);
  });

  api.post('/teams/:team_id/channels/search', async (req) => {
    const body = objectBody(req);
    if (typeof body.term !== 'string' || body.term.length > 64) {
      throw invalidBody('term must be a string of at most 64 characters.');
    }
    const rows = await channels.searchInTeam(requireActor(req), idParam(req, 'team_id'), body.term);
    return rows.map(presentChannel);
  });

  api.post('/channels/search', async (req) => {
    const body = objectBody(req);
    if (typeof body.term !== 'string' || body.term.length > 64) {
      throw invalidBody('term must be a string of at most 64 characters.');
    }
    let teamIds: string[] | undefined;
    if (body.team_ids !== undefined) {
      if (!Array.isArray(body.team_ids) || body.team_ids.length > 200 || !body.team_ids.every(isId)) {
        throw invalidBody('team_ids must be an array of ids.');
      }
      teamIds = body.team_ids;
    }
    const pageField = (name: string, def: number, max: number) => {
      const v = body[name];
      if (v === undefined) return def;
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0)
        throw invalidBody(`${name} must be a whole number.`);
      return Math.min(v, max);
    };
    const paged = body.page !== undefined || body.per_page !== undefined;
    const page = pageField('page', 0, 100_000);
    const perPage = pageField('per_page', paged ? 60 : 100, 200);
    const systemConsole = boolQuery(req, 'system_console', true);
    const found = await channels.searchAll(requireActor(req), {
      term: body.term,
      systemConsole,
      includeDeleted: bodyBool(body, 'include_deleted') || boolQuery(req, 'include_deleted'),
      ...(teamIds ? { teamIds } : {}),
      publicOnly: bodyBool(body, 'public'),
      privateOnly: bodyBool(body, 'private'),
      page,
      perPage,
    });
    const list = found.channels.map(presentChannelWithTeam);
    return paged ? { channels: list, total_count: found.total } : list;
  });

  // Every channel of every team: the system console's list (admins only).
  api.get('/channels', async (req) => {
    const { page, perPage } = paging(req);
    const includeTotal = boolQuery(req, 'include_total_count');
    const found = await channels.searchAll(requireActor(req), {
      term: '',
      systemConsole: true,
      includeDeleted: boolQuery(req, 'include_deleted'),
      publicOnly: false,
      privateOnly: false,
      page,
      perPage,
    });
    const list = found.channels.map(presentChannelWithTeam);
    return includeTotal ? { channels: list, total_count: found.total } : list;
  });

  api.get('/channels/:channel_id/stats', async (req) => {
    boolQuery(req, 'exclude_files_count');
    return presentChannelStats(await channels.stats(requireActor(req), idParam(req, 'channel_id')));
  });

  api.get('/channels/:channel_id/timezones', async (req) => {
    return channels.timezones(requireActor(req), idParam(req, 'channel_id'));
  });

  // ---- changing -------------------------------------------------------------------------------

  api.put('/channels/:channel_id/patch', async (req) => {
    const c = await channels.patchChannel(requireActor(req), idParam(req, 'channel_id'), objectBody(req));
    return presentChannel(c);
  });

  api.put('/channels/:channel_id', async (req) => {
    const c = await channels.updateChannel(requireActor(req), idParam(req, 'channel_id'), objectBody(req));
    return presentChannel(c);
  });

  api.delete('/channels/:channel_id', async (req) => {
    if (boolQuery(req, 'permanent')) {
      throw badRequest('api.channel.delete_channel.permanent.app_error', 'Channels can only be archived.');
    }
    await channels.archiveChannel(requireActor(req), idParam(req, 'channel_id'));
    return OK;
  });

  api.post('/channels/:channel_id/restore', async (req) => {
    return presentChannel(await channels.restoreChannel(requireActor(req), idParam(req, 'channel_id')));
  });

  api.put('/channels/:channel_id/privacy', async (req) => {
    const body = objectBody(req);
    const c = await channels.setPrivacy(requireActor(req), idParam(req, 'channel_id'), body.privacy);
    return presentChannel(c);
  });

  api.post('/channels/:channel_id/convert', async (req) => {
    return presentChannel(await channels.setPrivacy(requireActor(req), idParam(req, 'channel_id'), 'P'));
  });

  // ---- members --------------------------------------------------------------------------------

  api.get('/channels/:channel_id/members', async (req) => {
    const { page, perPage } = paging(req);
    const rows = await channels.listMembers(requireActor(req), idParam(req, 'channel_id'), page, perPage);
    return rows.map(presentChannelMember);
  });

  api.post('/channels/:channel_id/members/ids', async (req) => {
    const rows = await channels.membersByIds(requireActor(req), idParam(req, 'channel_id'), idArrayBody(req));
    return rows.map(presentChannelMember);
  });

  api.get('/channels/:channel_id/members/:user_id', async (req) => {
    const m = await channels.getMember(
      requireActor(req),
      idParam(req, 'channel_id'),
      idParam(req, 'user_id', true),
    );
    return presentChannelMember(m);
  });

  api.post('/channels/:channel_id/members', async (req, reply) => {
    const body = objectBody(req);
    const channelId = idParam(req, 'channel_id');
    if (body.channel_id !== undefined && body.channel_id !== channelId) {
      throw invalidBody('The channel id in the body must match the URL.');
    }
    let userIds: string[];
    if (body.user_ids !== undefined) {
      const v = body.user_ids;
      if (!Array.isArray(v) || v.length === 0 || v.length > 100 || !v.every(isId)) {
        throw invalidBody('user_ids must be an array of 1 to 100 ids.');
      }
      userIds = [...new Set(v)];
    } else {
      userIds = [bodyId(body, 'user_id')!];
    }
    const rows = await channels.addMembers(requireActor(req), channelId, userIds);
    reply.status(201);
    return body.user_ids !== undefined ? rows.map(presentChannelMember) : presentChannelMember(rows[0]!);
  });

  api.delete('/channels/:channel_id/members/:user_id', async (req) => {
    await channels.removeMember(requireActor(req), idParam(req, 'channel_id'), idParam(req, 'user_id', true));
    return OK;
  });

  api.put('/channels/:channel_id/members/:user_id/notify_props', async (req) => {
    await channels.updateNotifyProps(
      requireActor(req),
      idParam(req, 'channel_id'),
      idParam(req, 'user_id', true),
      objectBody(req),
    );
    return OK;
  });

  api.put('/channels/:channel_id/members/:user_id/roles', async (req) => {
    const admin = ChannelService.parseMemberRoles(objectBody(req).roles);
    await channels.setMemberAdmin(
      requireActor(req),
      idParam(req, 'channel_id'),
      idParam(req, 'user_id', true),
      admin,
    );
    return OK;
  });

  api.put('/channels/:channel_id/members/:user_id/schemeRoles', async (req) => {
    const body = objectBody(req);
    if (typeof body.scheme_admin !== 'boolean' || typeof body.scheme_user !== 'boolean') {
      throw invalidBody('scheme_admin and scheme_user must be true or false.');
    }
    if (!body.scheme_user) throw invalidBody('Every channel member keeps scheme_user.');
    await channels.setMemberAdmin(
      requireActor(req),
      idParam(req, 'channel_id'),
      idParam(req, 'user_id', true),
      body.scheme_admin,
    );
    return OK;
  });

  api.post('/channels/members/:user_id/view', async (req) => {
    const body = objectBody(req);
    const channelId = bodyId(body, 'channel_id', true);
    const prevId = bodyId(body, 'prev_channel_id', true);
    const times = await channels.viewChannels(
      requireActor(req),
      idParam(req, 'user_id', true),
      channelId ? [channelId] : [],
      prevId ? [prevId] : [],
    );
    return { status: 'OK', last_viewed_at_times: times };
  });

  api.post('/channels/members/:user_id/mark_read', async (req) => {
    const ids = idArrayBody(req, 200);
    const times = await channels.viewChannels(requireActor(req), idParam(req, 'user_id', true), ids);
    return { status: 'OK', last_viewed_at_times: times };
  });
}
