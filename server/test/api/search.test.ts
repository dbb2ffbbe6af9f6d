/**
 * Post search through Client4.searchPostsWithParams: `POST /teams/{id}/posts/search` and, with no team,
 * `POST /posts/search`. Words, phrases, exclusion, prefixes, from:/in:, dates, paging; edits and
 * deletions reach the index; and who may find what: only posts of channels the searcher is a member of
 * now, never a deleted post, archived channels only when asked. An outsider's search for a word that
 * exists only where she cannot read answers exactly like a search for nonsense.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Channel } from '@mattermost/types/channels';
import type { Post, PostSearchResults } from '@mattermost/types/posts';
import { expectError, getTestServer, type Persona, type TestServer } from '../helpers/server.js';
import { createFixture, rawApi, UNKNOWN_ID, type Fixture } from '../helpers/fixtures.js';
import * as searchMigration from '../../src/db/migrations/005_search.js';

let server: TestServer;
let fx: Fixture;

beforeAll(async () => {
  server = await getTestServer();
  fx = await createFixture(server);
});
afterAll(() => server.close());

type Results = PostSearchResults & { has_next?: boolean };

interface Opts {
  teamId?: string;
  is_or_search?: boolean;
  page?: number;
  per_page?: number;
  time_zone_offset?: number;
  include_deleted_channels?: boolean;
}

/** Searches as p; teamId '' searches every team (POST /posts/search). */
async function search(p: Persona, terms: string, o: Opts = {}): Promise<Results> {
  const { teamId = fx.team.id, ...params } = o;
  return (await p.client.searchPostsWithParams(teamId, {
    terms,
    is_or_search: false,
    ...params,
  })) as Results;
}

/** The messages found, in answer order. */
async function found(p: Persona, terms: string, o: Opts = {}): Promise<string[]> {
  const r = await search(p, terms, o);
  expect(Object.keys(r.posts).sort()).toEqual([...r.order].sort());
  return r.order.map((id) => r.posts[id]!.message);
}

async function post(p: Persona, channel: Channel, message: string, rootId = ''): Promise<Post> {
  return p.client.createPost({ channel_id: channel.id, message, root_id: rootId } as Post);
}

/** Unique words per test, so that tests do not find each other's posts. */
let wordCounter = 0;
const word = (stem: string) => `${stem}${(++wordCounter).toString(36)}x`;

describe('matching', () => {
  let w: { brown: string; fox: string; bears: string; quick: string };

  beforeAll(async () => {
    w = { brown: word('brown'), fox: word('fox'), bears: word('bears'), quick: word('quick') };
    await post(fx.alice, fx.publicChannel, `The ${w.quick} ${w.brown} ${w.fox}.`);
    await post(fx.bob, fx.townSquare, `${w.brown.toUpperCase()} ${w.bears} sleep`);
    await post(fx.alice, fx.offTopic, `${w.fox} ${w.brown} ${w.quick}`);
  });

  it('finds every post holding all the words, newest first, case-insensitively', async () => {
    expect(await found(fx.bob, w.brown)).toEqual([
      `${w.fox} ${w.brown} ${w.quick}`,
      `${w.brown.toUpperCase()} ${w.bears} sleep`,
      `The ${w.quick} ${w.brown} ${w.fox}.`,
    ]);
    expect(await found(fx.bob, `${w.quick} ${w.fox}`)).toEqual([
      `${w.fox} ${w.brown} ${w.quick}`,
      `The ${w.quick} ${w.brown} ${w.fox}.`,
    ]);
    expect(await found(fx.bob, `${w.fox} ${w.bears}`)).toEqual([]);
  });

  it('finds posts holding any of the words with is_or_search', async () => {
    expect(await found(fx.bob, `${w.bears} ${w.quick}`, { is_or_search: true })).toHaveLength(3);
    expect(await found(fx.bob, `${w.bears} nothinglikethis`, { is_or_search: true })).toEqual([
      `${w.brown.toUpperCase()} ${w.bears} sleep`,
    ]);
  });

  it('answers a PostSearchResults with the matched words', async () => {
    const r = await search(fx.bob, `${w.bears} ${w.brown}`);
    expect(r.order).toHaveLength(1);
    const id = r.order[0]!;
    expect(r.posts[id]).toMatchObject({ id, channel_id: fx.townSquare.id, user_id: fx.bob.user.id });
    expect(r.matches[id]!.sort()).toEqual([w.bears, w.brown.toUpperCase()].sort());
    expect(r).toMatchObject({ next_post_id: '', prev_post_id: '', has_next: false });
  });

  it('matches quoted phrases word for word, in order', async () => {
    expect(await found(fx.bob, `"${w.quick} ${w.brown}"`)).toEqual([`The ${w.quick} ${w.brown} ${w.fox}.`]);
    expect(await found(fx.bob, `"${w.quick} ${w.fox}"`)).toEqual([]);
  });

  it('leaves out posts with -excluded words and phrases', async () => {
    expect(await found(fx.bob, `${w.brown} -${w.bears}`)).toHaveLength(2);
    expect(await found(fx.bob, `${w.brown} -${w.bears} -"${w.quick} ${w.brown}"`)).toEqual([
      `${w.fox} ${w.brown} ${w.quick}`,
    ]);
  });

  it('treats a trailing * as a prefix, and only then', async () => {
    const stem = w.bears.slice(0, 5);
    expect(await found(fx.bob, `${stem}*`)).toEqual([`${w.brown.toUpperCase()} ${w.bears} sleep`]);
    expect(await found(fx.bob, stem)).toEqual([]);
    // A one-letter prefix is searched as the word.
    expect(await found(fx.bob, `${w.bears.slice(0, 1)}*`)).toEqual([]);
    expect((await search(fx.bob, `${stem}*`)).matches).toEqual(
      expect.objectContaining({ [Object.keys((await search(fx.bob, `${stem}*`)).posts)[0]!]: [w.bears] }),
    );
  });

  it('answers empty results for empty terms or punctuation alone', async () => {
    for (const terms of ['', '   ', '!!! ??', '""']) {
      const r = await search(fx.bob, terms);
      expect(r.order).toEqual([]);
      expect(r.posts).toEqual({});
    }
  });

  it('reads punctuation as a word break, like the index', async () => {
    const a = word('hy');
    const b = word('phen');
    await post(fx.alice, fx.townSquare, `see ${a}-${b}, or mail ${a}@${b}.com`);
    expect(await found(fx.bob, `${a}-${b}`)).toHaveLength(1);
    expect(await found(fx.bob, `"${a} ${b}"`)).toHaveLength(1);
    expect(await found(fx.bob, b)).toHaveLength(1);
  });
});

describe('from: and in:', () => {
  let w: string;

  beforeAll(async () => {
    w = word('filter');
    await post(fx.alice, fx.townSquare, `${w} one`);
    await post(fx.bob, fx.townSquare, `${w} two`);
    await post(fx.bob, fx.publicChannel, `${w} three`);
    await post(fx.bob, fx.direct, `${w} four`);
  });

  it('from:username keeps that author’s posts, -from: leaves them out', async () => {
    expect(await found(fx.alice, `${w} from:bob`)).toEqual([`${w} four`, `${w} three`, `${w} two`]);
    expect(await found(fx.alice, `from:alice ${w}`)).toEqual([`${w} one`]);
    expect(await found(fx.alice, `${w} -from:bob`)).toEqual([`${w} one`]);
    expect(await found(fx.alice, `${w} from:nobodyatall`)).toEqual([]);
  });

  it('in:channel-name keeps that channel, in:@user the direct channel, -in: leaves one out', async () => {
    expect(await found(fx.alice, `${w} in:town-square`)).toEqual([`${w} two`, `${w} one`]);
    expect(await found(fx.alice, `in:${fx.publicChannel.name} ${w}`)).toEqual([`${w} three`]);
    expect(await found(fx.alice, `${w} in:@bob`)).toEqual([`${w} four`]);
    expect(await found(fx.alice, `${w} -in:town-square`)).toEqual([`${w} four`, `${w} three`]);
    expect(await found(fx.alice, `${w} in:no-such-channel`)).toEqual([]);
  });

  it('a filter alone lists every matching post', async () => {
    const r = await found(fx.alice, `from:bob in:${fx.publicChannel.name}`);
    expect(r).toContain(`${w} three`);
    expect(r.every((m) => !m.endsWith('one'))).toBe(true);
  });

  it('the team search includes direct and group channels; the all-teams search other teams', async () => {
    const other = await createFixture(server);
    await post(fx.alice, other.townSquare, `${w} elsewhere`);
    expect(await found(fx.alice, w)).not.toContain(`${w} elsewhere`);
    expect(await found(fx.alice, w)).toContain(`${w} four`);
    expect(await found(fx.alice, w, { teamId: other.team.id })).toEqual([`${w} elsewhere`, `${w} four`]);
    expect(await found(fx.alice, w, { teamId: '' })).toHaveLength(5);
  });
});

describe('dates', () => {
  let w: string;
  const at = Date.UTC(2024, 2, 10, 12, 0, 0); // 2024-03-10 12:00 UTC

  beforeAll(async () => {
    w = word('dated');
    const old = await post(fx.alice, fx.townSquare, `${w} old`);
    await server.db.handle.db.updateTable('posts').set({ create_at: at }).where('id', '=', old.id).execute();
    await post(fx.alice, fx.townSquare, `${w} new`);
  });

  it('on:, before: and after: take whole days, as Mattermost does', async () => {
    expect(await found(fx.bob, `${w} on:2024-03-10`)).toEqual([`${w} old`]);
    expect(await found(fx.bob, `${w} on:2024-3-9`)).toEqual([]);
    // before:D ends before D starts; after:D starts when D ends.
    expect(await found(fx.bob, `${w} before:2024-03-10`)).toEqual([]);
    expect(await found(fx.bob, `${w} before:2024-03-11`)).toEqual([`${w} old`]);
    expect(await found(fx.bob, `${w} after:2024-03-09`)).toEqual([`${w} new`, `${w} old`]);
    expect(await found(fx.bob, `${w} after:2024-03-10`)).toEqual([`${w} new`]);
    expect(await found(fx.bob, `${w} after:2024-03-09 before:2024-03-11`)).toEqual([`${w} old`]);
  });

  it('reads the day in the caller’s time zone (time_zone_offset, seconds east of UTC)', async () => {
    // 12:00 UTC on the 10th is already the 11th at UTC+13, still the 10th at UTC-11.
    expect(await found(fx.bob, `${w} on:2024-03-11`, { time_zone_offset: 13 * 3600 })).toEqual([`${w} old`]);
    expect(await found(fx.bob, `${w} on:2024-03-10`, { time_zone_offset: 13 * 3600 })).toEqual([]);
    expect(await found(fx.bob, `${w} on:2024-03-10`, { time_zone_offset: -11 * 3600 })).toEqual([`${w} old`]);
    const today = new Date(Date.now() + 12 * 3600_000).toISOString().slice(0, 10);
    expect(await found(fx.bob, `${w} on:${today}`, { time_zone_offset: 12 * 3600 })).toEqual([`${w} new`]);
    expect(await found(fx.bob, `${w} on:${today}`, { time_zone_offset: -12 * 3600 })).toEqual([]);
  });

  it('refuses malformed dates with a 400', async () => {
    for (const d of [
      'on:2024-13-01',
      'before:yesterday',
      'after:2024-02-30',
      'on:10-03-2024',
      'on:1969-12-31',
    ]) {
      const err = await expectError(() => search(fx.bob, `${w} ${d}`));
      expect(err.status_code, d).toBe(400);
    }
  });
});

describe('paging', () => {
  it('pages newest first with page and per_page, has_next until the last page', async () => {
    const w = word('page');
    const made: string[] = [];
    for (let i = 0; i < 5; i++) made.push((await post(fx.alice, fx.townSquare, `${w} ${i}`)).id);
    const newestFirst = [...made].reverse();
    const seen: string[] = [];
    const pages: Results[] = [];
    for (let page = 0; page < 3; page++) pages.push(await search(fx.bob, w, { page, per_page: 2 }));
    for (const p of pages) seen.push(...p.order);
    expect(seen).toEqual(newestFirst);
    expect(pages.map((p) => p.has_next)).toEqual([true, true, false]);
    expect((await search(fx.bob, w, { page: 3, per_page: 2 })).order).toEqual([]);
    expect((await search(fx.bob, w)).order).toEqual(newestFirst);
  });
});

describe('edits and deletions', () => {
  it('finds an edited post by its new words only', async () => {
    const before = word('before');
    const after = word('after');
    const p = await post(fx.alice, fx.townSquare, `${before} edit me`);
    await fx.alice.client.patchPost({ id: p.id, message: `${after} edited` } as Post);
    expect(await found(fx.bob, before)).toEqual([]);
    expect(await found(fx.bob, after)).toEqual([`${after} edited`]);
    expect(await found(fx.bob, 'edit')).not.toContain(`${before} edit me`);
  });

  it('never finds a deleted post, nor the replies deleted with their root', async () => {
    const w = word('gone');
    const root = await post(fx.alice, fx.townSquare, `${w} root`);
    await post(fx.bob, fx.townSquare, `${w} reply`, root.id);
    const kept = await post(fx.bob, fx.townSquare, `${w} kept`);
    expect(await found(fx.carol, w)).toHaveLength(3);
    await fx.alice.client.deletePost(root.id);
    const r = await search(fx.carol, w);
    expect(r.order).toEqual([kept.id]);
    expect(await found(fx.carol, `${w} from:alice`)).toEqual([]);
  });
});

describe('the index migration', () => {
  it('indexes the live posts that existed before it', async () => {
    const w = word('backfill');
    const db = server.db.handle.db;
    await searchMigration.down(db);
    try {
      await post(fx.alice, fx.townSquare, `${w} written before the index`);
      const deleted = await post(fx.alice, fx.townSquare, `${w} deleted before the index`);
      await fx.alice.client.deletePost(deleted.id);
    } finally {
      await searchMigration.up(db);
    }
    expect(await found(fx.bob, w)).toEqual([`${w} written before the index`]);
    // And the index follows new posts again.
    await post(fx.alice, fx.townSquare, `${w} written after`);
    expect(await found(fx.bob, w)).toEqual([`${w} written after`, `${w} written before the index`]);
  });
});

describe('who may find what (security.md 3)', () => {
  /** What a search for nonsense answers: the baseline an outsider's search must equal. */
  const nothing = async (p: Persona, o: Opts = {}) => search(p, 'zzzznonsenseqqq', o);

  it('mallory finds nothing of private, direct, group or unjoined public channels, as for nonsense', async () => {
    const words = {
      private: word('secretp'),
      direct: word('secretd'),
      group: word('secretg'),
      public: word('secreto'),
    };
    await post(fx.alice, fx.privateChannel, `${words.private} in private`);
    await post(fx.alice, fx.direct, `${words.direct} in direct`);
    await post(fx.alice, fx.group, `${words.group} in group`);
    await post(fx.alice, fx.publicChannel, `${words.public} in public`);
    // Members find them (Carol is in the group only).
    for (const w of Object.values(words)) expect(await found(fx.bob, w), w).toHaveLength(1);
    expect(await found(fx.carol, words.group)).toHaveLength(1);
    expect(await found(fx.carol, words.private)).toEqual([]);

    const baseline = await nothing(fx.mallory);
    const baselineAll = await nothing(fx.mallory, { teamId: '' });
    for (const w of Object.values(words)) {
      for (const terms of [
        w,
        `${w.slice(0, 5)}*`,
        `"${w} in"`,
        `${w} from:alice`,
        `${w} in:${fx.privateChannel.name}`,
        `${w} in:${fx.publicChannel.name}`,
        `${w} in:${fx.direct.name}`,
        `${w} in:@alice`,
        `${w} nothing`,
      ]) {
        expect(await search(fx.mallory, terms), terms).toEqual(baseline);
        expect(await search(fx.mallory, terms, { is_or_search: true }), terms).toEqual(baseline);
        expect(await search(fx.mallory, terms, { teamId: '' }), terms).toEqual(baselineAll);
        expect(await search(fx.mallory, terms, { include_deleted_channels: true }), terms).toEqual(baseline);
      }
    }
    // Filters without words list nothing of those channels either.
    for (const terms of [`in:${fx.privateChannel.name}`, `in:${fx.direct.name}`, 'in:@alice', 'from:alice']) {
      const r = await search(fx.mallory, terms);
      for (const p of Object.values(r.posts)) {
        expect([fx.townSquare.id, fx.offTopic.id], terms).toContain(p.channel_id);
      }
    }
    // Not even a system admin who is not a member (as in Mattermost).
    expect(await found(fx.admin, words.private, { teamId: '' })).toEqual([]);
  });

  it('a removed member finds nothing more of the channel', async () => {
    const w = word('removed');
    await fx.alice.client.addToChannel(fx.mallory.user.id, fx.privateChannel.id);
    await post(fx.alice, fx.privateChannel, `${w} while mallory was in`);
    expect(await found(fx.mallory, w)).toHaveLength(1);
    await fx.alice.client.removeFromChannel(fx.mallory.user.id, fx.privateChannel.id);
    expect(await search(fx.mallory, w)).toEqual(await nothing(fx.mallory));
    expect(await search(fx.mallory, w, { teamId: '' })).toEqual(await nothing(fx.mallory, { teamId: '' }));
  });

  it('a team the searcher is not on answers 404, like an unknown team', async () => {
    const other = await createFixture(server, { malloryOnTeam: false });
    const w = word('otherteam');
    await post(fx.alice, other.townSquare, w);
    const err = await expectError(() => search(fx.mallory, w, { teamId: other.team.id }));
    const unknown = await expectError(() => search(fx.mallory, w, { teamId: UNKNOWN_ID }));
    expect(err.status_code).toBe(404);
    expect([err.status_code, err.server_error_id]).toEqual([unknown.status_code, unknown.server_error_id]);
    expect(await found(fx.mallory, w, { teamId: '' })).toEqual([]);
  });

  it('archived channels only with include_deleted_channels', async () => {
    const w = word('archived');
    const ch = await fx.alice.client.createChannel({
      team_id: fx.team.id,
      name: `archive-${w}`,
      display_name: 'Archive',
      type: 'O',
    } as Channel);
    await fx.alice.client.addToChannel(fx.bob.user.id, ch.id);
    await post(fx.alice, ch, `${w} before archiving`);
    expect(await found(fx.bob, w)).toHaveLength(1);
    await fx.alice.client.deleteChannel(ch.id);
    expect(await found(fx.bob, w)).toEqual([]);
    expect(await found(fx.bob, w, { teamId: '' })).toEqual([]);
    expect(await found(fx.bob, w, { include_deleted_channels: true })).toEqual([`${w} before archiving`]);
    // Still only for members.
    expect(await found(fx.mallory, w, { include_deleted_channels: true })).toEqual([]);
  });

  it('needs a session', async () => {
    const r = await rawApi(server, undefined, 'POST', `/teams/${fx.team.id}/posts/search`, { terms: 'x' });
    expect(r.status).toBe(401);
    expect((await rawApi(server, undefined, 'POST', '/posts/search', { terms: 'x' })).status).toBe(401);
  });
});

describe('bad input: 400 in the wire error shape, never 500', () => {
  const cases: [string, unknown][] = [
    ['not JSON', '{"terms": "a",'],
    ['an array', '["a"]'],
    ['no terms', { is_or_search: false }],
    ['terms a number', { terms: 5 }],
    ['terms an object', { terms: { $ne: null } }],
    ['terms too long', { terms: 'a'.repeat(1001) }],
    ['too many terms', { terms: 'a '.repeat(65) }],
    ['per_page over the limit', { terms: 'a', per_page: 201 }],
    ['per_page negative', { terms: 'a', per_page: -1 }],
    ['per_page a string', { terms: 'a', per_page: '10' }],
    ['page negative', { terms: 'a', page: -1 }],
    ['page fractional', { terms: 'a', page: 1.5 }],
    ['is_or_search a string', { terms: 'a', is_or_search: 'yes' }],
    ['time_zone_offset a string', { terms: 'a', time_zone_offset: '3600' }],
    ['time_zone_offset too large', { terms: 'a', time_zone_offset: 10 ** 9 }],
    ['include_deleted_channels a number', { terms: 'a', include_deleted_channels: 1 }],
    ['a malformed date', { terms: 'a on:2024-02-31' }],
    // Refused for every route (PostgreSQL cannot hold NUL), here too.
    ['NUL in terms', { terms: 'a\u0000b' }],
  ];

  for (const path of ['teams', 'all']) {
    it(`refuses them (${path})`, async () => {
      const url = path === 'teams' ? `/teams/${fx.team.id}/posts/search` : '/posts/search';
      for (const [label, body] of cases) {
        const r = await rawApi(server, fx.alice, 'POST', url, body);
        expect(r.status, label).toBe(400);
        expect(r.body, label).toMatchObject({
          status_code: 400,
          id: expect.any(String),
          message: expect.any(String),
        });
        expect(r.body, label).toHaveProperty('request_id');
      }
    });
  }

  it('accepts hostile text as words', async () => {
    for (const terms of [
      `' OR 1=1 --`,
      `x'); DROP TABLE posts; --`,
      '"unclosed phrase',
      'a NOT b OR c AND (d',
      '* ** -* -"" "" NEAR(a b)',
      'col:value message:x rowid:1',
      '%_\\ a',
      '!(a) & b:* <-> c',
      'from: in: on:',
      'from:"bob" in:""',
      `from:${'x'.repeat(200)} in:${'y'.repeat(200)}`,
    ]) {
      const r = await rawApi(server, fx.alice, 'POST', `/teams/${fx.team.id}/posts/search`, { terms });
      expect(r.status, terms).toBe(200);
      expect(r.body, terms).toHaveProperty('order');
    }
  });
});
