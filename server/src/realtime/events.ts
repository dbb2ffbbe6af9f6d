/**
 * What services publish. `audience` is who receives it, named by the publishing service; `broadcast`
 * is the part Mattermost clients read on the wire.
 */
export type Audience =
  | { kind: 'users'; userIds: readonly string[] }
  | { kind: 'channel'; channelId: string }
  | { kind: 'team'; teamId: string }
  | { kind: 'all' }
  /**
   * A user's presence (`status_change`): the user and whoever shares a channel of at most
   * `presenceMaxChannelMembers` members with them, resolved by each hub; coalesced per recipient.
   */
  | { kind: 'presence'; userId: string };

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
  /**
   * Channels whose membership the transaction that publishes this event changed. Hubs forget what they
   * cached of those channels' members before they resolve this event's audience (or any later one).
   * Set by services/membership.ts, the only code that adds or removes channel members.
   */
  membersChanged?: readonly string[];
}

/** Event name of a marker that only carries `membersChanged` (it has no audience; never on the wire). */
export const MEMBERS_CHANGED = 'parley_members_changed';

/** A marker event: these channels' members changed (when no event announcing it goes out). */
export function membersChangedMarker(channelId: string): ServerEvent {
  return {
    event: MEMBERS_CHANGED,
    data: {},
    broadcast: broadcastOf({ channel_id: channelId }),
    audience: { kind: 'users', userIds: [] },
    membersChanged: [channelId],
  };
}

export function broadcastOf(p: Partial<Broadcast> = {}): Broadcast {
  return { omit_users: null, user_id: '', channel_id: '', team_id: '', ...p };
}
