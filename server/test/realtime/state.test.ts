/**
 * Real-time and REST must never drift apart (Zulip's test of its event system): for each action, the
 * events alice's socket receives, applied to the state she fetched before, must give exactly the state
 * she fetches after. The state covers what events describe today: preferences, her channels and
 * their settings, the posts and reactions of a channel, people's statuses and profiles.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Post } from '@mattermost/types/posts';
import type { PreferenceType } from '@mattermost/types/preferences';
import type { UserStatus } from '@mattermost/types/users';
import { getTestServer, type TestServer } from '../helpers/server.js';
import { createFixture, type Fixture } from '../helpers/fixtures.js';
import { connect, silenceClientLogs, sync, type Msg, type TestSocket } from '../helpers/ws.js';

interface PostState {
  user_id: string;
  message: string;
  edit_at: number;
  root_id: string;
  reactions: string[];
}

interface State {
  preferences: Record<string, string>;
  channels: string[];
  channel: { display_name: string; header: string; purpose: string };
  posts: Record<string, PostState>;
  statuses: Record<string, string>;
  bob: { username: string; update_at: number };
}

let server: TestServer;
let f: Fixture;
let socket: TestSocket;
let watched: string;
let bobSocket: TestSocket | undefined;

beforeAll(async () => {
  silenceClientLogs();
  server = await getTestServer();
  f = await createFixture(server);
  watched = f.privateChannel.id;
  socket = await connect(server, f.alice);
});
afterAll(async () => {
  socket.close();
  await server.close();
});

const reactionKey = (r: { user_id: string; emoji_name: string }) => `${r.user_id}:${r.emoji_name}`;

function postState(p: Post): PostState {
  return {
    user_id: p.user_id,
    message: p.message,
    edit_at: p.edit_at,
    root_id: p.root_id,
    reactions: (p.metadata?.reactions ?? []).map(reactionKey).sort(),
  };
}

async function fetchState(): Promise<State> {
  const c = f.alice.client;
  // (The client's typing says one preference; the route answers the list.)
  const prefs = (await c.getMyPreferences()) as unknown as PreferenceType[];
  const channels = await c.getMyChannels(f.team.id);
  const channel = await c.getChannel(watched);
  const list = await c.getPosts(watched);
  const statuses = await c.getStatusesByIds([f.bob.user.id, f.carol.user.id]);
  const bob = await c.getUser(f.bob.user.id);
  const posts: Record<string, PostState> = {};
  for (const id of list.order) {
    const p = list.posts[id]!;
    if (p.delete_at === 0) posts[id] = postState(p);
  }
  return {
    preferences: Object.fromEntries(prefs.map((p) => [`${p.category}/${p.name}`, p.value])),
    channels: channels.map((ch) => ch.id).sort(),
    channel: { display_name: channel.display_name, header: channel.header, purpose: channel.purpose },
    posts,
    statuses: Object.fromEntries(statuses.map((s) => [s.user_id, s.status])),
    bob: { username: bob.username, update_at: bob.update_at },
  };
}

/** What a client does with each event, written against the wire payloads. */
function apply(state: State, events: Msg[]): State {
  const s: State = structuredClone(state);
  const me = f.alice.user.id;
  for (const m of events) {
    const d = m.data;
    switch (m.event) {
      case 'preferences_changed':
        for (const p of JSON.parse(d.preferences as string) as {
          category: string;
          name: string;
          value: string;
        }[])
          s.preferences[`${p.category}/${p.name}`] = p.value;
        break;
      case 'preferences_deleted':
        for (const p of JSON.parse(d.preferences as string) as { category: string; name: string }[])
          delete s.preferences[`${p.category}/${p.name}`];
        break;
      case 'user_added':
        if (d.user_id === me && !s.channels.includes(m.broadcast.channel_id)) {
          s.channels = [...s.channels, m.broadcast.channel_id].sort();
        }
        break;
      case 'user_removed':
        if (m.broadcast.user_id === me) s.channels = s.channels.filter((id) => id !== d.channel_id);
        break;
      case 'channel_updated': {
        const ch = JSON.parse(d.channel as string) as State['channel'] & { id: string };
        if (ch.id === watched)
          s.channel = { display_name: ch.display_name, header: ch.header, purpose: ch.purpose };
        break;
      }
      case 'posted':
      case 'post_edited': {
        const p = JSON.parse(d.post as string) as Post;
        if (p.channel_id === watched) s.posts[p.id] = postState(p);
        break;
      }
      case 'post_deleted': {
        // As Mattermost's client does: a deleted root post takes its thread with it.
        const p = JSON.parse(d.post as string) as Post;
        delete s.posts[p.id];
        for (const [id, q] of Object.entries(s.posts)) if (q.root_id === p.id) delete s.posts[id];
        break;
      }
      case 'reaction_added':
      case 'reaction_removed': {
        const r = JSON.parse(d.reaction as string) as {
          post_id: string;
          user_id: string;
          emoji_name: string;
        };
        const post = s.posts[r.post_id];
        if (!post) break;
        const key = reactionKey(r);
        post.reactions = (
          m.event === 'reaction_added' ? [...post.reactions, key] : post.reactions.filter((k) => k !== key)
        ).sort();
        break;
      }
      case 'status_change':
        if (String(d.user_id) in s.statuses) s.statuses[String(d.user_id)] = String(d.status);
        break;
      case 'user_updated': {
        const u = d.user as { id: string; username: string; update_at: number };
        if (u.id === f.bob.user.id) s.bob = { username: u.username, update_at: u.update_at };
        break;
      }
    }
  }
  return s;
}

/** Fetch, act, let the events arrive, apply them, fetch again: both states must be equal. */
async function check(act: () => Promise<unknown>): Promise<Msg[]> {
  const before = await fetchState();
  const from = socket.events.length;
  await act();
  await sync(server, socket);
  const events = socket.events.slice(from);
  expect(apply(before, events)).toEqual(await fetchState());
  return events;
}

describe('events applied to the state fetched before equal the state fetched after', () => {
  it('for posts, edits, reactions and deletions', async () => {
    let post: Post | undefined;
    const created = await check(async () => {
      post = await f.bob.client.createPost({ channel_id: watched, message: 'first' } as Post);
    });
    expect(created.map((e) => e.event)).toContain('posted');
    await check(() =>
      f.alice.client.createPost({ channel_id: watched, message: 'reply', root_id: post!.id } as Post),
    );
    await check(() => f.bob.client.addReaction(f.bob.user.id, post!.id, 'tada'));
    await check(() => f.alice.client.addReaction(f.alice.user.id, post!.id, 'tada'));
    await check(() => f.bob.client.patchPost({ id: post!.id, message: 'first, edited' } as Post));
    await check(() => f.bob.client.removeReaction(f.bob.user.id, post!.id, 'tada'));
    await check(() => f.bob.client.deletePost(post!.id));
  });

  it('for preferences', async () => {
    const pref = { user_id: f.alice.user.id, category: 'display_settings', name: 'theme', value: 'dark' };
    await check(() => f.alice.client.savePreferences(f.alice.user.id, [pref]));
    await check(() => f.alice.client.savePreferences(f.alice.user.id, [{ ...pref, value: 'light' }]));
    await check(() => f.alice.client.deletePreferences(f.alice.user.id, [pref]));
  });

  it('for channel settings and membership', async () => {
    await check(() => f.bob.client.patchChannel(watched, { header: 'Read the header', purpose: 'Plans' }));
    await check(() => f.alice.client.removeFromChannel(f.alice.user.id, f.publicChannel.id));
    await check(() => f.bob.client.addToChannel(f.alice.user.id, f.publicChannel.id));
  });

  it('for statuses and profiles', async () => {
    // Bob connects: his status changes a moment later (presence works in the background).
    await check(async () => {
      const from = socket.events.length;
      bobSocket = await connect(server, f.bob);
      await socket.waitFor((m) => m.event === 'status_change' && m.data.user_id === f.bob.user.id, from);
    });
    // Status changes are coalesced (they come up to presenceBatchMs later than other events): wait.
    const setStatus = async (status: string) => {
      const from = socket.events.length;
      await f.bob.client.updateStatus({ user_id: f.bob.user.id, status } as UserStatus);
      await socket.waitFor(
        (m) => m.event === 'status_change' && m.data.user_id === f.bob.user.id && m.data.status === status,
        from,
      );
    };
    await check(() => setStatus('dnd'));
    await check(() => f.bob.client.patchMe({ username: 'robert' }));
    await check(() => setStatus('online'));
    bobSocket?.close();
  });
});
