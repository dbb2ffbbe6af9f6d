/**
 * Sessions and logins. Tokens are 26-character ids handed to the client once and stored only as their
 * SHA-256. Failed logins are counted per account (or per login id when no account matches) so that an
 * unknown name gets exactly the answer, and the bcrypt work, of a known one.
 */
import { newId } from '../lib/ids.js';
import { hashToken } from '../lib/crypto.js';
import { AppError, badRequest, forbidden, notFound } from '../lib/errors.js';
import { isSystemAdminRoles } from '../permissions/roles.js';
import type { UserRow } from '../store/users.js';
import type { SessionRow } from '../store/sessions.js';
import type { Actor, Deps } from './context.js';
import { PASSWORD_MAX_BYTES, hashCost, hashPassword, verifyPassword } from './passwords.js';

export const MAX_LOGIN_ATTEMPTS = 10;
export const LOCKOUT_MS = 15 * 60 * 1000;
/** Sessions are extended by activity, but written back at most this often. */
const ACTIVITY_WRITE_INTERVAL_MS = 60 * 1000;

export interface IssuedSession {
  token: string;
  csrfToken: string;
  session: SessionRow;
  user: UserRow;
}

const invalidCredentials = () =>
  new AppError(
    401,
    'api.user.login.invalid_credentials_email_username',
    'Enter a valid email or username and/or password.',
  );
const tooManyAttempts = () =>
  new AppError(
    401,
    'api.user.check_user_login_attempts.too_many.app_error',
    'Your account is locked because of too many failed password attempts. Try again later.',
  );

export class AuthService {
  private dummyHash: Promise<string> | undefined;

  constructor(private readonly deps: Deps) {}

  /**
   * A hash of the configured cost, compared against when no account matches, so timing is the same.
   * Made once, lazily (the CLI never needs it); `warmUp` makes it before the first login arrives.
   */
  private getDummyHash(): Promise<string> {
    this.dummyHash ??= hashPassword(newId(), this.deps.config.bcryptCost);
    return this.dummyHash;
  }

  /** Prepares the dummy hash so that even the first login for an unknown name costs one comparison. */
  async warmUp(): Promise<void> {
    await this.getDummyHash();
  }

  async login(loginId: unknown, password: unknown, deviceId: unknown): Promise<IssuedSession> {
    if (typeof loginId !== 'string' || loginId.trim() === '' || loginId.length > 256) {
      throw badRequest('api.user.login.blank_login_id.app_error', 'login_id is required.');
    }
    if (typeof password !== 'string' || password === '') {
      throw badRequest('api.user.login.blank_pwd.app_error', 'password is required.');
    }
    if (deviceId !== undefined && typeof deviceId !== 'string') {
      throw badRequest('api.user.login.device_id.app_error', 'device_id must be a string.');
    }
    const { store } = this.deps;
    const id = loginId.trim().toLowerCase();
    const user = (await store.users.findByUsername(id)) ?? (await store.users.findByEmail(id));
    // Unknown login ids are keyed by their hash: bounded length, and no typed text stored.
    const key = user ? `user:${user.id}` : `login:${hashToken(id)}`;
    const now = this.deps.now();
    // The attempt is counted before the password is checked, in one statement, so that parallel guesses
    // cannot all slip through on the same stale count. A success clears the count below.
    const attempt = await store.sessions.countAttempt(key, now, MAX_LOGIN_ATTEMPTS, now + LOCKOUT_MS);
    const locked = attempt.failures > MAX_LOGIN_ATTEMPTS;

    // Always pay for exactly one comparison, whatever the case, so no branch answers faster than another.
    const passwordOk = await verifyPassword(password, user?.password_hash ?? (await this.getDummyHash()));

    if (locked) throw tooManyAttempts();
    // bcrypt reads only the first 72 bytes: a longer password must not log in through its prefix.
    if (!user || !passwordOk || Buffer.byteLength(password, 'utf8') > PASSWORD_MAX_BYTES) {
      throw invalidCredentials();
    }
    await store.sessions.clearThrottle(key);
    if (user.delete_at !== 0) {
      throw new AppError(
        401,
        'api.user.login.inactive.app_error',
        'Login failed because your account has been deactivated.',
      );
    }
    if (hashCost(user.password_hash) !== this.deps.config.bcryptCost) {
      const rehashed = await hashPassword(password, this.deps.config.bcryptCost);
      await store.users.update(user.id, { password_hash: rehashed });
    }
    return this.createSession(user, typeof deviceId === 'string' ? deviceId.slice(0, 512) : '');
  }

  /**
   * Checks a signed-in user's current password (before a password change) under the same lockout as
   * login: wrong guesses count toward it, and a locked account is refused even with the right one.
   */
  async checkCurrentPassword(user: UserRow, password: unknown): Promise<void> {
    const key = `user:${user.id}`;
    const now = this.deps.now();
    const attempt = await this.deps.store.sessions.countAttempt(
      key,
      now,
      MAX_LOGIN_ATTEMPTS,
      now + LOCKOUT_MS,
    );
    const ok =
      typeof password === 'string' &&
      // bcrypt would accept anything that starts with the right 72 bytes.
      Buffer.byteLength(password, 'utf8') <= PASSWORD_MAX_BYTES &&
      (await verifyPassword(password, user.password_hash));
    if (attempt.failures > MAX_LOGIN_ATTEMPTS) throw tooManyAttempts();
    if (!ok) {
      throw badRequest(
        'api.user.update_password.incorrect.app_error',
        'The "Current Password" you entered is incorrect.',
      );
    }
    await this.deps.store.sessions.clearThrottle(key);
  }

  async createSession(user: UserRow, deviceId = ''): Promise<IssuedSession> {
    const now = this.deps.now();
    const token = newId();
    const csrfToken = newId();
    const session: SessionRow = {
      id: newId(),
      token_hash: hashToken(token),
      user_id: user.id,
      csrf_token: csrfToken,
      device_id: deviceId,
      roles: user.roles,
      create_at: now,
      expires_at: now + this.deps.config.sessionLengthMs,
      last_activity_at: now,
      props: '{}',
    };
    await this.deps.store.sessions.insert(session);
    return { token, csrfToken, session, user };
  }

  /** The session and actor for a bearer token, or undefined when it is unknown, expired or its user gone. */
  async authenticate(token: string): Promise<{ session: SessionRow; actor: Actor } | undefined> {
    if (token === '' || token.length > 64) return undefined;
    const { store } = this.deps;
    const session = await store.sessions.findByTokenHash(hashToken(token));
    if (!session) return undefined;
    const now = this.deps.now();
    if (session.expires_at <= now) {
      await store.sessions.delete(session.id);
      return undefined;
    }
    const user = await store.users.findById(session.user_id);
    if (!user || user.delete_at !== 0) return undefined;
    if (now - session.last_activity_at > ACTIVITY_WRITE_INTERVAL_MS) {
      await store.sessions.touch(session.id, now, now + this.deps.config.sessionLengthMs);
    }
    return {
      session,
      actor: {
        userId: user.id,
        sessionId: session.id,
        roles: user.roles,
        isSystemAdmin: isSystemAdminRoles(user.roles),
      },
    };
  }

  async logout(actor: Actor): Promise<void> {
    await this.deps.store.sessions.delete(actor.sessionId);
    this.deps.bus.publish({ type: 'sessions_revoked', sessionIds: [actor.sessionId] });
  }

  /** Ends every session of a user but `keepSessionId`; their sockets close too. */
  async revokeUserSessions(userId: string, keepSessionId?: string): Promise<void> {
    const ids = await this.deps.store.sessions.deleteForUser(userId, keepSessionId);
    if (ids.length) this.deps.bus.publish({ type: 'sessions_revoked', sessionIds: ids });
  }

  listSessions(actor: Actor, userId: string): Promise<SessionRow[]> {
    if (actor.userId !== userId && !actor.isSystemAdmin) throw forbidden();
    return this.deps.store.sessions.listForUser(userId);
  }

  async revokeSession(actor: Actor, userId: string, sessionId: string): Promise<void> {
    if (actor.userId !== userId && !actor.isSystemAdmin) throw forbidden();
    const sessions = await this.deps.store.sessions.listForUser(userId);
    if (!sessions.some((s) => s.id === sessionId)) throw notFound('session');
    await this.deps.store.sessions.delete(sessionId);
    this.deps.bus.publish({ type: 'sessions_revoked', sessionIds: [sessionId] });
  }

  async revokeAllSessions(actor: Actor, userId: string): Promise<void> {
    if (actor.userId !== userId && !actor.isSystemAdmin) throw forbidden();
    await this.revokeUserSessions(userId);
  }

  /** The hourly job: expired sessions, and login-throttle rows that no longer lock anything and are stale. */
  async pruneExpired(): Promise<{ sessions: number; throttles: number }> {
    const now = this.deps.now();
    const sessions = await this.deps.store.sessions.deleteExpired(now);
    const throttles = await this.deps.store.sessions.pruneThrottle(now, LOCKOUT_MS);
    return { sessions, throttles };
  }
}
