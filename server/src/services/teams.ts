/**
 * Teams: creating, reading, changing and archiving them, and who belongs to them. Permissions come
 * from permissions/roles.ts through access.ts; joins and leaves go through membership.ts so that the
 * default channels follow the team membership.
 */
import { newId } from '../lib/ids.js';
import { AppError, badRequest, forbidden, notFound } from '../lib/errors.js';
import { checkText, checkUrlName } from '../lib/validate.js';
import { broadcastOf, type ServerEvent } from '../realtime/events.js';
import { can, P } from '../permissions/roles.js';
import { isUniqueViolation, type Store } from '../store/store.js';
import type { TeamMemberRow, TeamRow, TeamUnreadRow } from '../store/teams.js';
import { inTransaction, type Actor, type Deps } from './context.js';
import { accessTeam, requireTeamPermission, teamPermissionContext, type TeamAccess } from './access.js';
// Events carry the team exactly as the REST API shows it to members.
import { presentTeam } from '../api/v4/present-teams.js';
import { addTeamMemberTx, removeTeamMemberTx } from './membership.js';

/** Names the web client uses as top-level paths: no team may take them. */
const RESERVED_TEAM_NAMES = new Set([
  'admin',
  'api',
  'channel',
  'claim',
  'error',
  'files',
  'help',
  'landing',
  'login',
  'logout',
  'mfa',
  'oauth',
  'plug',
  'plugins',
  'post',
  'signup',
  'static',
]);

export interface TeamPatch {
  display_name?: unknown;
  description?: unknown;
  company_name?: unknown;
  allowed_domains?: unknown;
  allow_open_invite?: unknown;
  type?: unknown;
}

export interface TeamView {
  team: TeamRow;
  /** Whether the viewer may see the invite id and e-mail (members who may invite, and admins). */
  sensitive: boolean;
}

function checkTeamName(v: unknown): string {
  const name = checkUrlName(v, 'team.name', 2, 64);
  if (RESERVED_TEAM_NAMES.has(name)) {
    throw badRequest('model.team.is_valid.reserved.app_error', 'This team name is reserved.');
  }
  return name;
}

function checkDisplayName(v: unknown): string {
  const s = checkText(v, 'display_name', 64, 'model.team');
  if (s === undefined || s.trim() === '') {
    throw badRequest('model.team.is_valid.name.app_error', 'display_name is required.');
  }
  return s;
}

function checkTeamType(v: unknown): 'O' | 'I' | undefined {
  if (v === undefined) return undefined;
  if (v !== 'O' && v !== 'I')
    throw badRequest('model.team.is_valid.type.app_error', "type must be 'O' or 'I'.");
  return v;
}

function checkBool(v: unknown, field: string): boolean | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'boolean')
    throw badRequest(`model.team.is_valid.${field}.app_error`, `${field} must be true or false.`);
  return v;
}

/** The invite id is a secret that lets people join: a full-length random id. */
const newInviteId = () => newId();

export class TeamService {
  constructor(private readonly deps: Deps) {}

  private sensitiveFor(actor: Actor, access: TeamAccess): boolean {
    return (
      actor.isSystemAdmin ||
      (access.member !== undefined && can(teamPermissionContext(actor, access), P.inviteUser))
    );
  }

  async createTeam(actor: Actor, input: TeamPatch & { name?: unknown; email?: unknown }): Promise<TeamView> {
    if (!can({ systemRoles: actor.roles }, P.createTeam)) throw forbidden();
    const name = checkTeamName(input.name);
    const display_name = checkDisplayName(input.display_name);
    const type = checkTeamType(input.type) ?? 'O';
    const description = checkText(input.description, 'description', 255, 'model.team') ?? '';
    const company_name = checkText(input.company_name, 'company_name', 64, 'model.team') ?? '';
    const allowed_domains = checkText(input.allowed_domains, 'allowed_domains', 1000, 'model.team') ?? '';
    const email = checkText(input.email, 'email', 128, 'model.team') ?? '';
    // As in Mattermost, a team is joinable by anyone only when allow_open_invite says so; clients send
    // type 'O' for every new team, which alone must not open it to the whole server.
    const allowOpen = checkBool(input.allow_open_invite, 'allow_open_invite') ?? false;
    const now = this.deps.now();
    const team: TeamRow = {
      id: newId(),
      name,
      display_name,
      description,
      email,
      type,
      company_name,
      allowed_domains,
      invite_id: newInviteId(),
      allow_open_invite: allowOpen ? 1 : 0,
      create_at: now,
      update_at: now,
      delete_at: 0,
    };
    try {
      await inTransaction(this.deps, async (tx, events) => {
        if (await tx.teams.findByName(name)) throw duplicateTeam();
        await tx.teams.insert(team);
        for (const [cname, display] of [
          ['town-square', 'Town Square'],
          ['off-topic', 'Off-Topic'],
        ] as const) {
          await tx.channels.insert({
            id: newId(),
            team_id: team.id,
            type: 'O',
            name: cname,
            display_name: display,
            header: '',
            purpose: '',
            creator_id: '',
            create_at: now,
            update_at: now,
            delete_at: 0,
            last_post_at: now,
            last_root_post_at: now,
            total_msg_count: 0,
            total_msg_count_root: 0,
          });
        }
        await addTeamMemberTx(tx, team, actor.userId, now, events, { admin: true });
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw duplicateTeam();
      throw err;
    }
    return { team, sensitive: true };
  }

  async listTeams(
    actor: Actor,
    opts: { page: number; perPage: number; includeTotal: boolean },
  ): Promise<{ teams: TeamView[]; total?: number }> {
    const all = actor.isSystemAdmin;
    if (!all && !can({ systemRoles: actor.roles }, P.listPublicTeams)) return { teams: [] };
    const filter = { openOnly: !all, includeDeleted: false };
    const rows = await this.deps.store.teams.list({ ...filter, page: opts.page, perPage: opts.perPage });
    const mine = new Set(
      (await this.deps.store.teams.membershipsForUser(actor.userId)).map((m) => m.team_id),
    );
    const teams = rows.map((team) => ({ team, sensitive: all || mine.has(team.id) }));
    if (!opts.includeTotal) return { teams };
    return { teams, total: await this.deps.store.teams.count(filter) };
  }

  async getTeam(actor: Actor, teamId: string): Promise<TeamView> {
    const access = await accessTeam(this.deps.store, actor, teamId, { allowOpen: true });
    return { team: access.team, sensitive: this.sensitiveFor(actor, access) };
  }

  async getTeamByName(actor: Actor, name: string): Promise<TeamView> {
    const team = await this.deps.store.teams.findByName(name);
    if (!team) throw notFound('team');
    return this.getTeam(actor, team.id);
  }

  /** Whether a team of that name exists that the actor may know of. */
  async teamExists(actor: Actor, name: string): Promise<boolean> {
    const team = await this.deps.store.teams.findByName(name);
    if (!team) return false;
    try {
      await accessTeam(this.deps.store, actor, team.id, { allowOpen: true });
      return true;
    } catch {
      return false;
    }
  }

  async patchTeam(actor: Actor, teamId: string, patch: TeamPatch): Promise<TeamView> {
    const access = await accessTeam(this.deps.store, actor, teamId);
    requireTeamPermission(actor, access, P.manageTeam);
    const display_name = patch.display_name === undefined ? undefined : checkDisplayName(patch.display_name);
    const description = checkText(patch.description, 'description', 255, 'model.team');
    const company_name = checkText(patch.company_name, 'company_name', 64, 'model.team');
    const allowed_domains = checkText(patch.allowed_domains, 'allowed_domains', 1000, 'model.team');
    const allowOpen = checkBool(patch.allow_open_invite, 'allow_open_invite');
    const type = checkTeamType(patch.type);
    const now = this.deps.now();
    return inTransaction(this.deps, async (tx, events) => {
      const current = await tx.teams.findById(teamId);
      if (!current) throw notFound('team');
      const changes = {
        ...(display_name !== undefined ? { display_name } : {}),
        ...(description !== undefined ? { description } : {}),
        ...(company_name !== undefined ? { company_name } : {}),
        ...(allowed_domains !== undefined ? { allowed_domains } : {}),
        ...(allowOpen !== undefined ? { allow_open_invite: allowOpen ? 1 : 0 } : {}),
        ...(type !== undefined ? { type } : {}),
        update_at: now,
      };
      await tx.teams.update(teamId, changes);
      const team = { ...current, ...changes };
      events.push(teamEvent('update_team', team));
      return { team, sensitive: true };
    });
  }

  async archiveTeam(actor: Actor, teamId: string): Promise<void> {
    const access = await accessTeam(this.deps.store, actor, teamId);
    requireTeamPermission(actor, access, P.manageTeam);
    if (access.team.delete_at !== 0) return;
    const now = this.deps.now();
    await inTransaction(this.deps, async (tx, events) => {
      await tx.teams.update(teamId, { delete_at: now, update_at: now });
      events.push(teamEvent('delete_team', { ...access.team, delete_at: now, update_at: now }));
    });
  }

  async restoreTeam(actor: Actor, teamId: string): Promise<TeamView> {
    const access = await accessTeam(this.deps.store, actor, teamId);
    requireTeamPermission(actor, access, P.manageTeam);
    const now = this.deps.now();
    return inTransaction(this.deps, async (tx, events) => {
      const team = { ...access.team, delete_at: 0, update_at: now };
      await tx.teams.update(teamId, { delete_at: 0, update_at: now });
      events.push(teamEvent('restore_team', team));
      return { team, sensitive: true };
    });
  }

  async regenerateInviteId(actor: Actor, teamId: string): Promise<TeamView> {
    const access = await accessTeam(this.deps.store, actor, teamId);
    requireTeamPermission(actor, access, P.manageTeam);
    const now = this.deps.now();
    const invite_id = newInviteId();
    return inTransaction(this.deps, async (tx, events) => {
      await tx.teams.update(teamId, { invite_id, update_at: now });
      const team = { ...access.team, invite_id, update_at: now };
      events.push(teamEvent('update_team', team));
      return { team, sensitive: true };
    });
  }

  /**
   * Adds userId to the team: a user joining an open team themselves, or a member who may add people
   * adding someone else. Answers the (possibly existing) membership.
   */
  async addMember(actor: Actor, teamId: string, userId: string): Promise<TeamMemberRow> {
    const store = this.deps.store;
    const self = userId === actor.userId;
    const access = await accessTeam(store, actor, teamId, { allowOpen: self });
    if (access.team.delete_at !== 0) throw archivedTeam();
    if (self && !access.member) {
      if (!actor.isSystemAdmin && !can({ systemRoles: actor.roles }, P.joinPublicTeams)) throw forbidden();
    } else if (!self) {
      requireTeamPermission(actor, access, P.addUserToTeam);
    }
    return this.join(access.team, userId);
  }

  /** Adds several people at once (all or none), for members who may add people. */
  async addMembers(actor: Actor, teamId: string, userIds: readonly string[]): Promise<TeamMemberRow[]> {
    const access = await accessTeam(this.deps.store, actor, teamId);
    if (access.team.delete_at !== 0) throw archivedTeam();
    requireTeamPermission(actor, access, P.addUserToTeam);
    const users = await this.deps.store.users.findByIds(userIds);
    if (users.length !== userIds.length || users.some((u) => u.delete_at !== 0)) throw notFound('user');
    const now = this.deps.now();
    const add = () =>
      inTransaction(this.deps, async (tx, events) => {
        for (const id of userIds) await addTeamMemberTx(tx, access.team, id, now, events);
        return tx.teams.membersByIds(teamId, userIds);
      });
    try {
      return await add();
    } catch (err) {
      // A concurrent join of one of them won; the rest still need adding.
      if (isUniqueViolation(err)) return add();
      throw err;
    }
  }

  /** Joins the actor to the team whose invite id they hold. */
  async joinByInviteId(actor: Actor, inviteId: string): Promise<TeamMemberRow> {
    const team = await this.deps.store.teams.findByInviteId(inviteId);
    if (!team || team.delete_at !== 0) {
      throw badRequest('api.team.invite_id.invalid', 'The invite link is invalid or has expired.');
    }
    return this.join(team, actor.userId);
  }

  private async join(team: TeamRow, userId: string): Promise<TeamMemberRow> {
    const user = await this.deps.store.users.findById(userId);
    if (!user || user.delete_at !== 0) throw notFound('user');
    const now = this.deps.now();
    try {
      return await inTransaction(this.deps, async (tx, events) => {
        await addTeamMemberTx(tx, team, userId, now, events);
        return getMemberOrThrow(tx, team.id, userId);
      });
    } catch (err) {
      // Two joins at once: the other one won; answer its row.
      if (isUniqueViolation(err)) return getMemberOrThrow(this.deps.store, team.id, userId);
      throw err;
    }
  }

  /** Leaves (self) or removes someone (team admins) from the team and all of its channels. */
  async removeMember(actor: Actor, teamId: string, userId: string): Promise<void> {
    const access = await accessTeam(this.deps.store, actor, teamId);
    if (userId !== actor.userId) requireTeamPermission(actor, access, P.removeUserFromTeam);
    await inTransaction(this.deps, async (tx, events) => {
      if (!(await removeTeamMemberTx(tx, access.team, userId, actor.userId, events))) {
        throw new AppError(
          404,
          'app.team.get_member.missing.app_error',
          'No team member found for that user.',
        );
      }
    });
  }

  async listMembers(actor: Actor, teamId: string, page: number, perPage: number): Promise<TeamMemberRow[]> {
    await accessTeam(this.deps.store, actor, teamId);
    return this.deps.store.teams.listMembers(teamId, page, perPage);
  }

  async getMember(actor: Actor, teamId: string, userId: string): Promise<TeamMemberRow> {
    await accessTeam(this.deps.store, actor, teamId);
    return getMemberOrThrow(this.deps.store, teamId, userId);
  }

  async membersByIds(actor: Actor, teamId: string, userIds: readonly string[]): Promise<TeamMemberRow[]> {
    await accessTeam(this.deps.store, actor, teamId);
    return this.deps.store.teams.membersByIds(teamId, userIds);
  }

  async stats(
    actor: Actor,
    teamId: string,
  ): Promise<{ team_id: string; total_member_count: number; active_member_count: number }> {
    await accessTeam(this.deps.store, actor, teamId);
    const c = await this.deps.store.teams.memberCounts(teamId);
    return { team_id: teamId, total_member_count: c.total, active_member_count: c.active };
  }

  async teamsForUser(actor: Actor, userId: string): Promise<TeamView[]> {
    requireSelfOrAdmin(actor, userId);
    const rows = await this.deps.store.teams.listForUser(userId);
    return rows.map((team) => ({ team, sensitive: true }));
  }

  async membershipsForUser(actor: Actor, userId: string): Promise<TeamMemberRow[]> {
    requireSelfOrAdmin(actor, userId);
    return this.deps.store.teams.membershipsForUser(userId);
  }

  async unreadsForUser(actor: Actor, userId: string, excludeTeamId?: string): Promise<TeamUnreadRow[]> {
    requireSelfOrAdmin(actor, userId);
    const rows = await this.deps.store.teams.unreadsForUser(userId);
    return excludeTeamId ? rows.filter((r) => r.team_id !== excludeTeamId) : rows;
  }
}

function requireSelfOrAdmin(actor: Actor, userId: string): void {
  if (actor.userId !== userId && !actor.isSystemAdmin) throw forbidden();
}

async function getMemberOrThrow(store: Store, teamId: string, userId: string): Promise<TeamMemberRow> {
  const m = await store.teams.findMember(teamId, userId);
  if (!m)
    throw new AppError(404, 'app.team.get_member.missing.app_error', 'No team member found for that user.');
  return m;
}

const duplicateTeam = () =>
  badRequest('app.team.save.existing.app_error', 'A team with that name already exists.');
const archivedTeam = () =>
  badRequest('api.team.add_user_to_team.deleted.app_error', 'This team has been archived.');

/** update_team / delete_team / restore_team carry the team as a JSON string, to the team. */
function teamEvent(event: string, team: TeamRow): ServerEvent {
  return {
    event,
    data: { team: JSON.stringify(presentTeam(team, true)) },
    broadcast: broadcastOf({ team_id: team.id }),
    audience: { kind: 'team', teamId: team.id },
  };
}
