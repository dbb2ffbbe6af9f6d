/**
 * Everything the app does against the server: each function calls Client4 and folds the answer into
 * the store. Components call these; they never call the client directly.
 */
import type { Channel, ChannelMembership } from '@mattermost/types/channels';
import type { Post, PostList } from '@mattermost/types/posts';
import type { FileInfo } from '@mattermost/types/files';
import type { PreferenceType } from '@mattermost/types/preferences';
import type { Team } from '@mattermost/types/teams';
import type { UserProfile, UserStatus } from '@mattermost/types/users';
import { client, errorStatus } from '../api/client';
import { byId, put, store, without, type ChannelWithCounts, type ClientPost, type PostWindow } from './store';
import { dmPartnerId } from './selectors';
import { onUnknownStatuses, shownUserIds, STATUS_BATCH } from './presence';

export const PAGE_SIZE = 60;

const emptyWindow = (): PostWindow => ({
  order: [],
  hasOlder: true,
  loadingOlder: false,
  loaded: false,
  oldestId: '',
});

// ---------------------------------------------------------------------------------------------- users

const pendingUserIds = new Set<string>();
let userBatch: Promise<void> | undefined;

/** Fetches the profiles of the given users that the store does not hold yet (batched). */
export function ensureUsers(ids: Iterable<string>): Promise<void> {
  const s = store.get();
  for (const id of ids) if (id && !s.users[id]) pendingUserIds.add(id);
  if (pendingUserIds.size === 0) return Promise.resolve();
  userBatch ??= Promise.resolve().then(async () => {
    const wanted = [...pendingUserIds];
    pendingUserIds.clear();
    userBatch = undefined;
    try {
      const users = await client.getProfilesByIds(wanted);
      receiveUsers(users);
      void refreshStatuses(users.map((u) => u.id));
    } catch {
      // Profiles are decoration; a failure shows "Someone" until the next fetch.
    }
  });
  return userBatch;
}

export function receiveUsers(users: readonly UserProfile[]): void {
  if (users.length === 0) return;
  store.set((s) => {
    const next = { ...s.users };
    for (const u of users) next[u.id] = u;
    const me = s.me && next[s.me.id] ? next[s.me.id] : s.me;
    return { users: next, me };
  });
}

/** Fetches the statuses of the given users; by default of the users the app shows (state/presence.ts). */
export async function refreshStatuses(ids?: string[]): Promise<void> {
  const wanted = [...new Set(ids ?? shownUserIds())];
  if (wanted.length === 0) return;
  try {
    const batches: string[][] = [];
    for (let i = 0; i < wanted.length; i += STATUS_BATCH) batches.push(wanted.slice(i, i + STATUS_BATCH));
    const answers = await Promise.all(batches.map((b) => client.getStatusesByIds(b)));
    const statuses: UserStatus[] = answers.flat();
    store.set((s) => {
      let changed = false;
      const next = { ...s.statuses };
      for (const st of statuses) {
        if (next[st.user_id] !== st.status) changed = true;
        next[st.user_id] = st.status;
      }
      return changed ? { statuses: next } : {};
    });
  } catch {
    // Presence is best effort.
  }
}

onUnknownStatuses((ids) => void refreshStatuses(ids));

export async function setMyStatus(status: 'online' | 'away' | 'dnd' | 'offline'): Promise<void> {
  const me = store.get().me;
  if (!me) return;
  await client.updateStatus({ user_id: me.id, status } as UserStatus);
  store.set((s) => ({ statuses: put(s.statuses, me.id, status) }));
}

// -------------------------------------------------------------------------------------- session

export type BootResult = 'signedIn' | 'signedOut';

export async function loadConfig(): Promise<void> {
  try {
    const config = (await client.getClientConfig()) as unknown as Record<string, string>;
    store.set(() => ({ config }));
  } catch {
    // The defaults serve.
  }
}

export async function boot(): Promise<BootResult> {
  await loadConfig();
  let me: UserProfile;
  try {
    me = await client.getMe();
  } catch (err) {
    if (errorStatus(err) === 401) return 'signedOut';
    throw err;
  }
  client.setUserId(me.id);
  store.set((s) => ({ me, users: put(s.users, me.id, me) }));
  await loadTeamsAndChannels();
  return 'signedIn';
}

export async function login(loginId: string, password: string): Promise<void> {
  const me = await client.login(loginId, password);
  // The session lives in the HttpOnly cookie; keep no bearer token in script memory.
  client.setToken('');
  client.setUserId(me.id);
  store.set((s) => ({ me, users: put(s.users, me.id, me) }));
  await loadTeamsAndChannels();
}

export async function signUp(username: string, email: string, password: string): Promise<void> {
  await client.createUser({ username, email, password } as UserProfile, '', '');
  await login(username, password);
}

export async function logout(): Promise<void> {
  try {
    await client.logout();
  } finally {
    store.reset();
  }
}

export async function updateProfile(patch: Partial<UserProfile>): Promise<void> {
  const me = await client.patchMe(patch);
  store.set((s) => ({ me, users: put(s.users, me.id, me) }));
}

export async function changePassword(current: string, next: string): Promise<void> {
  const me = store.get().me;
  if (!me) return;
  await client.updateUserPassword(me.id, current, next);
}

// ----------------------------------------------------------------------------- teams & channels

export async function loadTeamsAndChannels(): Promise<void> {
  const [teams, members, preferences] = await Promise.all([
    client.getMyTeams(),
    client.getMyTeamMembers(),
    client.getMyPreferences().catch(() => [] as unknown as PreferenceType),
  ]);
  const perTeam = await Promise.all(
    teams.map((t) => Promise.all([client.getMyChannels(t.id), client.getMyChannelMembers(t.id)])),
  );
  const teamMembers: Record<string, (typeof members)[number]> = {};
  for (const m of members) teamMembers[m.team_id] = m;
  // Teams, channels and memberships land together, so no screen sees a team without its channels.
  receiveChannels(
    perTeam.flatMap(([c]) => c),
    perTeam.flatMap(([, m]) => m),
    { replace: true },
  );
  store.set(() => ({
    teams: byId(teams),
    teamMembers,
    preferences: Array.isArray(preferences) ? (preferences as PreferenceType[]) : [],
  }));
}

export async function loadTeamChannels(teamId: string): Promise<void> {
  const [channels, members] = await Promise.all([
    client.getMyChannels(teamId),
    client.getMyChannelMembers(teamId),
  ]);
  receiveChannels(channels, members);
}

export function receiveChannels(
  channels: readonly ChannelWithCounts[],
  members: readonly ChannelMembership[],
  opts: { replace?: boolean } = {},
): void {
  const me = store.get().me;
  store.set((s) => {
    const nextChannels = opts.replace ? {} : { ...s.channels };
    for (const c of channels) nextChannels[c.id] = c;
    const nextMembers: Record<string, ChannelMembership> = opts.replace ? {} : { ...s.myMembers };
    for (const m of members) if (!me || m.user_id === me.id) nextMembers[m.channel_id] = m;
    return { channels: nextChannels, myMembers: nextMembers };
  });
  if (me) {
    const partners = channels.map((c) => dmPartnerId(c, me.id)).filter((id): id is string => !!id);
    void ensureUsers(partners);
  }
}

/** Fetches one channel and the user's membership (after being added, or on channel_updated). */
export async function refreshChannel(channelId: string): Promise<void> {
  try {
    const [channel, member] = await Promise.all([
      client.getChannel(channelId),
      client.getMyChannelMember(channelId),
    ]);
    receiveChannels([channel], [member]);
  } catch (err) {
    if (errorStatus(err) === 404 || errorStatus(err) === 403) forgetChannel(channelId);
  }
}

export function forgetChannel(channelId: string): void {
  store.set((s) => ({
    channels: without(s.channels, channelId),
    myMembers: without(s.myMembers, channelId),
    channelPosts: without(s.channelPosts, channelId),
  }));
}

export async function createTeam(displayName: string, name: string): Promise<Team> {
  const team = await client.createTeam({ display_name: displayName, name, type: 'O' } as Team);
  await loadTeamsAndChannels();
  return team;
}

export async function listJoinableTeams(): Promise<Team[]> {
  const teams = (await client.getTeams(0, 200)) as Team[];
  const mine = store.get().teams;
  return teams.filter((t) => !mine[t.id] && t.allow_open_invite);
}

export async function joinTeam(team: Team): Promise<void> {
  const me = store.get().me;
  if (!me) return;
  await client.addToTeam(team.id, me.id);
  await loadTeamsAndChannels();
}

export async function createChannel(
  teamId: string,
  displayName: string,
  name: string,
  type: 'O' | 'P',
  purpose: string,
): Promise<Channel> {
  const channel = await client.createChannel({
    team_id: teamId,
    display_name: displayName,
    name,
    type,
    purpose,
  });
  await refreshChannel(channel.id);
  return channel;
}

export async function listMoreChannels(teamId: string): Promise<Channel[]> {
  const all = await client.getChannels(teamId, 0, 200);
  const mine = store.get().myMembers;
  return all.filter((c) => !mine[c.id] && c.delete_at === 0);
}

export async function joinChannel(channelId: string): Promise<void> {
  const me = store.get().me;
  if (!me) return;
  await client.addToChannel(me.id, channelId);
  await refreshChannel(channelId);
}

export async function leaveChannel(channelId: string): Promise<void> {
  const me = store.get().me;
  if (!me) return;
  await client.removeFromChannel(me.id, channelId);
  forgetChannel(channelId);
}

export async function renameChannel(channelId: string, displayName: string, purpose?: string): Promise<void> {
  const patch: Partial<Channel> = { display_name: displayName };
  if (purpose !== undefined) patch.purpose = purpose;
  const channel = await client.patchChannel(channelId, patch);
  store.set((s) => ({ channels: put(s.channels, channel.id, { ...s.channels[channel.id], ...channel }) }));
}

export async function archiveChannel(channelId: string): Promise<void> {
  await client.deleteChannel(channelId);
  forgetChannel(channelId);
}

export async function loadChannelMembers(channelId: string): Promise<UserProfile[]> {
  const users = await client.getProfilesInChannel(channelId, 0, 200);
  receiveUsers(users);
  void refreshStatuses(users.map((u) => u.id));
  return users;
}

export async function addChannelMember(channelId: string, userId: string): Promise<void> {
  await client.addToChannel(userId, channelId);
}

export async function removeChannelMember(channelId: string, userId: string): Promise<void> {
  await client.removeFromChannel(userId, channelId);
}

export async function searchUsers(term: string, teamId: string, channelId = ''): Promise<UserProfile[]> {
  const res = await client.autocompleteUsers(term, teamId, channelId, { limit: 20 });
  const users = [...(res.users ?? []), ...(res.out_of_channel ?? [])];
  receiveUsers(users);
  return users;
}

/** Opens (creating when needed) the DM with a user; answers its channel. */
export async function openDirectChannel(userId: string): Promise<Channel> {
  const me = store.get().me;
  if (!me) throw new Error('not signed in');
  const channel = await client.createDirectChannel([me.id, userId]);
  await ensureUsers([userId]);
  await refreshChannel(channel.id);
  return channel;
}

export async function openGroupChannel(userIds: string[]): Promise<Channel> {
  const me = store.get().me;
  if (!me) throw new Error('not signed in');
  const channel = await client.createGroupChannel([me.id, ...userIds]);
  await ensureUsers(userIds);
  await refreshChannel(channel.id);
  return channel;
}

export async function findUserByUsername(username: string): Promise<UserProfile> {
  const existing = Object.values(store.get().users).find((u) => u.username === username);
  if (existing) return existing;
  const user = await client.getUserByUsername(username);
  receiveUsers([user]);
  return user;
}

export async function findChannelByName(teamName: string, channelName: string): Promise<Channel> {
  const s = store.get();
  const team = Object.values(s.teams).find((t) => t.name === teamName);
  const known = Object.values(s.channels).find((c) => c.name === channelName && c.team_id === team?.id);
  if (known) return known;
  const channel = await client.getChannelByNameAndTeamName(teamName, channelName);
  await refreshChannel(channel.id);
  return channel;
}

export function setActive(teamId: string, channelId: string): void {
  const s = store.get();
  if (s.activeTeamId === teamId && s.activeChannelId === channelId) return;
  store.set(() => ({ activeTeamId: teamId, activeChannelId: channelId }));
  localStorage.setItem('parley.lastChannel', JSON.stringify({ teamId, channelId }));
}

let viewTimer: ReturnType<typeof setTimeout> | undefined;

/** Marks the channel read on the server and locally. */
export async function viewChannel(channelId: string): Promise<void> {
  markReadLocally(channelId);
  try {
    await client.viewMyChannel(channelId);
  } catch {
    // The next view retries.
  }
}

/** viewChannel, at most once per short interval while posts stream in. */
export function viewChannelSoon(channelId: string): void {
  markReadLocally(channelId);
  if (viewTimer) clearTimeout(viewTimer);
  viewTimer = setTimeout(() => void viewChannel(channelId), 300);
}

export function markReadLocally(channelId: string, at = Date.now()): void {
  store.set((s) => {
    const m = s.myMembers[channelId];
    const c = s.channels[channelId];
    if (!m || !c) return {};
    return {
      myMembers: put(s.myMembers, channelId, {
        ...m,
        msg_count: c.total_msg_count ?? m.msg_count,
        msg_count_root: c.total_msg_count_root ?? m.msg_count_root,
        mention_count: 0,
        mention_count_root: 0,
        last_viewed_at: Math.max(m.last_viewed_at, at),
      }),
    };
  });
}

/** Remembers where the "new messages" line goes before the channel is marked read. */
export function rememberLastViewed(channelId: string): void {
  const m = store.get().myMembers[channelId];
  if (!m) return;
  store.set((s) => ({ lastViewedAtOpen: put(s.lastViewedAtOpen, channelId, m.last_viewed_at) }));
}

// ------------------------------------------------------------------------------------------ posts

function isRoot(p: Post): boolean {
  return !p.root_id;
}

/** Folds a post list into the store: posts by id, roots into the channel window, replies into threads. */
function receivePostList(list: PostList, opts: { channelId?: string; older?: boolean; thread?: string }) {
  const incoming = Object.values(list.posts ?? {});
  const authors = new Set<string>();
  store.set((s) => {
    const posts = { ...s.posts };
    const threads = { ...s.threads };
    for (const p of incoming) {
      posts[p.id] = p;
      authors.add(p.user_id);
      if (p.root_id) {
        const replies = threads[p.root_id] ?? [];
        if (!replies.includes(p.id)) threads[p.root_id] = insertSorted(replies, p, posts);
      }
    }
    const patch: Partial<typeof s> = { posts, threads };
    if (opts.channelId) {
      const win = s.channelPosts[opts.channelId] ?? emptyWindow();
      const have = new Set(win.order);
      const fresh = incoming.filter((p) => isRoot(p) && !have.has(p.id));
      const order = mergeSorted(win.order, fresh, posts);
      const fullPage = (list.order ?? []).length >= PAGE_SIZE;
      const hasOlder = opts.older || !win.loaded ? fullPage : win.hasOlder;
      let oldest = win.oldestId ? posts[win.oldestId] : undefined;
      for (const p of incoming) if (!oldest || p.create_at < oldest.create_at) oldest = p;
      patch.channelPosts = put(s.channelPosts, opts.channelId, {
        order,
        hasOlder,
        loadingOlder: false,
        loaded: true,
        oldestId: oldest?.id ?? '',
      });
    }
    return patch;
  });
  void ensureUsers(authors);
}

/**
 * The ids and the new posts in one list by create_at, in one pass (an older page lands before ten
 * thousand held ids: inserting its posts one by one walked the whole list for each). Posts of equal
 * time keep the held ones first, as insertSorted does.
 */
export function mergeSorted(
  ids: readonly string[],
  fresh: readonly Post[],
  posts: Record<string, Post>,
): string[] {
  if (fresh.length === 0) return ids as string[];
  const sorted = [...fresh].sort((a, b) => a.create_at - b.create_at);
  const out: string[] = [];
  let i = 0;
  for (const p of sorted) {
    while (i < ids.length && (posts[ids[i]!]?.create_at ?? 0) <= p.create_at) out.push(ids[i++]!);
    out.push(p.id);
  }
  while (i < ids.length) out.push(ids[i++]!);
  return out;
}

function insertSorted(ids: readonly string[], p: Post, posts: Record<string, Post>): string[] {
  const out = [...ids];
  let i = out.length;
  while (i > 0 && (posts[out[i - 1]!]?.create_at ?? 0) > p.create_at) i--;
  out.splice(i, 0, p.id);
  return out;
}

export async function loadChannelPosts(channelId: string): Promise<void> {
  const list = await client.getPosts(channelId, 0, PAGE_SIZE);
  const s = store.get();
  const win = s.channelPosts[channelId];
  // After an outage longer than a page, the fresh page does not reach what we hold: start over from
  // it rather than show a window with a hole in the middle.
  const newestHeld = win?.order.filter((id) => !s.posts[id]?.pendingState).at(-1);
  const fetched = list.order ?? [];
  if (win && newestHeld && fetched.length >= PAGE_SIZE && !(newestHeld in (list.posts ?? {}))) {
    const oldestFetched = Math.min(...Object.values(list.posts).map((p) => p.create_at));
    if ((s.posts[newestHeld]?.create_at ?? 0) < oldestFetched) {
      store.set((st) => ({ channelPosts: put(st.channelPosts, channelId, emptyWindow()) }));
    }
  }
  receivePostList(list, { channelId });
}

export async function loadOlderPosts(channelId: string): Promise<void> {
  const s = store.get();
  const win = s.channelPosts[channelId];
  if (!win || !win.hasOlder || win.loadingOlder) return;
  store.set((st) => ({ channelPosts: put(st.channelPosts, channelId, { ...win, loadingOlder: true }) }));
  // Page back from the oldest post of any kind fetched so far, so long threads do not stall paging.
  try {
    const list = win.oldestId
      ? await client.getPostsBefore(channelId, win.oldestId, 0, PAGE_SIZE)
      : await client.getPosts(channelId, 0, PAGE_SIZE);
    receivePostList(list, { channelId, older: true });
  } catch {
    store.set((st) => ({
      channelPosts: put(st.channelPosts, channelId, {
        ...(st.channelPosts[channelId] ?? win),
        loadingOlder: false,
      }),
    }));
  }
}

export async function loadThread(rootId: string): Promise<void> {
  const list = await client.getPostThread(rootId, true);
  receivePostList(list, { thread: rootId });
}

export async function loadPost(postId: string): Promise<Post> {
  const p = store.get().posts[postId];
  if (p) return p;
  const post = await client.getPost(postId);
  receivePostList({ order: [post.id], posts: { [post.id]: post } } as unknown as PostList, {});
  return post;
}

/**
 * Adds or replaces one post (from the socket or an answer). A post carrying the pending_post_id of a
 * locally shown pending post takes its place. Answers whether the post was new to the store.
 */
export function receivePost(post: Post): boolean {
  let isNew = false;
  store.set((s) => {
    const posts = { ...s.posts };
    const pendingId = post.pending_post_id && post.pending_post_id !== post.id ? post.pending_post_id : '';
    const hadPending = pendingId !== '' && posts[pendingId] !== undefined;
    isNew = !posts[post.id] && !hadPending;
    // A reply new to the server's count: also the user's own, whose pending copy the root never counted.
    const newReply = !!post.root_id && !posts[post.id];
    if (hadPending) delete posts[pendingId];
    const previous = posts[post.id];
    // Keep reactions gathered from events when an update arrives without them.
    posts[post.id] =
      previous && !post.metadata?.reactions && previous.metadata?.reactions
        ? { ...post, metadata: { ...post.metadata, reactions: previous.metadata.reactions } }
        : post;
    const swap = (ids: readonly string[]) => {
      const filtered = hadPending ? ids.filter((id) => id !== pendingId) : [...ids];
      return filtered.includes(post.id) ? filtered : insertSorted(filtered, post, posts);
    };
    const patch: Partial<typeof s> = { posts };
    if (post.root_id) {
      patch.threads = put(s.threads, post.root_id, swap(s.threads[post.root_id] ?? []));
      const root = posts[post.root_id];
      if (root && newReply) posts[post.root_id] = { ...root, reply_count: (root.reply_count ?? 0) + 1 };
    } else {
      const win = s.channelPosts[post.channel_id];
      if (win) patch.channelPosts = put(s.channelPosts, post.channel_id, { ...win, order: swap(win.order) });
    }
    return patch;
  });
  void ensureUsers([post.user_id]);
  return isNew;
}

export function markPostDeleted(post: Post): void {
  store.set((s) => {
    const posts = { ...s.posts };
    posts[post.id] = {
      ...(posts[post.id] ?? post),
      ...post,
      delete_at: post.delete_at || Date.now(),
      message: '',
    };
    const patch: Partial<typeof s> = { posts };
    if (post.root_id) {
      const root = posts[post.root_id];
      // A reply that never reached the server (discarded after failing) was never counted.
      const counted = !s.posts[post.id]?.pendingState;
      if (root && counted) {
        posts[post.root_id] = { ...root, reply_count: Math.max(0, (root.reply_count ?? 1) - 1) };
      }
      patch.threads = put(
        s.threads,
        post.root_id,
        (s.threads[post.root_id] ?? []).filter((id) => id !== post.id),
      );
    } else {
      const win = s.channelPosts[post.channel_id];
      if (win) {
        patch.channelPosts = put(s.channelPosts, post.channel_id, {
          ...win,
          order: win.order.filter((id) => id !== post.id),
        });
      }
    }
    return patch;
  });
}

let pendingSeq = 0;

/** Shows the post at once, marked pending, then sends it; a failure leaves it marked for retry. */
export async function sendPost(
  channelId: string,
  message: string,
  rootId = '',
  files: readonly FileInfo[] = [],
): Promise<void> {
  const me = store.get().me;
  if (!me) return;
  const now = Date.now();
  const pendingId = `${me.id}:${now}:${++pendingSeq}`;
  const pending: ClientPost = {
    id: pendingId,
    pending_post_id: pendingId,
    create_at: now,
    update_at: now,
    edit_at: 0,
    delete_at: 0,
    is_pinned: false,
    user_id: me.id,
    channel_id: channelId,
    root_id: rootId,
    original_id: '',
    message,
    type: '',
    props: {},
    hashtags: '',
    reply_count: 0,
    metadata: { embeds: [], emojis: [], files: [...files], images: {} },
    ...(files.length > 0 ? { file_ids: files.map((f) => f.id) } : {}),
    pendingState: 'sending',
  };
  store.set((s) => {
    const posts = put<ClientPost>(s.posts, pendingId, pending);
    if (rootId) return { posts, threads: put(s.threads, rootId, [...(s.threads[rootId] ?? []), pendingId]) };
    const win = s.channelPosts[channelId] ?? { ...emptyWindow(), loaded: false };
    return {
      posts,
      channelPosts: put(s.channelPosts, channelId, { ...win, order: [...win.order, pendingId] }),
    };
  });
  await deliver(pending);
}

export async function retryPost(pendingId: string): Promise<void> {
  const p = store.get().posts[pendingId];
  if (!p || p.pendingState !== 'failed') return;
  store.set((s) => ({ posts: put<ClientPost>(s.posts, pendingId, { ...p, pendingState: 'sending' }) }));
  await deliver(p);
}

export function discardPost(pendingId: string): void {
  const p = store.get().posts[pendingId];
  if (!p) return;
  markPostDeleted(p);
  store.set((s) => ({ posts: without(s.posts, pendingId) }));
}

async function deliver(p: ClientPost): Promise<void> {
  try {
    const created = await client.createPost({
      channel_id: p.channel_id,
      message: p.message,
      root_id: p.root_id,
      pending_post_id: p.pending_post_id,
      ...(p.file_ids?.length ? { file_ids: p.file_ids } : {}),
    });
    if (receivePost(created)) countOwnPost(created);
  } catch {
    store.set((s) =>
      s.posts[p.id] ? { posts: put<ClientPost>(s.posts, p.id, { ...p, pendingState: 'failed' }) } : {},
    );
  }
}

/** The user's own new post: the channel grows and stays read for them. */
export function countOwnPost(post: Post): void {
  store.set((s) => {
    const c = s.channels[post.channel_id];
    const m = s.myMembers[post.channel_id];
    if (!c) return {};
    const total = (c.total_msg_count ?? 0) + 1;
    const totalRoot = (c.total_msg_count_root ?? 0) + (post.root_id ? 0 : 1);
    const channel = {
      ...c,
      total_msg_count: total,
      total_msg_count_root: totalRoot,
      last_post_at: post.create_at,
    };
    return {
      channels: put(s.channels, c.id, channel),
      myMembers: m
        ? put(s.myMembers, c.id, {
            ...m,
            msg_count: total,
            msg_count_root: totalRoot,
            last_viewed_at: post.create_at,
          })
        : s.myMembers,
    };
  });
}

export async function editPost(postId: string, message: string): Promise<void> {
  const post = await client.patchPost({ id: postId, message });
  receivePost(post);
}

export async function deletePost(postId: string): Promise<void> {
  const p = store.get().posts[postId];
  await client.deletePost(postId);
  if (p) markPostDeleted(p);
}

export async function toggleReaction(postId: string, emoji: string): Promise<void> {
  const s = store.get();
  const me = s.me;
  if (!me) return;
  const mine = s.posts[postId]?.metadata?.reactions?.some(
    (r) => r.user_id === me.id && r.emoji_name === emoji,
  );
  if (mine) {
    await client.removeReaction(me.id, postId, emoji);
    applyReaction({ user_id: me.id, post_id: postId, emoji_name: emoji, create_at: 0 }, false);
  } else {
    const r = await client.addReaction(me.id, postId, emoji);
    applyReaction(r, true);
  }
}

export function applyReaction(
  r: { user_id: string; post_id: string; emoji_name: string; create_at: number },
  added: boolean,
): void {
  store.set((s) => {
    const p = s.posts[r.post_id];
    if (!p) return {};
    const list = (p.metadata?.reactions ?? []).filter(
      (x) => !(x.user_id === r.user_id && x.emoji_name === r.emoji_name),
    );
    if (added) list.push(r);
    return { posts: put(s.posts, p.id, { ...p, metadata: { ...p.metadata, reactions: list } }) };
  });
  void ensureUsers([r.user_id]);
}

export async function setPinned(postId: string, pinned: boolean): Promise<void> {
  if (pinned) await client.pinPost(postId);
  else await client.unpinPost(postId);
  store.set((s) => {
    const p = s.posts[postId];
    return p ? { posts: put(s.posts, postId, { ...p, is_pinned: pinned }) } : {};
  });
}

export async function loadPinned(channelId: string): Promise<void> {
  const list = await client.getPinnedPosts(channelId);
  receivePostList(list, {});
  const ids = [...(list.order ?? [])];
  store.set((s) => ({ pinned: put(s.pinned, channelId, ids) }));
}

export const SAVED_CATEGORY = 'flagged_post';

export function isSaved(postId: string): boolean {
  return store
    .get()
    .preferences.some((p) => p.category === SAVED_CATEGORY && p.name === postId && p.value === 'true');
}

export async function setSaved(postId: string, saved: boolean): Promise<void> {
  const me = store.get().me;
  if (!me) return;
  const pref: PreferenceType = { user_id: me.id, category: SAVED_CATEGORY, name: postId, value: 'true' };
  if (saved) await client.savePreferences(me.id, [pref]);
  else await client.deletePreferences(me.id, [pref]);
  applyPreferences([pref], saved);
}

export function applyPreferences(prefs: readonly PreferenceType[], saved: boolean): void {
  store.set((s) => {
    const key = (p: PreferenceType) => `${p.category}\u0000${p.name}`;
    const drop = new Set(prefs.map(key));
    const kept = s.preferences.filter((p) => !drop.has(key(p)));
    return { preferences: saved ? [...kept, ...prefs] : kept };
  });
}

export async function loadSaved(): Promise<string[]> {
  const me = store.get().me;
  if (!me) return [];
  const list = await client.getFlaggedPosts(me.id, '', '', 0, 100);
  receivePostList(list, {});
  return [...(list.order ?? [])];
}

// ------------------------------------------------------------------------------------------ drafts

const DRAFTS_KEY = 'parley.drafts';

export function loadDrafts(): void {
  try {
    const raw = localStorage.getItem(DRAFTS_KEY);
    const drafts = raw ? (JSON.parse(raw) as unknown) : {};
    if (drafts && typeof drafts === 'object') store.set(() => ({ drafts: drafts as Record<string, string> }));
  } catch {
    // A corrupt draft store starts empty.
  }
}

export function setDraft(key: string, text: string): void {
  store.set((s) => ({ drafts: text ? put(s.drafts, key, text) : without(s.drafts, key) }));
  try {
    localStorage.setItem(DRAFTS_KEY, JSON.stringify(store.get().drafts));
  } catch {
    // Storage full or unavailable: the draft lives until reload.
  }
}

// -------------------------------------------------------------------------------------- resync

/**
 * After a new socket connection (server restart, long outage) the stream cannot be replayed: refetch
 * what the screen shows. Post windows are dropped except the active channel's, which is re-read and
 * merged so the scroll position survives.
 */
export async function resync(): Promise<void> {
  const s = store.get();
  if (!s.me) return;
  store.set((st) => {
    const keep = st.channelPosts[st.activeChannelId];
    return { channelPosts: keep ? { [st.activeChannelId]: keep } : {} };
  });
  await loadTeamsAndChannels();
  const active = store.get().activeChannelId;
  if (active) await loadChannelPosts(active);
  const openThreads = Object.keys(store.get().threads).filter(
    (rootId) => store.get().posts[rootId]?.channel_id === active,
  );
  await Promise.all(openThreads.map((id) => loadThread(id).catch(() => undefined)));
  await refreshStatuses();
}
