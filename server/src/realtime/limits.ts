/**
 * The real-time layer's knobs, with production defaults. Tests shorten them through
 * `Realtime.configure()`; the away time comes from the configuration (PARLEY_PRESENCE_AWAY_SECONDS).
 * Changes apply at once, except `maxMessageBytes` (fixed when the gateway is built).
 */
export interface RealtimeLimits {
  /** An unauthenticated socket is closed after this long. */
  authTimeoutMs: number;
  /** A dropped connection may resume (same connection_id, missed events replayed) for this long. */
  resumeWindowMs: number;
  /** Events kept per connection for resume; older ones make the client refetch (new connection_id). */
  replayEvents: number;
  /**
   * The hub's replay log (realtime/replay.ts), where each event is kept once for every connection it
   * went to: at most this many events and bytes in all; the oldest go first when either is passed.
   */
  replayLogEvents: number;
  replayLogBytes: number;
  /** Above this many unsent bytes, typing and status events are dropped for that socket. */
  softBufferBytes: number;
  /** Above this many unsent bytes the socket is closed (4008) and the client resumes. */
  hardBufferBytes: number;
  /** Server pings; a socket that did not answer the previous one is dropped. */
  pingIntervalMs: number;
  /** Housekeeping: expired resumable connections, presence transitions, typing throttle entries. */
  sweepIntervalMs: number;
  /** How often each socket's session is checked against the database (a safety net for revocation). */
  sessionCheckMs: number;
  /** A user is shown away after this long without activity while connected. */
  awayAfterMs: number;
  /** A user is shown offline this long after their last socket closed (reconnects do not flicker). */
  offlineGraceMs: number;
  /**
   * Presence is coalesced: status changes wait this long, then each recipient gets the latest status
   * of each changed user in one write.
   */
  presenceBatchMs: number;
  /**
   * Channels with more members than this carry no presence pushes (clients poll
   * `POST /users/status/ids`, as Mattermost's do); a user's own status always reaches them.
   */
  presenceMaxChannelMembers: number;
  /** Channels whose member ids a hub keeps in memory (least recently loaded forgotten first). */
  memberCacheChannels: number;
  /** At most one `typing` per user and channel in this interval. */
  typingThrottleMs: number;
  /** Largest message a client may send. */
  maxMessageBytes: number;
  /** Messages a client may send per 10 seconds before its socket is closed. */
  maxMessagesPer10s: number;
}

export function defaultLimits(awayAfterMs: number): RealtimeLimits {
  return {
    authTimeoutMs: 5_000,
    resumeWindowMs: 5 * 60_000,
    replayEvents: 1_000,
    replayLogEvents: 200_000,
    replayLogBytes: 64 * 1024 * 1024,
    softBufferBytes: 512 * 1024,
    hardBufferBytes: 4 * 1024 * 1024,
    pingIntervalMs: 30_000,
    sweepIntervalMs: 2_000,
    sessionCheckMs: 60_000,
    awayAfterMs,
    offlineGraceMs: 10_000,
    presenceBatchMs: 1_000,
    presenceMaxChannelMembers: 500,
    memberCacheChannels: 20_000,
    typingThrottleMs: 1_000,
    maxMessageBytes: 64 * 1024,
    maxMessagesPer10s: 300,
  };
}
