/**
 * Channels of every type (O public, P private, D direct, G group): creating, reading, changing,
 * archiving them, and their members. Every read of a channel goes through accessChannel, so a private
 * channel answers non-members exactly as an unknown id does (404).
 */
import { createHash } from 'node:crypto';
import { newId } from '../lib/ids.js';
import { AppError, badRequest, forbidden, notFound } from '../lib/errors.js';
import { checkText, checkUrlName } from '../lib/validate.js';
import { broadcastOf, type ServerEvent } from '../realtime/events.js';
import { can, channelMemberRoles, P, type Permission } from '../permissions/roles.js';
import { isUniqueViolation, type Store } from '../store/store.js';
import type { ChannelMemberRow, ChannelRow, ChannelWithTeamRow } from '../store/channels.js';
import type { UserRow } from '../store/users.js';
import { inTransaction, type Actor, type Deps } from './context.js';
import { accessChannel, accessTeam, requireChannelPermission, requireTeamPermission } from './access.js';
import { TOWN_SQUARE, addChannelMemberTx, channelAudience, removeChannelMemberTx } from './membership.js';
// Events carry the channel and memberships exactly as the REST API shows them.
import { presentChannel, presentChannelMember } from '../api/v4/present-channels.js';

export const GROUP_MIN = 3;
export const GROUP_MAX = 8;

export interface ChannelInput {
  team_id?: unknown;
  name?: unknown;
  display_name?: unknown;
  type?: unknown;
  purpose?: unknown;
  header?: unknown;
}

export interface ChannelPatch {
  name?: unknown;
  display_name?: unknown;
  purpose?: unknown;
  header?: unknown;
}

function checkChannelName(v: unknown): string {
  return checkUrlName(v, 'channel.name', 1, 64);
}

function checkChannelDisplayName(v: unknown): string {
  const s = checkText(v, 'display_name', 64, 'model.channel');
  if (s === undefined || s.trim() === '') {
    throw badRequest('model.channel.is_valid.display_name.app_error', 'display_name is required.');
  }
  return s;
}

const checkPurpose = (v: unknown) => checkText(v, 'purpose', 250, 'model.channel');
const checkHeader = (v: unknown) => checkText(v, 'header', 1024, 'model.channel');

const duplicateChannel = () =>
  badRequest(
    'store.sql_channel.save_channel.exists.app_error',
    'A channel with that name already exists on the same team.',
  );
const archivedChannel = (what: string) =>
  badRequest(`api.channel.${what}.deleted.app_error`, 'The channel has been archived.');
const memberMissing = () =>
  new AppError(404, 'app.channel.get_member.missing.app_error', 'No channel member found for that user.');

/** Direct channel name: the two ids sorted, joined by two underscores. */
export function directChannelName(a: string, b: string): string {
  return a < b ? `${a}__${b}` : `${b}__${a}`;
}

/** Group channel name: a digest of the sorted member ids, so the same people always meet in one channel. */
export function groupChannelName(ids: readonly string[]): string {
  return createHash('sha1')
    .update([...ids].sort().join(''))
    .digest('hex');
}

function truncateRunes(s: string, max: number): string {
  const runes = [...s];
  return runes.length <= max ? s : runes.slice(0, max).join('');
}

function propertiesPermission(c: ChannelRow): Permission {
  return c.type === 'O' ? P.managePublicChannelProperties : P.managePrivateChannelProperties;
}

function membersPermission(c: ChannelRow): Permission {
  return c.type === 'O' ? P.managePublicChannelMembers : P.managePrivateChannelMembers;
}

function isDirectOrGroup(c: ChannelRow): boolean {
  return c.type === 'D' || c.type === 'G';
}

function isTownSquare(c: ChannelRow): boolean {
  return c.team_id !== '' && c.name === TOWN_SQUARE;
}

/** channel_updated: the channel as a JSON string, to whoever may see the channel. */
async function channelUpdatedEvent(tx: Store, channel: ChannelRow): Promise<ServerEvent> {
  return {
    event: 'channel_updated',
    data: { channel: JSON.stringify(presentChannel(channel)) },
    broadcast: broadcastOf({ channel_id: channel.id }),
    audience: await channelAudience(tx, channel),
  };
}

/**
 * Archive and restore: a public channel is news for its whole team, a private one only for its
 * members.
 */
async function channelLifecycleEvent(
  tx: Store,
  event: string,
  channel: ChannelRow,
  data: Record<string, unknown>,
): Promise<ServerEvent> {
  const isPublic = channel.type === 'O';
  return {
    event,
    data,
    broadcast: isPublic ? broadcastOf({ team_id: channel.team_id }) : broadcastOf({ channel_id: channel.id }),
    audience: isPublic ? { kind: 'team', teamId: channel.team_id } : await channelAudience(tx, channel),
  };
}

function channelMemberUpdatedEvent(m: ChannelMemberRow): ServerEvent {
  return {
    event: 'channel_member_updated',
    data: { channelMember: JSON.stringify(presentChannelMember(m)) },
    broadcast: broadcastOf({ user_id: m.user_id }),
    audience: { kind: 'users', userIds: [m.user_id] },
  };
}

function parseJsonObject(s: string): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(s);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function requireSelfOrAdmin(actor: Actor, userId: string): void {
  if (actor.userId !== userId && !actor.isSystemAdmin) throw forbidden();
}

/**
 * The values Mattermost accepts for the channel notification settings it knows (`ChannelNotifyProps` in
 * @mattermost/types; `email` also takes the older "true"/"false"). Other keys (sounds, clients' own)
 * are kept as short strings.
 */
const LEVELS = ['default', 'all', 'mention', 'none'];
const CHANNEL_NOTIFY_VALUES: Readonly<Record<string, readonly string[]>> = {
  desktop: LEVELS,
  desktop_threads: LEVELS,
  push: LEVELS,
  push_threads: LEVELS,
  email: [...LEVELS, 'true', 'false'],
  mark_unread: ['all', 'mention'],
  desktop_sound: ['default', 'on', 'off'],
  ignore_channel_mentions: ['default', 'off', 'on'],
  channel_auto_follow_threads: ['off', 'on'],
};

export class ChannelService {
  constructor(private readonly deps: Deps) {}

  private get store(): Store {
    return this.deps.store;
  }

  // ---- creating -------------------------------------------------------------------------------

  /** A public or private channel in a team; the creator joins as channel admin. */
  async createChannel(actor: Actor, input: ChannelInput): Promise<ChannelRow> {
    if (typeof input.team_id !== 'string' || !/^[a-z0-9]{26}$/.test(input.team_id)) {
      throw badRequest('model.channel.is_valid.team_id.app_error', 'team_id must be an id.');
    }
    if (input.type !== 'O' && input.type !== 'P') {
      throw badRequest('model.channel.is_valid.type.app_error', "type must be 'O' or 'P'.");
    }
    const type = input.type;
    const name = checkChannelName(input.name);
    const display_name = checkChannelDisplayName(input.display_name);
    const purpose = checkPurpose(input.purpose) ?? '';
    const header = checkHeader(input.header) ?? '';
    const access = await accessTeam(this.store, actor, input.team_id);
    requireTeamPermission(actor, access, type === 'O' ? P.createPublicChannel : P.createPrivateChannel);
    if (access.team.delete_at !== 0) {
      throw badRequest('api.channel.create_channel.archived_team.app_error', 'The team has been archived.');
    }
    const now = this.deps.now();
    const channel: ChannelRow = {
      id: newId(),
      team_id: access.team.id,
      type,
      name,
      display_name,
      header,
      purpose,
      creator_id: actor.userId,
      create_at: now,
      update_at: now,
      delete_at: 0,
      last_post_at: now,
      last_root_post_at: now,
      total_msg_count: 0,
      total_msg_count_root: 0,
    };
    try {
      await inTransaction(this.deps, async (tx, events) => {
        if (await tx.channels.findByTeamAndName(channel.team_id, name)) throw duplicateChannel();
        await tx.channels.insert(channel);
        await addChannelMemberTx(tx, channel, actor.userId, now, events, { admin: true, quiet: true });
        events.push({
          event: 'channel_created',
          data: { channel_id: channel.id, team_id: channel.team_id },
          broadcast: broadcastOf({ user_id: actor.userId, team_id: channel.team_id }),
          audience: { kind: 'users', userIds: [actor.userId] },
        });
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw duplicateChannel();
      throw err;
    }
    return channel;
  }

  private async activeUsers(ids: readonly string[], errorId: string): Promise<UserRow[]> {
    const users = await this.store.users.findByIds(ids);
    if (users.length !== ids.length || users.some((u) => u.delete_at !== 0)) {
      throw badRequest(errorId, 'Some of the users do not exist or are deactivated.');
    }
    return users;
  }

  /**
   * The direct channel between two users (one may be the caller's own notes: both ids the same).
   * Idempotent: the same pair always answers the same channel.
   */
  async createDirect(actor: Actor, ids: readonly string[]): Promise<ChannelRow> {
    if (ids.length !== 2) {
      throw badRequest(
        'api.channel.create_direct_channel.invalid_user.app_error',
        'Exactly two user ids are required.',
      );
    }
    const [a, b] = ids as [string, string];
    if (a !== actor.userId && b !== actor.userId && !can({ systemRoles: actor.roles }, P.editOtherUsers)) {
      throw forbidden();
    }
    if (!can({ systemRoles: actor.roles }, P.createDirectChannel)) throw forbidden();
    const distinct = [...new Set([a, b])];
    await this.activeUsers(distinct, 'api.channel.create_direct_channel.invalid_user.app_error');
    const name = directChannelName(a, b);
    const existing = await this.store.channels.findByTeamAndName('', name);
    if (existing) return existing;
    const now = this.deps.now();
    const channel = this.newPrivateRoom('D', name, '', actor.userId, now);
    try {
      await inTransaction(this.deps, async (tx, events) => {
        await tx.channels.insert(channel);
        for (const id of distinct) await addChannelMemberTx(tx, channel, id, now, events, { quiet: true });
        const other = a === actor.userId ? b : a;
        events.push({
          event: 'direct_added',
          data: { creator_id: actor.userId, teammate_id: other },
          broadcast: broadcastOf({ channel_id: channel.id }),
          audience: { kind: 'users', userIds: distinct },
        });
      });
    } catch (err) {
      if (isUniqueViolation(err)) {
        const raced = await this.store.channels.findByTeamAndName('', name);
        if (raced) return raced;
      }
      throw err;
    }
    return channel;
  }

  /** The group channel of 3 to 8 users including the caller (added when missing). Idempotent. */
  async createGroup(actor: Actor, ids: readonly string[]): Promise<ChannelRow> {
    if (!can({ systemRoles: actor.roles }, P.createGroupChannel)) throw forbidden();
    const members = [...new Set([...ids, actor.userId])].sort();
    if (members.length < GROUP_MIN || members.length > GROUP_MAX) {
      throw badRequest(
        'api.channel.create_group.bad_size.app_error',
        `Group messages must have between ${GROUP_MIN} and ${GROUP_MAX} members, you included.`,
      );
    }
    const users = await this.activeUsers(members, 'api.channel.create_group.bad_user.app_error');
    const name = groupChannelName(members);
    const existing = await this.store.channels.findByTeamAndName('', name);
    if (existing) return existing;
    const display = truncateRunes(
      users
        .map((u) => u.username)
        .sort()
        .join(', '),
      64,
    );
    const now = this.deps.now();
    const channel = this.newPrivateRoom('G', name, display, actor.userId, now);
    try {
      await inTransaction(this.deps, async (tx, events) => {
        await tx.channels.insert(channel);
        for (const id of members) await addChannelMemberTx(tx, channel, id, now, events, { quiet: true });
        events.push({
          event: 'group_added',
          data: { teammate_ids: JSON.stringify(members) },
          broadcast: broadcastOf({ channel_id: channel.id }),
          audience: { kind: 'users', userIds: members },
        });
      });
    } catch (err) {
      if (isUniqueViolation(err)) {
        const raced = await this.store.channels.findByTeamAndName('', name);
        if (raced) return raced;
      }
      throw err;
    }
    return channel;
  }

  private newPrivateRoom(
    type: 'D' | 'G',
    name: string,
    display_name: string,
    creatorId: string,
    now: number,
  ): ChannelRow {
    return {
      id: newId(),
      team_id: '',
      type,
      name,
      display_name,
      header: '',
      purpose: '',
      creator_id: creatorId,
      create_at: now,
      update_at: now,
      delete_at: 0,
      last_post_at: now,
      last_root_post_at: now,
      total_msg_count: 0,
      total_msg_count_root: 0,
    };
  }

  // ---- reading --------------------------------------------------------------------------------

  async getChannel(actor: Actor, channelId: string): Promise<ChannelRow> {
    return (await accessChannel(this.store, actor, channelId)).channel;
  }

  async getChannelByName(
    actor: Actor,
    teamId: string,
    name: string,
    includeDeleted: boolean,
  ): Promise<ChannelRow> {
    await accessTeam(this.store, actor, teamId);
    const found = await this.store.channels.findByTeamAndName(teamId, name);
    if (!found || (!includeDeleted && found.delete_at !== 0)) throw notFound('channel');
    return this.getChannel(actor, found.id);
  }

  async getChannelByTeamNameAndName(
    actor: Actor,
    teamName: string,
    name: string,
    includeDeleted: boolean,
  ): Promise<ChannelRow> {
    const team = await this.store.teams.findByName(teamName);
    if (!team) throw notFound('channel');
    return this.getChannelByName(actor, team.id, name, includeDeleted);
  }

  /** Public channels of a team, for its members. */
  async listPublic(actor: Actor, teamId: string, page: number, perPage: number): Promise<ChannelRow[]> {
    const access = await accessTeam(this.store, actor, teamId, { allowOpen: true });
    requireTeamPermission(actor, access, P.listTeamChannels);
    return this.store.channels.listPublic(teamId, page, perPage);
  }

  async listArchived(actor: Actor, teamId: string, page: number, perPage: number): Promise<ChannelRow[]> {
    const access = await accessTeam(this.store, actor, teamId, { allowOpen: true });
    requireTeamPermission(actor, access, P.listTeamChannels);
    return this.store.channels.listArchived(teamId, actor.userId, page, perPage);
  }

  /** A user's channels in a team, with their direct and group channels. */
  async channelsForUser(
    actor: Actor,
    userId: string,
    teamId: string | undefined,
    includeDeleted: boolean,
  ): Promise<ChannelRow[]> {
    requireSelfOrAdmin(actor, userId);
    if (teamId !== undefined) await accessTeam(this.store, actor, teamId);
    return this.store.channels.listForUser(userId, {
      ...(teamId !== undefined ? { teamId } : {}),
      includeDeleted,
    });
  }

  async membershipsForUser(
    actor: Actor,
    userId: string,
    opts: { teamId?: string; page?: number; perPage?: number },
  ): Promise<ChannelMemberRow[]> {
    requireSelfOrAdmin(actor, userId);
    if (opts.teamId !== undefined) await accessTeam(this.store, actor, opts.teamId);
    return this.store.channels.membershipsForUser(userId, opts);
  }

  /** Channels of a team whose name matches: public ones, and private ones the actor belongs to. */
  async searchInTeam(actor: Actor, teamId: string, term: string): Promise<ChannelRow[]> {
    await accessTeam(this.store, actor, teamId);
    return this.store.channels.search({
      term,
      teamIds: [teamId],
      visibleTo: actor.userId,
      includeDeleted: false,
      page: 0,
      perPage: 100,
    });
  }

  /**
   * Search across teams. System admins see everything (the system console search); others, with
   * `system_console=false`, see the public channels of their teams and their private channels.
   */
  async searchAll(
    actor: Actor,
    opts: {
      term: string;
      systemConsole: boolean;
      includeDeleted: boolean;
      teamIds?: readonly string[];
      publicOnly: boolean;
      privateOnly: boolean;
      page: number;
      perPage: number;
    },
  ): Promise<{ channels: ChannelWithTeamRow[]; total: number }> {
    let teamIds = opts.teamIds;
    let visibleTo: string | undefined;
    if (!actor.isSystemAdmin) {
      if (opts.systemConsole) throw forbidden();
      const mine = (await this.store.teams.membershipsForUser(actor.userId)).map((m) => m.team_id);
      teamIds = teamIds ? teamIds.filter((t) => mine.includes(t)) : mine;
      visibleTo = actor.userId;
    }
    const types: ('O' | 'P')[] =
      opts.publicOnly && !opts.privateOnly
        ? ['O']
        : opts.privateOnly && !opts.publicOnly
          ? ['P']
          : ['O', 'P'];
    const filter = {
      term: opts.term,
      ...(teamIds !== undefined ? { teamIds } : {}),
      ...(visibleTo !== undefined ? { visibleTo } : {}),
      includeDeleted: opts.includeDeleted && actor.isSystemAdmin,
      types,
    };
    const [channels, total] = await Promise.all([
      this.store.channels.search({ ...filter, page: opts.page, perPage: opts.perPage }),
      this.store.channels.countSearch(filter),
    ]);
    return { channels, total };
  }

  async stats(
    actor: Actor,
    channelId: string,
  ): Promise<{ channel_id: string; member_count: number; pinnedpost_count: number }> {
    await accessChannel(this.store, actor, channelId);
    const [member_count, pinnedpost_count] = await Promise.all([
      this.store.channels.countActiveMembers(channelId),
      this.store.channels.countPinnedPosts(channelId),
    ]);
    return { channel_id: channelId, member_count, pinnedpost_count };
  }

  async timezones(actor: Actor, channelId: string): Promise<Record<string, unknown>[]> {
    await accessChannel(this.store, actor, channelId);
    const rows = await this.store.channels.memberTimezones(channelId);
    return rows.map(parseJsonObject);
  }

  // ---- changing -------------------------------------------------------------------------------

  async patchChannel(actor: Actor, channelId: string, patch: ChannelPatch): Promise<ChannelRow> {
    const access = await accessChannel(this.store, actor, channelId);
    const { channel } = access;
    requireChannelPermission(actor, access, propertiesPermission(channel));
    const name = patch.name === undefined ? undefined : checkChannelName(patch.name);
    const display_name =
      patch.display_name === undefined ? undefined : checkChannelDisplayName(patch.display_name);
    const purpose = checkPurpose(patch.purpose);
    const header = checkHeader(patch.header);
    if (channel.delete_at !== 0) throw archivedChannel('update_channel');
    if (isDirectOrGroup(channel)) {
      if (
        (name !== undefined && name !== channel.name) ||
        (display_name !== undefined && display_name !== channel.display_name)
      ) {
        throw badRequest(
          'api.channel.update_channel.not_allowed.app_error',
          'Direct and group channels cannot be renamed.',
        );
      }
    }
    if (isTownSquare(channel) && name !== undefined && name !== channel.name) {
      throw badRequest(
        'api.channel.update_channel.tried.app_error',
        'The default channel cannot be renamed.',
      );
    }
    const now = this.deps.now();
    const changes = {
      ...(name !== undefined && !isDirectOrGroup(channel) ? { name } : {}),
      ...(display_name !== undefined && !isDirectOrGroup(channel) ? { display_name } : {}),
      ...(purpose !== undefined ? { purpose } : {}),
      ...(header !== undefined ? { header } : {}),
      update_at: now,
    };
    try {
      return await inTransaction(this.deps, async (tx, events) => {
        if (changes.name !== undefined && changes.name !== channel.name) {
          if (await tx.channels.findByTeamAndName(channel.team_id, changes.name)) throw duplicateChannel();
        }
        await tx.channels.update(channelId, changes);
        const updated = (await tx.channels.findById(channelId)) ?? { ...channel, ...changes };
        events.push(await channelUpdatedEvent(tx, updated));
        return updated;
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw duplicateChannel();
      throw err;
    }
  }

  /** PUT /channels/{id}: the whole channel; its id must match and its type may not change here. */
  async updateChannel(
    actor: Actor,
    channelId: string,
    body: ChannelPatch & { id?: unknown; type?: unknown },
  ): Promise<ChannelRow> {
    if (body.id !== channelId) {
      throw badRequest(
        'api.context.invalid_body_param.app_error',
        'The channel id in the body must match the URL.',
      );
    }
    const access = await accessChannel(this.store, actor, channelId);
    if (body.type !== undefined && body.type !== access.channel.type) {
      throw badRequest(
        'api.channel.update_channel.typechange.app_error',
        'Use the privacy route to change the type.',
      );
    }
    return this.patchChannel(actor, channelId, body);
  }

  async archiveChannel(actor: Actor, channelId: string): Promise<void> {
    const access = await accessChannel(this.store, actor, channelId);
    const { channel } = access;
    if (isDirectOrGroup(channel)) {
      throw badRequest(
        'api.channel.delete_channel.type.invalid',
        'Direct and group channels cannot be archived.',
      );
    }
    requireChannelPermission(
      actor,
      access,
      channel.type === 'O' ? P.deletePublicChannel : P.deletePrivateChannel,
    );
    if (isTownSquare(channel)) {
      throw badRequest(
        'api.channel.delete_channel.cannot.app_error',
        'The default channel cannot be archived.',
      );
    }
    if (channel.delete_at !== 0) throw archivedChannel('delete_channel');
    const now = this.deps.now();
    await inTransaction(this.deps, async (tx, events) => {
      await tx.channels.update(channelId, { delete_at: now, update_at: now });
      events.push(
        await channelLifecycleEvent(tx, 'channel_deleted', channel, {
          channel_id: channelId,
          delete_at: now,
        }),
      );
    });
  }

  async restoreChannel(actor: Actor, channelId: string): Promise<ChannelRow> {
    const access = await accessChannel(this.store, actor, channelId);
    const { channel } = access;
    if (isDirectOrGroup(channel)) {
      throw badRequest(
        'api.channel.restore_channel.type.invalid',
        'Direct and group channels cannot be restored.',
      );
    }
    requireChannelPermission(actor, access, P.manageTeam);
    if (channel.delete_at === 0) {
      throw badRequest('api.channel.restore_channel.restored.app_error', 'The channel is not archived.');
    }
    const now = this.deps.now();
    return inTransaction(this.deps, async (tx, events) => {
      await tx.channels.update(channelId, { delete_at: 0, update_at: now });
      const restored = { ...channel, delete_at: 0, update_at: now };
      events.push(await channelLifecycleEvent(tx, 'channel_restored', restored, { channel_id: channelId }));
      return restored;
    });
  }

  /** Public ↔ private. Converting to private needs convert permission, to public a team admin. */
  async setPrivacy(actor: Actor, channelId: string, privacy: unknown): Promise<ChannelRow> {
    if (privacy !== 'O' && privacy !== 'P') {
      throw badRequest('api.channel.update_channel_privacy.invalid.app_error', "privacy must be 'O' or 'P'.");
    }
    const access = await accessChannel(this.store, actor, channelId);
    const { channel } = access;
    if (isDirectOrGroup(channel)) {
      throw badRequest(
        'api.channel.update_channel_privacy.type.app_error',
        'Direct and group channels have no privacy setting.',
      );
    }
    requireChannelPermission(actor, access, privacy === 'P' ? P.convertPublicChannelToPrivate : P.manageTeam);
    if (isTownSquare(channel)) {
      throw badRequest(
        'api.channel.convert_channel_to_private.default_channel.error',
        'The default channel cannot be made private.',
      );
    }
    if (channel.delete_at !== 0) throw archivedChannel('update_channel_privacy');
    if (channel.type === privacy) return channel;
    const now = this.deps.now();
    return inTransaction(this.deps, async (tx, events) => {
      await tx.channels.update(channelId, { type: privacy, update_at: now });
      const converted = { ...channel, type: privacy, update_at: now };
      events.push({
        event: 'channel_converted',
        data: { channel_id: channelId },
        broadcast: broadcastOf({ team_id: channel.team_id }),
        audience: { kind: 'team', teamId: channel.team_id },
      });
      return converted;
    });
  }

  // ---- members --------------------------------------------------------------------------------

  async listMembers(
    actor: Actor,
    channelId: string,
    page: number,
    perPage: number,
  ): Promise<ChannelMemberRow[]> {
    await accessChannel(this.store, actor, channelId);
    return this.store.channels.listMembers(channelId, page, perPage);
  }

  async getMember(actor: Actor, channelId: string, userId: string): Promise<ChannelMemberRow> {
    await accessChannel(this.store, actor, channelId);
    const m = await this.store.channels.findMember(channelId, userId);
    if (!m) throw memberMissing();
    return m;
  }

  async membersByIds(
    actor: Actor,
    channelId: string,
    userIds: readonly string[],
  ): Promise<ChannelMemberRow[]> {
    await accessChannel(this.store, actor, channelId);
    return this.store.channels.membersByIds(channelId, userIds);
  }

  /**
   * Adds people to a public or private channel. Anyone on the team may join a public channel
   * themselves; adding others (and anything private) needs the channel's manage-members permission.
   * Everyone added must be an active member of the channel's team.
   */
  async addMembers(actor: Actor, channelId: string, userIds: readonly string[]): Promise<ChannelMemberRow[]> {
    const access = await accessChannel(this.store, actor, channelId);
    const { channel } = access;
    if (isDirectOrGroup(channel)) {
      throw badRequest(
        'api.channel.add_user_to_channel.type.app_error',
        'Nobody can be added to direct or group channels.',
      );
    }
    if (channel.delete_at !== 0) throw archivedChannel('add_user_to_channel');
    const onlySelf = userIds.length === 1 && userIds[0] === actor.userId;
    if (onlySelf && channel.type === 'O' && !access.member) {
      requireChannelPermission(actor, access, P.joinPublicChannels);
    } else if (!(onlySelf && access.member)) {
      requireChannelPermission(actor, access, membersPermission(channel));
    }
    const users = await this.store.users.findByIds(userIds);
    for (const id of userIds) {
      const u = users.find((x) => x.id === id);
      if (!u || u.delete_at !== 0) throw notFound('user');
    }
    const teamMembers = await this.store.teams.membersByIds(channel.team_id, userIds);
    if (teamMembers.length !== userIds.length) {
      throw badRequest(
        'api.channel.add_user_to_channel.not_team_member.app_error',
        'Only members of the team can be added to its channels.',
      );
    }
    const now = this.deps.now();
    try {
      return await inTransaction(this.deps, async (tx, events) => {
        const rows: ChannelMemberRow[] = [];
        for (const id of userIds) {
          await addChannelMemberTx(tx, channel, id, now, events);
          const m = await tx.channels.findMember(channelId, id);
          if (m) rows.push(m);
        }
        return rows;
      });
    } catch (err) {
      // A concurrent add of the same person won: answer the rows as they are now.
      if (isUniqueViolation(err)) return this.store.channels.membersByIds(channelId, userIds);
      throw err;
    }
  }

  /** Leaves (self) or removes someone. Nobody leaves town-square or a direct channel. */
  async removeMember(actor: Actor, channelId: string, userId: string): Promise<void> {
    const access = await accessChannel(this.store, actor, channelId);
    const { channel } = access;
    if (channel.type === 'D') {
      throw badRequest(
        'api.channel.remove_user_from_channel.direct.app_error',
        'Nobody can leave a direct channel.',
      );
    }
    if (isTownSquare(channel)) {
      throw badRequest('api.channel.remove.default.app_error', 'Nobody can leave the default channel.');
    }
    if (channel.delete_at !== 0) throw archivedChannel('remove_user_from_channel');
    if (userId !== actor.userId) {
      if (channel.type === 'G') {
        throw badRequest(
          'api.channel.remove_members.denied',
          'Others cannot be removed from a group channel.',
        );
      }
      requireChannelPermission(actor, access, membersPermission(channel));
    }
    await inTransaction(this.deps, async (tx, events) => {
      if (!(await removeChannelMemberTx(tx, channel, userId, actor.userId, events))) throw memberMissing();
    });
  }

  /**
   * Marks channels read for the viewer (the channel and the one they left). Counts catch up with the
   * channel's totals, mentions go to zero. Answers the new last-viewed times.
   */
  async viewChannels(
    actor: Actor,
    userId: string,
    channelIds: readonly string[],
    optionalIds: readonly string[] = [],
  ): Promise<Record<string, number>> {
    if (userId !== actor.userId) throw forbidden();
    const targets: string[] = [];
    for (const id of channelIds) {
      const access = await accessChannel(this.store, actor, id);
      if (access.member) targets.push(id);
    }
    for (const id of optionalIds) {
      if (targets.includes(id)) continue;
      if (await this.store.channels.findMember(id, actor.userId)) targets.push(id);
    }
    const times: Record<string, number> = {};
    if (targets.length === 0) return times;
    const now = this.deps.now();
    await inTransaction(this.deps, async (tx, events) => {
      for (const id of targets) {
        // Post times may run a few ms ahead of the clock (they stay ordered within a channel), so the
        // view time is at least the last post's: otherwise a post of this very millisecond stays unread.
        const channel = await tx.channels.findById(id);
        const viewedAt = Math.max(now, channel?.last_post_at ?? 0);
        await tx.channels.markViewed(id, actor.userId, viewedAt);
        times[id] = viewedAt;
      }
      events.push({
        event: 'multiple_channels_viewed',
        data: { channel_times: { ...times } },
        broadcast: broadcastOf({ user_id: actor.userId }),
        audience: { kind: 'users', userIds: [actor.userId] },
      });
    });
    return times;
  }

  /** A member's notification settings (their own, or an admin's doing). */
  async updateNotifyProps(
    actor: Actor,
    channelId: string,
    userId: string,
    props: Record<string, unknown>,
  ): Promise<void> {
    requireSelfOrAdmin(actor, userId);
    const entries = Object.entries(props).filter(([k]) => k !== 'channel_id' && k !== 'user_id');
    if (
      entries.length > 30 ||
      entries.some(([k, v]) => k.length > 64 || typeof v !== 'string' || v.length > 64)
    ) {
      throw badRequest(
        'api.channel.update_channel_notify_props.invalid',
        'notify_props must map names to short strings.',
      );
    }
    for (const [k, v] of entries) {
      const allowed = CHANNEL_NOTIFY_VALUES[k];
      if (allowed && !allowed.includes(v as string)) {
        throw badRequest(
          'model.channel_member.is_valid.notify_level.app_error',
          `notify_props.${k} must be one of: ${allowed.join(', ')}.`,
        );
      }
    }
    await accessChannel(this.store, actor, channelId);
    const now = this.deps.now();
    await inTransaction(this.deps, async (tx, events) => {
      const m = await tx.channels.findMember(channelId, userId);
      if (!m) throw memberMissing();
      const notify_props = JSON.stringify({
        ...parseJsonObject(m.notify_props),
        ...Object.fromEntries(entries),
      });
      await tx.channels.updateMember(channelId, userId, { notify_props, last_update_at: now });
      events.push(channelMemberUpdatedEvent({ ...m, notify_props, last_update_at: now }));
    });
  }

  /** Makes a member channel admin or not (channel admins, team admins and system admins). */
  async setMemberAdmin(actor: Actor, channelId: string, userId: string, admin: boolean): Promise<void> {
    const access = await accessChannel(this.store, actor, channelId);
    if (isDirectOrGroup(access.channel)) {
      throw badRequest(
        'api.channel.update_channel_member_roles.type.app_error',
        'Direct and group channels have no roles.',
      );
    }
    requireChannelPermission(actor, access, P.manageChannelRoles);
    const now = this.deps.now();
    await inTransaction(this.deps, async (tx, events) => {
      const m = await tx.channels.findMember(channelId, userId);
      if (!m) throw memberMissing();
      await tx.channels.updateMember(channelId, userId, { scheme_admin: admin ? 1 : 0, last_update_at: now });
      events.push(channelMemberUpdatedEvent({ ...m, scheme_admin: admin ? 1 : 0, last_update_at: now }));
    });
  }

  /** Parses the role string of PUT .../roles: 'channel_user' or 'channel_user channel_admin'. */
  static parseMemberRoles(roles: unknown): boolean {
    if (typeof roles !== 'string')
      throw badRequest('api.channel.update_channel_member_roles.invalid', 'roles must be a string.');
    const set = new Set(roles.split(/\s+/).filter(Boolean));
    const admin = set.has('channel_admin');
    if (roles.trim() !== channelMemberRoles(admin) && !(set.size === 1 && admin)) {
      throw badRequest(
        'api.channel.update_channel_member_roles.scheme_role.app_error',
        "roles must be 'channel_user' or 'channel_user channel_admin'.",
      );
    }
    return admin;
  }
}
