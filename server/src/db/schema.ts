/**
 * Row types as stored. Booleans are integers (0/1) and JSON is text on both dialects, so the store
 * code is the same for SQLite and PostgreSQL. Times are milliseconds since the epoch.
 */
export interface UsersTable {
  id: string;
  username: string;
  email: string;
  email_verified: number;
  password_hash: string;
  first_name: string;
  last_name: string;
  nickname: string;
  position: string;
  locale: string;
  roles: string;
  notify_props: string;
  props: string;
  timezone: string;
  is_bot: number;
  create_at: number;
  update_at: number;
  delete_at: number;
  last_password_update: number;
  last_picture_update: number;
  failed_attempts: number;
}

export interface SessionsTable {
  id: string;
  token_hash: string;
  user_id: string;
  csrf_token: string;
  device_id: string;
  roles: string;
  create_at: number;
  expires_at: number;
  last_activity_at: number;
  props: string;
}

export interface LoginThrottleTable {
  key: string;
  failures: number;
  locked_until: number;
  update_at: number;
}

export interface TeamsTable {
  id: string;
  name: string;
  display_name: string;
  description: string;
  email: string;
  type: string;
  company_name: string;
  allowed_domains: string;
  invite_id: string;
  allow_open_invite: number;
  create_at: number;
  update_at: number;
  delete_at: number;
}

export interface TeamMembersTable {
  team_id: string;
  user_id: string;
  scheme_admin: number;
  create_at: number;
}

export interface ChannelsTable {
  id: string;
  team_id: string;
  type: string;
  name: string;
  display_name: string;
  header: string;
  purpose: string;
  creator_id: string;
  create_at: number;
  update_at: number;
  delete_at: number;
  last_post_at: number;
  last_root_post_at: number;
  total_msg_count: number;
  total_msg_count_root: number;
}

export interface ChannelMembersTable {
  channel_id: string;
  user_id: string;
  scheme_admin: number;
  last_viewed_at: number;
  msg_count: number;
  msg_count_root: number;
  mention_count: number;
  mention_count_root: number;
  notify_props: string;
  last_update_at: number;
}

export interface PostsTable {
  id: string;
  channel_id: string;
  user_id: string;
  root_id: string;
  create_at: number;
  update_at: number;
  edit_at: number;
  delete_at: number;
  is_pinned: number;
  message: string;
  type: string;
  props: string;
  hashtags: string;
  file_ids: string;
  pending_post_id: string | null;
  reply_count: number;
  last_reply_at: number;
}

export interface ReactionsTable {
  post_id: string;
  user_id: string;
  emoji_name: string;
  channel_id: string;
  create_at: number;
}

export interface PreferencesTable {
  user_id: string;
  category: string;
  name: string;
  value: string;
}

/** Presence (002_status): manual statuses survive reconnects and restarts. */
export interface StatusesTable {
  user_id: string;
  status: string;
  manual: number;
  last_activity_at: number;
}

export interface FilesTable {
  id: string;
  creator_id: string;
  channel_id: string;
  post_id: string;
  create_at: number;
  update_at: number;
  delete_at: number;
  name: string;
  extension: string;
  size: number;
  mime_type: string;
  width: number;
  height: number;
  has_preview_image: number;
  preview_type: string;
  mini_preview: string;
}

export interface ThreadMembershipsTable {
  post_id: string;
  user_id: string;
  following: number;
  last_viewed: number;
  last_updated: number;
  unread_mentions: number;
}

export interface Database {
  users: UsersTable;
  sessions: SessionsTable;
  login_throttle: LoginThrottleTable;
  teams: TeamsTable;
  team_members: TeamMembersTable;
  channels: ChannelsTable;
  channel_members: ChannelMembersTable;
  posts: PostsTable;
  reactions: ReactionsTable;
  preferences: PreferencesTable;
  statuses: StatusesTable;
  files: FilesTable;
  thread_memberships: ThreadMembershipsTable;
}
