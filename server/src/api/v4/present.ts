/**
 * Rows → wire objects (`@mattermost/types`). Presenters are allow-lists: a field reaches a client only
 * when it is named here, so password hashes, token hashes and secrets can never leak by accident.
 */
import type { UserProfile } from '@mattermost/types/users';
import type { PreferenceType } from '@mattermost/types/preferences';
import type { UserRow } from '../../store/users.js';
import type { PreferenceRow } from '../../store/preferences.js';
import type { Actor } from '../../services/context.js';

function parseJson<T>(s: string, fallback: T): T {
  try {
    return JSON.parse(s) as T;
  } catch {
    return fallback;
  }
}

export interface PresentOptions {
  /** Whether other users' e-mail addresses may be shown (the server's privacy setting). */
  showEmail: boolean;
}

export function presentUser(u: UserRow, viewer: Actor | undefined, opts: PresentOptions): UserProfile {
  const self = viewer?.userId === u.id;
  const privileged = self || viewer?.isSystemAdmin === true;
  const profile = {
    id: u.id,
    create_at: u.create_at,
    update_at: u.update_at,
    delete_at: u.delete_at,
    username: u.username,
    auth_service: '',
    email: privileged || opts.showEmail ? u.email : '',
    nickname: u.nickname,
    first_name: u.first_name,
    last_name: u.last_name,
    position: u.position,
    roles: u.roles,
    locale: u.locale,
    timezone: parseJson(u.timezone, {}),
    is_bot: u.is_bot === 1,
    last_picture_update: u.last_picture_update,
    props: parseJson(u.props, {}),
    ...(privileged
      ? {
          email_verified: u.email_verified === 1,
          notify_props: parseJson(u.notify_props, {}),
          last_password_update: u.last_password_update,
          mfa_active: false,
        }
      : {}),
  };
  return profile as unknown as UserProfile;
}

export function presentPreference(p: PreferenceRow): PreferenceType {
  return { user_id: p.user_id, category: p.category, name: p.name, value: p.value };
}
