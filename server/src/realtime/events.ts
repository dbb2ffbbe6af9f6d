/**
 * What services publish. `audience` is who receives it, named by the publishing service; `broadcast`
 * is the part Mattermost clients read on the wire.
 */
export type Audience =
  | { kind: 'users'; userIds: readonly string[] }
  | { kind: 'channel'; channelId: string }
  | { kind: 'team'; teamId: string }
  | { kind: 'all' };

export interface Broadcast {
  omit_users: Record<string, boolean> | null;
  user_id: string;
  channel_id: string;
  team_id: string;
}

export interface ServerEvent {
  event: string;
  data: Record<string, unknown>;
  broadcast: Broadcast;
  audience: Audience;
  /** Users who must not receive it even when in the audience (the typist for `typing`). */
  omitUsers?: readonly string[];
  /** Sessions whose sockets must close (logout, password change, deactivation). */
}

export function broadcastOf(p: Partial<Broadcast> = {}): Broadcast {
  return { omit_users: null, user_id: '', channel_id: '', team_id: '', ...p };
}
