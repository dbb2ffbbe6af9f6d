import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getTestServer, type TestServer } from '../helpers/server.js';
import { createFixture, type Fixture } from '../helpers/fixtures.js';

let server: TestServer;
let f: Fixture;

beforeAll(async () => {
  server = await getTestServer();
  f = await createFixture(server);
});
afterAll(() => server.close());

describe('fixture', () => {
  it('builds a team with channels of every type', async () => {
    expect(f.townSquare.name).toBe('town-square');
    expect(f.privateChannel.type).toBe('P');
    expect(f.direct.type).toBe('D');
    expect(f.direct.name).toBe([f.alice.user.id, f.bob.user.id].sort().join('__'));
    expect(f.group.type).toBe('G');
    const mine = await f.bob.client.getMyChannels(f.team.id);
    expect(mine.map((c) => c.id).sort()).toEqual(
      [
        f.townSquare.id,
        f.offTopic.id,
        f.publicChannel.id,
        f.privateChannel.id,
        f.direct.id,
        f.group.id,
      ].sort(),
    );
  });
});
