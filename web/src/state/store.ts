/**
 * The client's state: one immutable snapshot replaced on every change, read by components through
 * useAppState(selector). REST answers and WebSocket events both land here through the functions in
 * actions.ts and events.ts, so a fresh fetch and a stream of events give the same state.
 */
import { useSyncExternalStore } from 'react';
import type { Channel, ChannelMembership } from '@mattermost/types/channels';
import type { Post } from '@mattermost/types/posts';
import type { Team, TeamMembership } from '@mattermost/types/teams';
import type { UserProfile } from '@mattermost/types/users';
import type { PreferenceType } from '@mattermost/types/preferences';

export type ChannelWithCounts = Channel & { total_msg_count?: number; total_msg_count_root?: number };

/** A post in the client: the server's, or one being sent (`pending`) or that failed to send. */
export type ClientPost = Post & { pendingState?: 'sending' | 'failed' };

export interface PostWindow {
  /** Root post ids shown in the channel, oldest first. */
  order: string[];
  /** More history exists before order[0]. */
  hasOlder: boolean;
  loadingOlder: boolean;
  /** Loaded from the server at least once since the last resync. */
  loaded: boolean;
  /** The oldest post (root or reply) of the pages fetched so far: where the next older page starts. */
  oldestId: string;
}

export type Connection = 'connecting' | 'online' | 'offline';

export interface State {
  config: Record<string, string>;
  me: UserProfile | undefined;
  teams: Record<string, Team>;
  teamMembers: Record<string, TeamMembership>;
  channels: Record<string, ChannelWithCounts>;
  /** The current user's memberships, by channel id. */
  myMembers: Record<string, ChannelMembership>;
  users: Record<string, UserProfile>;
  statuses: Record<string, string>;
  posts: Record<string, ClientPost>;
  channelPosts: Record<string, PostWindow>;
  /** Replies by root id, oldest first. */
  threads: Record<string, string[]>;
  /** Whether the user follows a thread, by root id, for the threads fetched or changed live. */
  following: Record<string, boolean>;
  /** Who is typing where (`channelId` or `channelId:rootId`) until when. */
  typing: Record<string, Record<string, number>>;
  preferences: PreferenceType[];
  connection: Connection;
  /** The post list's "new messages" line: last_viewed_at when the channel was opened. */
  lastViewedAtOpen: Record<string, number>;
  activeTeamId: string;
  activeChannelId: string;
  /** Pinned and saved post ids, when those lists are open. */
  pinned: Record<string, string[]>;
  /** Unsent text per channel (or channel:root), kept across switches and reloads. */
  drafts: Record<string, string>;
}

export const initialState = (): State => ({
  config: {},
  me: undefined,
  teams: {},
  teamMembers: {},
  channels: {},
  myMembers: {},
  users: {},
  statuses: {},
  posts: {},
  channelPosts: {},
  threads: {},
  following: {},
  typing: {},
  preferences: [],
  connection: 'connecting',
  lastViewedAtOpen: {},
  activeTeamId: '',
  activeChannelId: '',
  pinned: {},
  drafts: {},
});

type Listener = () => void;

export class Store {
  private state: State;
  private listeners = new Set<Listener>();

  constructor(state: State = initialState()) {
    this.state = state;
  }

  get = (): State => this.state;

  set(update: (s: State) => Partial<State>): void {
    const patch = update(this.state);
    this.state = { ...this.state, ...patch };
    for (const l of this.listeners) l();
  }

  subscribe = (l: Listener): (() => void) => {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  };

  reset(): void {
    this.state = { ...initialState(), config: this.state.config };
    for (const l of this.listeners) l();
  }
}

export const store = new Store();

export function useAppState<T>(selector: (s: State) => T): T {
  return useSyncExternalStore(store.subscribe, () => selector(store.get()));
}

// Helpers for immutable updates of records.
export function put<T>(rec: Record<string, T>, key: string, value: T): Record<string, T> {
  return { ...rec, [key]: value };
}

export function without<T>(rec: Record<string, T>, key: string): Record<string, T> {
  if (!(key in rec)) return rec;
  const next = { ...rec };
  delete next[key];
  return next;
}

export function byId<T extends { id: string }>(items: readonly T[]): Record<string, T> {
  const out: Record<string, T> = {};
  for (const i of items) out[i.id] = i;
  return out;
}
