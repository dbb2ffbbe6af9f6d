/**
 * Every event reaches exactly its audience: the sockets of the people it concerns, and none of the
 * outsider's (mallory is on the team but in none of alice and bob's private, direct or group channels).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Channel } from '@mattermost/types/channels';
import type { Post } from '@mattermost/types/posts';
import type { UserProfile } from '@mattermost/types/users';
import { getTestServer, PASSWORD, type TestServer } from '../helpers/server.js';
import { createFixture, type Fixture } from '../helpers/fixtures.js';
import { connect, silenceClientLogs, sync, type Msg, type TestSocket } from '../helpers/ws.js';

let server: TestServer;
let f: Fixture;
let alice: TestSocket;
let alice2: TestSocket;
let bob: TestSocket;
let carol: TestSocket;
let mallory: TestSocket;
let everyone: TestSocket[];

beforeAll(async () => {
  silenceClientLogs();
  server = await getTestServer();
  f = await createFixture(server);
  alice = await connect(server, f.alice);
  alice2 = await connect(server, f.alice, { auth: 'header' });
  bob = await connect(server, f.bob);
  carol = await connect(server, f.carol);
  mallory = await connect(server, f.mallory);
  everyone = [alice, alice2, bob, carol, mallory];
});
afterAll(async () => {
  for (const s of everyone) s.close();
  await server.close();
});

/** Runs fn, waits for the barrier, and returns what each socket received meanwhile (matching pred). */
async function during(fn: () => Promise<unknown>, pred: (m: Msg) => boolean) {
  const from = everyone.map((s) => s.events.length);
  await fn();
  await sync(server, ...everyone);
  return everyone.map((s, i) => s.events.slice(from[i]).filter(pred));
}

const named = (event: string) => (m: Msg) => m.event === event;
const inChannel = (channelId: string) => (m: Msg) =>
  m.broadcast.channel_id === channelId || m.data.channel_id === channelId;
const counts = (got: Msg[][]) => got.map((g) => g.length);

describe('users and preferences', () => {
  it('preferences_changed and preferences_deleted reach every socket of that user only', async () => {
    const pref = { user_id: f.alice.user.id, category: 'audience', name: 'x', value: '1' };
    const saved = await during(
      () => f.alice.client.savePreferences(f.alice.user.id, [pref]),
      named('preferences_changed'),
    );
    expect(counts(saved)).toEqual([1, 1, 0, 0, 0]);
    expect(JSON.parse(saved[0]![0]!.data.preferences as string)).toEqual([pref]);
    expect(saved[0]![0]!.broadcast.user_id).toBe(f.alice.user.id);
    const deleted = await during(
      () => f.alice.client.deletePreferences(f.alice.user.id, [pref]),
      named('preferences_deleted'),
    );
    expect(counts(deleted)).toEqual([1, 1, 0, 0, 0]);
  });

  it('user_updated reaches everyone, without the e-mail address', async () => {
    const got = await during(() => f.bob.client.patchMe({ nickname: 'bobby' }), named('user_updated'));
    expect(counts(got)).toEqual([1, 1, 1, 1, 1]);
    const user = got[4]![0]!.data.user as Record<string, unknown>;
    expect(user.id).toBe(f.bob.user.id);
    expect(JSON.stringify(got[4]![0]!.data)).not.toContain('@example.com');
  });

  it('new_user reaches everyone', async () => {
    let id = '';
    const got = await during(async () => {
      const u = await f.admin.client.createUser(
        { username: 'newbie', email: 'newbie@example.com', password: PASSWORD } as UserProfile,
        '',
        '',
      );
      id = u.id;
    }, named('new_user'));
    expect(counts(got)).toEqual([1, 1, 1, 1, 1]);
    expect(got[0]![0]!.data.user_id).toBe(id);
  });
});

describe('channels and posts', () => {
  it('a post in a private channel reaches its members and not the outsider', async () => {
    let post: Post | undefined;
    const got = await during(async () => {
      post = await f.alice.client.createPost({
        channel_id: f.privateChannel.id,
        message: 'secret plans',
      } as Post);
    }, named('posted'));
    expect(counts(got)).toEqual([1, 1, 1, 0, 0]);
    const ev = got[2]![0]!;
    expect(JSON.parse(ev.data.post as string)).toMatchObject({ id: post!.id, message: 'secret plans' });
    expect(ev.data.channel_type).toBe('P');
    expect(ev.broadcast.channel_id).toBe(f.privateChannel.id);
    expect(JSON.stringify(mallory.events)).not.toContain('secret plans');
  });

  it('edits, reactions and deletions in a private channel reach its members only', async () => {
    const post = await f.alice.client.createPost({
      channel_id: f.privateChannel.id,
      message: 'draft',
    } as Post);
    const channelEvents = (m: Msg) =>
      ['post_edited', 'reaction_added', 'reaction_removed', 'post_deleted'].includes(m.event);
    const got = await during(async () => {
      await f.alice.client.patchPost({ id: post.id, message: 'final' } as Post);
      await f.bob.client.addReaction(f.bob.user.id, post.id, 'smile');
      await f.bob.client.removeReaction(f.bob.user.id, post.id, 'smile');
      await f.alice.client.deletePost(post.id);
    }, channelEvents);
    const expected = ['post_edited', 'reaction_added', 'reaction_removed', 'post_deleted'];
    expect(got.map((g) => g.map((m) => m.event))).toEqual([expected, expected, expected, [], []]);
    expect(JSON.parse(got[2]![0]!.data.post as string).message).toBe('final');
    expect(JSON.parse(got[2]![1]!.data.reaction as string)).toMatchObject({
      post_id: post.id,
      emoji_name: 'smile',
      user_id: f.bob.user.id,
    });
  });

  it('a post in a public channel reaches its members, not team members outside it', async () => {
    const got = await during(
      () => f.bob.client.createPost({ channel_id: f.publicChannel.id, message: 'hello public' } as Post),
      named('posted'),
    );
    expect(counts(got)).toEqual([1, 1, 1, 0, 0]);
  });

  it('direct and group messages reach their members only', async () => {
    const dm = await during(
      () => f.alice.client.createPost({ channel_id: f.direct.id, message: 'just us' } as Post),
      named('posted'),
    );
    expect(counts(dm)).toEqual([1, 1, 1, 0, 0]);
    const gm = await during(
      () => f.carol.client.createPost({ channel_id: f.group.id, message: 'three of us' } as Post),
      named('posted'),
    );
    expect(counts(gm)).toEqual([1, 1, 1, 1, 0]);
  });

  it('a post in town square reaches the whole team, mallory included', async () => {
    const got = await during(
      () => f.alice.client.createPost({ channel_id: f.townSquare.id, message: 'all hands' } as Post),
      named('posted'),
    );
    expect(counts(got)).toEqual([1, 1, 1, 1, 1]);
  });

  it('channel_updated for a private channel reaches its members only', async () => {
    const got = await during(
      () => f.alice.client.patchChannel(f.privateChannel.id, { header: 'new header' }),
      named('channel_updated'),
    );
    expect(counts(got)).toEqual([1, 1, 1, 0, 0]);
    expect(JSON.parse(got[0]![0]!.data.channel as string).header).toBe('new header');
  });

  it('a member added to a private channel hears it from then on, and nothing once removed', async () => {
    const priv = f.privateChannel.id;
    const added = await during(() => f.alice.client.addToChannel(f.mallory.user.id, priv), inChannel(priv));
    expect(added[4]!.map((m) => m.event)).toContain('user_added');

    const whileMember = await during(
      () => f.bob.client.createPost({ channel_id: priv, message: 'welcome mallory' } as Post),
      named('posted'),
    );
    expect(counts(whileMember)).toEqual([1, 1, 1, 0, 1]);

    // Removed, and the very next post: nothing more from the channel reaches her socket.
    const removed = await during(async () => {
      await f.alice.client.removeFromChannel(f.mallory.user.id, priv);
      await f.bob.client.createPost({ channel_id: priv, message: 'after mallory left' } as Post);
      await f.alice.client.patchChannel(priv, { purpose: 'after mallory left' });
      await bob.request('user_typing', { channel_id: priv, parent_id: '' });
    }, inChannel(priv));
    const toMallory = removed[4]!;
    expect(toMallory.map((m) => m.event)).toEqual(['user_removed']);
    expect(toMallory[0]!.data).toMatchObject({ channel_id: priv, remover_id: f.alice.user.id });
    expect(removed[2]!.map((m) => m.event)).toEqual(['user_removed', 'posted', 'channel_updated']);
    expect(removed[0]!.map((m) => m.event)).toEqual(['user_removed', 'posted', 'channel_updated', 'typing']);
    expect(JSON.stringify(mallory.events.slice(-20))).not.toContain('after mallory left');
  });
});

describe('more channel events', () => {
  let n = 0;
  const newChannel = async (type: 'O' | 'P') => {
    n++;
    const ch = await f.alice.client.createChannel({
      team_id: f.team.id,
      name: `more-${type.toLowerCase()}-${n}`,
      display_name: `More ${n}`,
      type,
    } as Channel);
    await f.alice.client.addToChannel(f.bob.user.id, ch.id);
    return ch;
  };

  it('channel_created reaches the creator only', async () => {
    const got = await during(() => newChannel('P'), named('channel_created'));
    expect(counts(got)).toEqual([1, 1, 0, 0, 0]);
  });

  it('direct_added and group_added reach their members only', async () => {
    const dm = await during(
      () => f.carol.client.createDirectChannel([f.carol.user.id, f.mallory.user.id]),
      named('direct_added'),
    );
    expect(counts(dm)).toEqual([0, 0, 0, 1, 1]);
    const gm = await during(
      () => f.mallory.client.createGroupChannel([f.mallory.user.id, f.bob.user.id, f.carol.user.id]),
      named('group_added'),
    );
    expect(counts(gm)).toEqual([0, 0, 1, 1, 1]);
  });

  it('multiple_channels_viewed and channel_member_updated reach the member only', async () => {
    const viewed = await during(
      () => f.bob.client.viewMyChannel(f.publicChannel.id),
      named('multiple_channels_viewed'),
    );
    expect(counts(viewed)).toEqual([0, 0, 1, 0, 0]);
    const updated = await during(
      () =>
        f.alice.client.updateChannelNotifyProps({
          channel_id: f.privateChannel.id,
          user_id: f.alice.user.id,
          desktop: 'all',
        }),
      named('channel_member_updated'),
    );
    expect(counts(updated)).toEqual([1, 1, 0, 0, 0]);
  });

  it('archiving and restoring a private channel reach its members; a public one, the team', async () => {
    const priv = await newChannel('P');
    const archived = await during(() => f.alice.client.deleteChannel(priv.id), named('channel_deleted'));
    expect(counts(archived)).toEqual([1, 1, 1, 0, 0]);
    expect(archived[0]![0]!.data.channel_id).toBe(priv.id);
    const restored = await during(() => f.alice.client.unarchiveChannel(priv.id), named('channel_restored'));
    expect(counts(restored)).toEqual([1, 1, 1, 0, 0]);

    const pub = await newChannel('O');
    const archivedPublic = await during(() => f.alice.client.deleteChannel(pub.id), named('channel_deleted'));
    expect(counts(archivedPublic)).toEqual([1, 1, 1, 1, 1]);
  });

  it('channel_converted reaches the team', async () => {
    const pub = await newChannel('O');
    const got = await during(
      () => f.alice.client.updateChannelPrivacy(pub.id, 'P'),
      named('channel_converted'),
    );
    expect(counts(got)).toEqual([1, 1, 1, 1, 1]);
    expect(got[4]![0]!.data.channel_id).toBe(pub.id);
  });
});

// Last: carol leaves the team here.
describe('teams', () => {
  it('team events reach the team’s members only, and a member who leaves stops hearing them', async () => {
    const zedPersona = await server.persona('zed');
    const zed = await connect(server, zedPersona);
    try {
      const teamOnly = (m: Msg) => ['update_team', 'leave_team'].includes(m.event);
      const fromZed = zed.events.length;
      const patched = await during(
        () => f.alice.client.patchTeam({ id: f.team.id, display_name: 'Renamed team' }),
        named('update_team'),
      );
      expect(counts(patched)).toEqual([1, 1, 1, 1, 1]);
      expect(JSON.parse(patched[4]![0]!.data.team as string).display_name).toBe('Renamed team');

      const left = await during(() => f.alice.client.removeFromTeam(f.team.id, f.carol.user.id), teamOnly);
      expect(counts(left)).toEqual([1, 1, 1, 1, 1]);
      const after = await during(
        () => f.alice.client.patchTeam({ id: f.team.id, description: 'after carol' }),
        named('update_team'),
      );
      expect(counts(after)).toEqual([1, 1, 1, 0, 1]);

      await sync(server, zed);
      expect(zed.events.slice(fromZed).filter(teamOnly)).toEqual([]);
    } finally {
      zed.close();
    }
  });
});
