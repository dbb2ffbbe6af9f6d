/**
 * Who may hear what (security.md 4–5). Every kind of event that can happen in private channel C is
 * triggered while Mallory (outside C) and Carol (a member, removed half-way with her socket open) are
 * connected; Bob (a member) is the control. Nothing that names C, its posts or a word posted only in
 * C may reach Mallory's socket at any point, nor Carol's after her own removal.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Post } from '@mattermost/types/posts';
import { getTestServer, type Persona, type TestServer } from '../helpers/server.js';
import { createFixture, type Fixture } from '../helpers/fixtures.js';
import { connect, silenceClientLogs, sync, type TestSocket } from '../helpers/ws.js';

let server: TestServer;
let f: Fixture;
let dan: Persona;
let aliceWs: TestSocket;
let bob: TestSocket;
let carol: TestSocket;
let mallory: TestSocket;
const SECRET = `quokka${Date.now().toString(36)}`;

beforeAll(async () => {
  silenceClientLogs();
  server = await getTestServer();
  f = await createFixture(server);
  dan = await server.persona('dan');
  await f.alice.client.addToTeam(f.team.id, dan.user.id);
  await f.alice.client.addToChannel(f.carol.user.id, f.privateChannel.id);
  aliceWs = await connect(server, f.alice);
  bob = await connect(server, f.bob);
  carol = await connect(server, f.carol);
  mallory = await connect(server, f.mallory);
  // Presence is coalesced (up to a second late): let the four connects' status changes arrive first.
  for (const p of [f.alice, f.bob, f.carol, f.mallory]) {
    await carol.waitFor((m) => m.event === 'status_change' && m.data.user_id === p.user.id);
  }
});
afterAll(async () => {
  for (const s of [aliceWs, bob, carol, mallory]) s.close();
  await server.close();
});

/** Everything that can happen in channel C, by its members; returns the ids it produced. */
async function everything(c: string, round: string): Promise<string[]> {
  const { alice } = f;
  const root = await alice.client.createPost({ channel_id: c, message: `${SECRET} ${round} root` } as Post);
  const reply = await f.bob.client.createPost({
    channel_id: c,
    root_id: root.id,
    message: `${SECRET} ${round} reply`,
  } as Post);
  await alice.client.patchPost({ id: root.id, message: `${SECRET} ${round} edited` } as Post);
  await f.bob.client.addReaction(f.bob.user.id, root.id, 'smile');
  await f.bob.client.removeReaction(f.bob.user.id, root.id, 'smile');
  await alice.client.pinPost(root.id);
  await alice.client.unpinPost(root.id);
  await aliceWs.request('user_typing', { channel_id: c, parent_id: '' });
  await aliceWs.request('user_typing', { channel_id: c, parent_id: root.id });
  await alice.client.patchChannel(c, { header: `${SECRET} ${round} header` });
  await f.bob.client.updateChannelNotifyProps({
    channel_id: c,
    user_id: f.bob.user.id,
    desktop: 'all',
  } as never);
  await alice.client.updateChannelMemberSchemeRoles(c, f.bob.user.id, true, true);
  await alice.client.updateChannelMemberSchemeRoles(c, f.bob.user.id, true, false);
  await alice.client.addToChannel(dan.user.id, c);
  await f.bob.client.viewMyChannel(c);
  await alice.client.removeFromChannel(dan.user.id, c);
  await f.bob.client.deletePost(reply.id);
  await alice.client.deleteChannel(c);
  await alice.client.unarchiveChannel(c);
  return [root.id, reply.id];
}

describe('events of a private channel', () => {
  it('reach its members, never the outsider, and stop at once for a removed member', async () => {
    const c = f.privateChannel.id;
    const start = { bob: bob.events.length, carol: carol.events.length, mallory: mallory.events.length };

    const ids1 = await everything(c, 'first');
    await sync(server, bob, carol, mallory);
    const bobHeard = new Set(bob.events.slice(start.bob).map((m) => m.event));
    for (const e of [
      'posted',
      'post_edited',
      'reaction_added',
      'reaction_removed',
      'typing',
      'channel_updated',
      'channel_member_updated',
      'user_added',
      'user_removed',
      'multiple_channels_viewed',
      'post_deleted',
      'channel_deleted',
      'channel_restored',
    ])
      expect(bobHeard.has(e), e).toBe(true);
    // Carol, still a member, heard the channel's events (the control for her socket).
    expect(carol.events.slice(start.carol).some((m) => m.event === 'posted')).toBe(true);

    // Carol is removed with her socket open: she hears her removal, then nothing more.
    await f.alice.client.removeFromChannel(f.carol.user.id, c);
    await sync(server, carol);
    const carolFrom = carol.events.length;
    const ids2 = await everything(c, 'second');
    // Attempts by the outsiders to make the channel speak to them.
    await mallory.request('user_typing', { channel_id: c, parent_id: '' });
    await carol.request('user_typing', { channel_id: c, parent_id: '' });
    await sync(server, bob, carol, mallory);

    const secrets = [c, SECRET, ...ids1, ...ids2];
    const toMallory = JSON.stringify(mallory.events.slice(start.mallory));
    for (const s of secrets) expect(toMallory, s).not.toContain(s);
    const toCarol = JSON.stringify(carol.events.slice(carolFrom));
    for (const s of [SECRET, ...ids2]) expect(toCarol, s).not.toContain(s);
    expect(
      carol.events
        .slice(carolFrom)
        .map((m) => m.event)
        .filter((e) => e !== 'parley_test_marker'),
    ).toEqual([]);
    // Neither outsider's typing reached the members.
    const typists = bob.events.filter((m) => m.event === 'typing').map((m) => m.data.user_id);
    expect(typists).not.toContain(f.mallory.user.id);
    expect(typists).not.toContain(f.carol.user.id);
  });
});
