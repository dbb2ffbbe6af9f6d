/**
 * A team with channels of every type, set up through Client4 like a real client would:
 *   team      "Team <n>" (invite only), alice (team admin, creator), bob, carol and mallory as members;
 *   town-square, off-topic  (everyone on the team)
 *   publicChannel  (O) alice, bob          privateChannel (P) alice, bob
 *   direct (D) alice–bob                   group (G) alice, bob, carol
 * Mallory is on the team but in none of the private, direct or group channels: the outsider every
 * "who may see what" test needs. Pass `malloryOnTeam: false` to keep her off the team as well.
 */
import type { Channel } from '@mattermost/types/channels';
import type { Team } from '@mattermost/types/teams';
import type { Persona, TestServer } from './server.js';

export interface Fixture {
  admin: Persona;
  alice: Persona;
  bob: Persona;
  carol: Persona;
  mallory: Persona;
  team: Team;
  townSquare: Channel;
  offTopic: Channel;
  publicChannel: Channel;
  privateChannel: Channel;
  direct: Channel;
  group: Channel;
}

let counter = 0;

/** Signs up the persona, or logs in again when an earlier fixture on this server created it. */
async function personaOnce(server: TestServer, name: string): Promise<Persona> {
  const cache = personas.get(server) ?? new Map<string, Persona>();
  personas.set(server, cache);
  let p = cache.get(name);
  if (!p) {
    p = await server.persona(name);
    cache.set(name, p);
  }
  return p;
}
const personas = new WeakMap<TestServer, Map<string, Persona>>();

export async function createFixture(
  server: TestServer,
  opts: { malloryOnTeam?: boolean } = {},
): Promise<Fixture> {
  const n = ++counter;
  const admin = await personaOnce(server, 'admin');
  const alice = await personaOnce(server, 'alice');
  const bob = await personaOnce(server, 'bob');
  const carol = await personaOnce(server, 'carol');
  const mallory = await personaOnce(server, 'mallory');

  const team = await alice.client.createTeam({
    name: `team-${n}-${Date.now().toString(36)}`,
    display_name: `Team ${n}`,
    type: 'I',
  } as Team);
  for (const p of opts.malloryOnTeam === false ? [bob, carol] : [bob, carol, mallory]) {
    await alice.client.addToTeam(team.id, p.user.id);
  }
  const townSquare = await alice.client.getChannelByName(team.id, 'town-square');
  const offTopic = await alice.client.getChannelByName(team.id, 'off-topic');

  const publicChannel = await alice.client.createChannel({
    team_id: team.id,
    name: `public-${n}`,
    display_name: `Public ${n}`,
    type: 'O',
  } as Channel);
  const privateChannel = await alice.client.createChannel({
    team_id: team.id,
    name: `private-${n}`,
    display_name: `Private ${n}`,
    type: 'P',
  } as Channel);
  await alice.client.addToChannel(bob.user.id, publicChannel.id);
  await alice.client.addToChannel(bob.user.id, privateChannel.id);
  const direct = await alice.client.createDirectChannel([alice.user.id, bob.user.id]);
  const group = await alice.client.createGroupChannel([alice.user.id, bob.user.id, carol.user.id]);

  return {
    admin,
    alice,
    bob,
    carol,
    mallory,
    team,
    townSquare,
    offTopic,
    publicChannel,
    privateChannel,
    direct,
    group,
  };
}
