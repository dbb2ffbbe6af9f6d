/**
 * People: sign-up, profiles, passwords, activation. Who may create an account: the very first person
 * on an empty server (who becomes system admin), anyone when the server is open, someone holding a
 * team's invite id, and system admins.
 */
import { newId } from '../lib/ids.js';
import { AppError, badRequest, forbidden, notFound } from '../lib/errors.js';
import { checkEmail, checkText, checkUsername } from '../lib/validate.js';
import { broadcastOf, type ServerEvent } from '../realtime/events.js';
import { splitRoles } from '../permissions/roles.js';
import { isUniqueViolation } from '../store/store.js';
import type { ListUsersOptions, UserRow } from '../store/users.js';
import { inTransaction, type Actor, type Deps } from './context.js';
import { checkPassword, hashPassword } from './passwords.js';
import { accessChannel, accessTeam } from './access.js';
import { addTeamMemberTx } from './membership.js';
import type { AuthService } from './auth.js';

export interface NewUserInput {
  username?: unknown;
  email?: unknown;
  password?: unknown;
  first_name?: unknown;
  last_name?: unknown;
  nickname?: unknown;
  position?: unknown;
  locale?: unknown;
}

export interface UserPatch {
  username?: unknown;
  email?: unknown;
  first_name?: unknown;
  last_name?: unknown;
  nickname?: unknown;
  position?: unknown;
  locale?: unknown;
  props?: unknown;
  notify_props?: unknown;
  timezone?: unknown;
}

export const defaultUserNotifyProps = () =>
  JSON.stringify({
    email: 'true',
    push: 'mention',
    desktop: 'mention',
    desktop_sound: 'true',
    mention_keys: '',
    channel: 'true',
    first_name: 'false',
    comments: 'never',
  });
const defaultTimezone = () =>
  JSON.stringify({ useAutomaticTimezone: 'true', automaticTimezone: '', manualTimezone: '' });

function checkStringMap(v: unknown, field: string): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    throw badRequest(`model.user.is_valid.${field}.app_error`, `${field} must be an object of strings.`);
  }
  const entries = Object.entries(v as Record<string, unknown>);
  if (entries.length > 100 || entries.some(([k, val]) => typeof val !== 'string' || k.length > 64)) {
    throw badRequest(`model.user.is_valid.${field}.app_error`, `${field} must be an object of strings.`);
  }
  const json = JSON.stringify(v);
  if (json.length > 16_000)
    throw badRequest(`model.user.is_valid.${field}.app_error`, `${field} is too large.`);
  return json;
}

export class UserService {
  constructor(
    private readonly deps: Deps,
    private readonly auth: AuthService,
  ) {}

  async createUser(
    actor: Actor | undefined,
    input: NewUserInput,
    opts: { inviteId?: string; systemAdmin?: boolean } = {},
  ): Promise<UserRow> {
    const username = checkUsername(input.username);
    const email = checkEmail(input.email);
    checkPassword(input.password);
    const first_name = checkText(input.first_name, 'first_name', 64, 'model.user') ?? '';
    const last_name = checkText(input.last_name, 'last_name', 64, 'model.user') ?? '';
    const nickname = checkText(input.nickname, 'nickname', 64, 'model.user') ?? '';
    const position = checkText(input.position, 'position', 128, 'model.user') ?? '';
    const locale = checkText(input.locale, 'locale', 5, 'model.user') || 'en';
    const { store, config } = this.deps;

    if (opts.systemAdmin && !actor?.isSystemAdmin) throw forbidden();

    const inviteTeam = opts.inviteId ? await store.teams.findByInviteId(opts.inviteId) : undefined;
    if (opts.inviteId && (!inviteTeam || inviteTeam.delete_at !== 0)) {
      throw badRequest('api.team.invite_id.invalid', 'The invite link is invalid or has expired.');
    }
    const mayJoin = (isFirst: boolean) =>
      isFirst || actor?.isSystemAdmin === true || config.enableOpenServer || inviteTeam !== undefined;
    const closed = () =>
      new AppError(
        403,
        'api.user.create_user.no_open_server',
        'This server does not allow open signups. Please speak with your Administrator to receive an invitation.',
      );
    // Refuse before hashing, so anonymous requests to a closed server cost no bcrypt work; the check is
    // repeated inside the transaction, where it counts.
    const emptyBefore = (await store.users.count()) === 0;
    if (!mayJoin(emptyBefore)) throw closed();
    // Hash outside the transaction: it is the slow part and holds no lock.
    const password_hash = await hashPassword(input.password, config.bcryptCost);
    const now = this.deps.now();
    try {
      return await inTransaction(this.deps, async (tx, events) => {
        if (emptyBefore) await tx.users.lockFirstSignup();
        const first = (await tx.users.count()) === 0;
        if (!mayJoin(first)) throw closed();
        const row: UserRow = {
          id: newId(),
          username,
          email,
          email_verified: 0,
          password_hash,
          first_name,
          last_name,
          nickname,
          position,
          locale,
          // The first sign-up becomes system admin; an operator (or admin) says explicitly.
          roles:
            opts.systemAdmin || (first && !actor?.isSystemAdmin) ? 'system_user system_admin' : 'system_user',
          notify_props: defaultUserNotifyProps(),
          props: '{}',
          timezone: defaultTimezone(),
          is_bot: 0,
          create_at: now,
          update_at: now,
          delete_at: 0,
          last_password_update: now,
          last_picture_update: 0,
          failed_attempts: 0,
        };
        await tx.users.insert(row);
        events.push({
          event: 'new_user',
          data: { user_id: row.id },
          broadcast: broadcastOf(),
          audience: { kind: 'all' },
        });
        if (inviteTeam) await addTeamMemberTx(tx, inviteTeam, row.id, now, events);
        return row;
      });
    } catch (err) {
      if (isUniqueViolation(err)) {
        const taken = (await store.users.findByUsername(username)) ? 'username' : 'email';
        throw badRequest(
          taken === 'username'
            ? 'app.user.save.username_exists.app_error'
            : 'app.user.save.email_exists.app_error',
          taken === 'username'
            ? 'An account with that username already exists.'
            : 'An account with that email already exists.',
        );
      }
      throw err;
    }
  }

  /** Creates a user regardless of the sign-up policy: for the operator's CLI and the bootstrap admin. */
  async createUserAsOperator(input: NewUserInput, systemAdmin: boolean): Promise<UserRow> {
    const operator: Actor = { userId: '', sessionId: '', roles: 'system_admin', isSystemAdmin: true };
    return this.createUser(operator, input, { systemAdmin });
  }

  countUsers(): Promise<number> {
    return this.deps.store.users.count();
  }

  async getUser(id: string): Promise<UserRow> {
    const u = await this.deps.store.users.findById(id);
    if (!u) throw notFound('user');
    return u;
  }

  async getUserByUsername(username: string): Promise<UserRow> {
    const u = await this.deps.store.users.findByUsername(username);
    if (!u) throw notFound('user');
    return u;
  }

  async getUserByEmail(actor: Actor, email: string, showEmail: boolean): Promise<UserRow> {
    // Looking people up by address would reveal addresses that the privacy setting hides.
    if (!showEmail && !actor.isSystemAdmin) throw notFound('user');
    const u = await this.deps.store.users.findByEmail(email);
    if (!u) throw notFound('user');
    return u;
  }

  getUsersByIds(ids: string[]): Promise<UserRow[]> {
    return this.deps.store.users.findByIds(ids);
  }

  getUsersByUsernames(names: string[]): Promise<UserRow[]> {
    return this.deps.store.users.findByUsernames(names);
  }

  /**
   * Team and channel filters need the actor to see that team or channel: a private channel's members
   * are listed to its members only, and an unseen team or channel answers 404 like an unknown id.
   */
  private async requireFilterAccess(
    actor: Actor,
    o: { inTeam?: string; notInTeam?: string; inChannel?: string; notInChannel?: string },
  ): Promise<void> {
    const { store } = this.deps;
    for (const teamId of [o.inTeam, o.notInTeam]) if (teamId) await accessTeam(store, actor, teamId);
    for (const channelId of [o.inChannel, o.notInChannel]) {
      if (channelId) await accessChannel(store, actor, channelId);
    }
  }

  async listUsers(actor: Actor, o: ListUsersOptions): Promise<UserRow[]> {
    await this.requireFilterAccess(actor, o);
    return this.deps.store.users.list(o);
  }

  async searchUsers(
    actor: Actor,
    term: string,
    o: {
      limit: number;
      inTeam?: string;
      notInTeam?: string;
      inChannel?: string;
      notInChannel?: string;
      allowInactive?: boolean;
    },
  ): Promise<UserRow[]> {
    await this.requireFilterAccess(actor, o);
    return this.deps.store.users.search(term, o);
  }

  private requireSelfOrAdmin(actor: Actor, userId: string): void {
    if (actor.userId !== userId && !actor.isSystemAdmin) throw forbidden();
  }

  async patchUser(actor: Actor, userId: string, patch: UserPatch): Promise<UserRow> {
    this.requireSelfOrAdmin(actor, userId);
    const user = await this.getUser(userId);
    const set: Partial<UserRow> = {};
    if (patch.username !== undefined) set.username = checkUsername(patch.username);
    if (patch.email !== undefined) set.email = checkEmail(patch.email);
    const fn = checkText(patch.first_name, 'first_name', 64, 'model.user');
    if (fn !== undefined) set.first_name = fn;
    const ln = checkText(patch.last_name, 'last_name', 64, 'model.user');
    if (ln !== undefined) set.last_name = ln;
    const nn = checkText(patch.nickname, 'nickname', 64, 'model.user');
    if (nn !== undefined) set.nickname = nn;
    const pos = checkText(patch.position, 'position', 128, 'model.user');
    if (pos !== undefined) set.position = pos;
    const loc = checkText(patch.locale, 'locale', 5, 'model.user');
    if (loc !== undefined) set.locale = loc || 'en';
    const props = checkStringMap(patch.props, 'props');
    if (props !== undefined) set.props = props;
    const np = checkStringMap(patch.notify_props, 'notify_props');
    if (np !== undefined) set.notify_props = np;
    const tz = checkStringMap(patch.timezone, 'timezone');
    if (tz !== undefined) set.timezone = tz;
    set.update_at = this.deps.now();
    try {
      return await inTransaction(this.deps, async (tx, events) => {
        await tx.users.update(userId, set);
        const updated = { ...user, ...set };
        events.push(this.userUpdatedEvent(updated));
        return updated;
      });
    } catch (err) {
      if (isUniqueViolation(err)) {
        throw badRequest('app.user.update.find.app_error', 'That username or email is already taken.');
      }
      throw err;
    }
  }

  /**
   * `user_updated` goes to everyone, so it carries the profile as anybody may see it: the e-mail
   * address is left out and recipients fetch it when they may.
   */
  userUpdatedEvent(user: UserRow): ServerEvent {
    return {
      event: 'user_updated',
      data: { user_id: user.id, user: { id: user.id, username: user.username, update_at: user.update_at } },
      broadcast: broadcastOf(),
      audience: { kind: 'all' },
    };
  }

  async updatePassword(
    actor: Actor,
    userId: string,
    currentPassword: unknown,
    newPassword: unknown,
  ): Promise<void> {
    this.requireSelfOrAdmin(actor, userId);
    const user = await this.getUser(userId);
    checkPassword(newPassword);
    if (actor.userId === userId) await this.auth.checkCurrentPassword(user, currentPassword);
    const hash = await hashPassword(newPassword, this.deps.config.bcryptCost);
    const now = this.deps.now();
    await this.deps.store.users.update(userId, {
      password_hash: hash,
      last_password_update: now,
      update_at: now,
    });
    // A password change ends every other session of that user (the caller's own survives when it is theirs).
    await this.auth.revokeUserSessions(userId, actor.userId === userId ? actor.sessionId : undefined);
  }

  /** For the operator's CLI: set a password without the current one; ends all the user's sessions. */
  async resetPasswordAsOperator(username: string, newPassword: string): Promise<void> {
    const user = await this.getUserByUsername(username);
    checkPassword(newPassword);
    const hash = await hashPassword(newPassword, this.deps.config.bcryptCost);
    const now = this.deps.now();
    await this.deps.store.users.update(user.id, {
      password_hash: hash,
      last_password_update: now,
      update_at: now,
    });
    await this.deps.store.sessions.clearThrottle(`user:${user.id}`);
    await this.auth.revokeUserSessions(user.id);
  }

  async setActive(actor: Actor | undefined, userId: string, active: boolean): Promise<UserRow> {
    if (actor) {
      // People may deactivate themselves; only admins may deactivate others or reactivate anyone.
      const allowed = actor.isSystemAdmin || (actor.userId === userId && !active);
      if (!allowed) throw forbidden();
    }
    const user = await this.getUser(userId);
    const now = this.deps.now();
    const delete_at = active ? 0 : now;
    const updated = await inTransaction(this.deps, async (tx, events) => {
      await tx.users.update(userId, { delete_at, update_at: now });
      const u = { ...user, delete_at, update_at: now };
      events.push(this.userUpdatedEvent(u));
      return u;
    });
    if (!active) await this.auth.revokeUserSessions(userId);
    return updated;
  }

  async updateRoles(actor: Actor, userId: string, roles: unknown): Promise<void> {
    if (!actor.isSystemAdmin) throw forbidden();
    if (typeof roles !== 'string')
      throw badRequest('api.user.update_roles.app_error', 'roles must be a string.');
    const list = splitRoles(roles);
    if (!list.includes('system_user') || list.some((r) => r !== 'system_user' && r !== 'system_admin')) {
      throw badRequest(
        'api.user.update_roles.app_error',
        'roles must be "system_user" or "system_user system_admin".',
      );
    }
    const user = await this.getUser(userId);
    const now = this.deps.now();
    const newRoles = [...new Set(list)].join(' ');
    await inTransaction(this.deps, async (tx, events) => {
      await tx.users.update(userId, { roles: newRoles, update_at: now });
      events.push(this.userUpdatedEvent({ ...user, update_at: now }));
      events.push({
        event: 'user_role_updated',
        data: { user_id: userId, roles: newRoles },
        broadcast: broadcastOf({ user_id: userId }),
        audience: { kind: 'users', userIds: [userId] },
      });
    });
    // After the commit, like the events: open sockets take the new roles.
    this.deps.bus.publish({ type: 'roles_changed', userId, roles: newRoles });
  }
}
