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
import type { ServerEvent } from '../../src/realtime/events.js';
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

/** Every event the services publish from now on, as they reach the bus (after commit). */
export interface EventLog {
  readonly all: ServerEvent[];
  named(event: string): ServerEvent[];
  clear(): void;
  stop(): void;
}

export function recordEvents(server: TestServer): EventLog {
  const all: ServerEvent[] = [];
  const stop = server.built.bus.subscribe((msg) => {
    if (msg.type === 'event') all.push(msg.event);
  });
  return {
    all,
    named: (event) => all.filter((e) => e.event === event),
    clear: () => void all.splice(0),
    stop,
  };
}

/** Who an event reaches, as a comparable value: ['users', ids sorted] or [kind, id]. */
export function audienceOf(e: ServerEvent): [string, ...string[]] {
  const a = e.audience;
  if (a.kind === 'users') return ['users', ...[...a.userIds].sort()];
  if (a.kind === 'channel') return ['channel', a.channelId];
  if (a.kind === 'team') return ['team', a.teamId];
  return ['all'];
}

/** A raw request with a persona's token, for bodies Client4 would never send. */
export async function rawApi(
  server: TestServer,
  who: Persona | undefined,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const headers: Record<string, string> = {};
  if (who) headers.Authorization = `Bearer ${who.token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(`${server.url}/api/v4${path}`, {
    method,
    headers,
    ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(text) as Record<string, unknown>;
  } catch {
    parsed = { text };
  }
  return { status: res.status, body: parsed };
}

/** An id of the right shape that names nothing. */
export const UNKNOWN_ID = 'x'.repeat(26);
