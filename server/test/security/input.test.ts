/**
 * Bad input (security.md 17–20), swept over the routes read from the route files:
 *  - every route with a JSON body gets hostile whole bodies ({"$ne":null}, arrays, null, numbers,
 *    10,000 levels of nesting, 1 MB, prototype pollution) and every field of a valid body replaced by
 *    objects, arrays, null, numbers, SQL fragments, 100 KB strings and NUL;
 *  - every query parameter a GET route reads (sort keys and cursors included) gets SQL fragments,
 *    out-of-range numbers, huge and repeated values.
 * Expected: never a 500; a refusal is a 4xx in the wire error shape and changes no row; an acceptance
 * shows nothing of a channel the caller is not in, nor a secret. Then the limits: post length in
 * runes, a maximum-length post of nested markdown, a 64 KB path and header, a 10 MB body, and
 * thousands of concurrent reactions on one post.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Channel } from '@mattermost/types/channels';
import type { Post } from '@mattermost/types/posts';
import { getTestServer, PASSWORD, type Persona, type TestServer } from '../helpers/server.js';
import { createFixture, type Fixture } from '../helpers/fixtures.js';
import {
  call,
  errorShapeProblems,
  fillPath,
  key,
  NE,
  paramsOf,
  queryNames,
  snapshot,
  snapshotDiff,
  sourceRoutes,
  SQL,
  SQL2,
  UNKNOWN,
  type Answer,
  type Auth,
} from './kit.js';

let server: TestServer;
let f: Fixture;
let dan: Persona; // not on the team: the one the team-member bodies add
let pat: Persona; // changes her password
let ch: Channel;
let post: Post;
let vault: Channel; // Bob's private channel; Alice is not in it
const VAULT_WORD = `vaultword${Date.now().toString(36)}`;
let secrets: string[];

beforeAll(async () => {
  server = await getTestServer();
  f = await createFixture(server);
  dan = await server.persona('dan');
  pat = await server.persona('pat');
  await server.persona('lou'); // the login body's account (the sweep locks it out)
  ch = await f.alice.client.createChannel({
    team_id: f.team.id,
    name: 'sweep',
    display_name: 'Sweep',
    type: 'O',
  } as Channel);
  await f.alice.client.addToChannel(f.bob.user.id, ch.id);
  post = await f.alice.client.createPost({ channel_id: ch.id, message: 'sweep me' } as Post);
  vault = await f.bob.client.createChannel({
    team_id: f.team.id,
    name: `vault-${VAULT_WORD}`,
    display_name: `Vault ${VAULT_WORD}`,
    type: 'P',
  } as Channel);
  await f.bob.client.createPost({ channel_id: vault.id, message: `${VAULT_WORD} s3cr3t` } as Post);
  const db = server.db.handle.db;
  const rows = await db.selectFrom('sessions').select(['token_hash', 'csrf_token']).execute();
  const users = await db.selectFrom('users').select(['password_hash']).execute();
  secrets = [
    vault.id,
    VAULT_WORD,
    f.bob.token,
    f.carol.token,
    f.admin.token,
    ...rows.flatMap((r) => [r.token_hash, r.csrf_token]),
    ...users.map((u) => u.password_hash),
  ];
});
afterAll(() => server.close());

type Who = 'alice' | 'admin' | 'anon' | 'pat';
interface BodyCase {
  who?: Who;
  /** Path values other than the defaults. */
  values?: Record<string, string>;
  body: () => unknown;
  query?: string;
  /** The answer to the valid body when it is not a success. */
  validStatus?: number;
  /** Tables a refused request may legitimately touch (failed logins are counted). */
  touches?: string[];
}

let n = 0;
const next = () => ++n;

/** A valid body for every route that reads JSON (evaluated after beforeAll). */
const BODIES: Record<string, BodyCase> = {
  'POST /channels': {
    body: () => ({ team_id: f.team.id, name: `s-${next()}`, display_name: 'S', type: 'O', purpose: 'p' }),
  },
  'PUT /channels/:channel_id': {
    body: () => ({ id: ch.id, display_name: 'Sweep', header: 'h', purpose: 'p' }),
  },
  'PUT /channels/:channel_id/patch': { body: () => ({ display_name: 'Sweep', header: 'h', purpose: 'p' }) },
  'PUT /channels/:channel_id/privacy': { body: () => ({ privacy: 'O' }) },
  'POST /channels/:channel_id/members': { body: () => ({ user_id: f.bob.user.id }) },
  'POST /channels/:channel_id/members/ids': { body: () => [f.bob.user.id] },
  'PUT /channels/:channel_id/members/:user_id/notify_props': {
    body: () => ({ desktop: 'all', push: 'mention', mark_unread: 'all' }),
  },
  'PUT /channels/:channel_id/members/:user_id/roles': {
    body: () => ({ roles: 'channel_user channel_admin' }),
  },
  'PUT /channels/:channel_id/members/:user_id/schemeRoles': {
    body: () => ({ scheme_admin: true, scheme_user: true }),
  },
  'POST /channels/direct': { body: () => [f.alice.user.id, f.bob.user.id] },
  'POST /channels/group': { body: () => [f.alice.user.id, f.bob.user.id, f.carol.user.id] },
  'POST /channels/members/:user_id/mark_read': { body: () => [ch.id] },
  'POST /channels/members/:user_id/view': { body: () => ({ channel_id: ch.id, prev_channel_id: '' }) },
  'POST /channels/search': {
    query: '?system_console=false',
    body: () => ({ term: 's', team_ids: [f.team.id], public: true, page: 0, per_page: 10 }),
  },
  'POST /posts': {
    body: () => ({ channel_id: ch.id, message: 'm', root_id: '', props: {}, pending_post_id: `p${next()}` }),
  },
  'PUT /posts/:post_id': { body: () => ({ id: post.id, message: 'm', props: {} }) },
  'PUT /posts/:post_id/patch': { body: () => ({ message: 'm', props: {} }) },
  'POST /posts/ids': { body: () => [post.id] },
  // Alice is not in the vault: a search for its word must show nothing of it.
  'POST /posts/search': {
    body: () => ({ terms: VAULT_WORD, is_or_search: false, page: 0, per_page: 10, time_zone_offset: 0 }),
  },
  'POST /reactions': { body: () => ({ user_id: f.alice.user.id, post_id: post.id, emoji_name: 'smile' }) },
  'POST /roles/names': { body: () => ['system_user'] },
  'POST /teams': { body: () => ({ name: `t-${next()}`, display_name: 'T', type: 'O', description: 'd' }) },
  'PUT /teams/:team_id': { body: () => ({ id: f.team.id, display_name: 'Team', description: 'd' }) },
  'PUT /teams/:team_id/patch': { body: () => ({ display_name: 'Team', description: 'd' }) },
  'POST /teams/:team_id/channels/search': { body: () => ({ term: 's' }) },
  'POST /teams/:team_id/posts/search': {
    body: () => ({ terms: `${VAULT_WORD} from:bob`, is_or_search: true, include_deleted_channels: true }),
  },
  'POST /teams/:team_id/members': { body: () => ({ team_id: f.team.id, user_id: dan.user.id }) },
  'POST /teams/:team_id/members/batch': { body: () => [{ team_id: f.team.id, user_id: dan.user.id }] },
  'POST /teams/:team_id/members/ids': { body: () => [f.bob.user.id] },
  'POST /users': {
    who: 'admin',
    body: () => ({
      username: `user${next()}`,
      email: `user${n}@example.com`,
      password: PASSWORD,
      nickname: 'n',
    }),
  },
  'PUT /users/:user_id': { body: () => ({ nickname: 'n', first_name: 'f', position: 'p' }) },
  'PUT /users/:user_id/patch': { body: () => ({ nickname: 'n', first_name: 'f', position: 'p' }) },
  'PUT /users/:user_id/active': {
    who: 'admin',
    values: { user_id: 'carol' },
    body: () => ({ active: true }),
  },
  'PUT /users/:user_id/password': {
    who: 'pat',
    body: () => ({ current_password: PASSWORD, new_password: PASSWORD }),
    // A wrong current password counts toward the login lockout, like a failed login.
    touches: ['login_throttle'],
  },
  'PUT /users/:user_id/roles': {
    who: 'admin',
    values: { user_id: 'carol' },
    body: () => ({ roles: 'system_user' }),
  },
  'PUT /users/:user_id/status': { body: () => ({ user_id: f.alice.user.id, status: 'online' }) },
  'PUT /users/:user_id/preferences': {
    body: () => [{ user_id: f.alice.user.id, category: 'display_settings', name: 'n', value: 'v' }],
  },
  'POST /users/:user_id/preferences/delete': {
    body: () => [{ user_id: f.alice.user.id, category: 'display_settings', name: 'n', value: 'v' }],
  },
  'DELETE /users/:user_id/preferences': {
    body: () => [{ user_id: f.alice.user.id, category: 'display_settings', name: 'n', value: 'v' }],
  },
  'POST /users/:user_id/sessions/revoke': { body: () => ({ session_id: UNKNOWN }), validStatus: 404 },
  'POST /users/ids': { body: () => [f.bob.user.id] },
  'POST /users/login': {
    who: 'anon',
    body: () => ({ login_id: 'lou', password: PASSWORD }),
    touches: ['login_throttle', 'users', 'sessions'],
  },
  'POST /users/search': { body: () => ({ term: 'a', team_id: f.team.id, limit: 10, allow_inactive: false }) },
  'POST /users/status/ids': { body: () => [f.bob.user.id] },
  'POST /users/usernames': { body: () => ['bob'] },
};

/** Routes that change state without reading a JSON body (destructive ones are not swept here). */
const NO_BODY = new Set([
  'DELETE /channels/:channel_id',
  'POST /channels/:channel_id/convert',
  'DELETE /channels/:channel_id/members/:user_id',
  'POST /channels/:channel_id/restore',
  'POST /files',
  'DELETE /posts/:post_id',
  'POST /posts/:post_id/pin',
  'POST /posts/:post_id/unpin',
  'DELETE /teams/:team_id',
  'DELETE /teams/:team_id/members/:user_id',
  'POST /teams/:team_id/regenerate_invite_id',
  'POST /teams/:team_id/restore',
  'POST /teams/members/invite',
  'DELETE /users/:user_id',
  'DELETE /users/:user_id/posts/:post_id/reactions/:emoji_name',
  'POST /users/:user_id/sessions/revoke/all',
  'POST /users/logout',
  'POST /users/:user_id/posts/:post_id/set_unread',
  'PUT /users/:user_id/teams/:team_id/threads/read',
  'PUT /users/:user_id/teams/:team_id/threads/:thread_id/following',
  'DELETE /users/:user_id/teams/:team_id/threads/:thread_id/following',
  'PUT /users/:user_id/teams/:team_id/threads/:thread_id/read/:timestamp',
]);

function authOf(who: Who): Auth {
  if (who === 'anon') return undefined;
  return { token: (who === 'admin' ? f.admin : who === 'pat' ? pat : f.alice).token };
}

function pathValues(extra: Record<string, string> = {}): Record<string, string> {
  const v: Record<string, string> = {
    user_id: 'me',
    channel_id: ch.id,
    post_id: post.id,
    team_id: f.team.id,
    emoji_name: 'smile',
    thread_id: post.id,
    timestamp: '1',
    ...extra,
  };
  if (v.user_id === 'carol') v.user_id = f.carol.user.id;
  return v;
}

const deep = (open: string, inner: string, close: string, depth: number) =>
  open.repeat(depth) + inner + close.repeat(depth);

/** Whole bodies that are wrong in shape; raw strings are sent as they are. */
const WHOLE: [string, string][] = [
  ['$ne', '{"$ne":null}'],
  ['[$ne]', '[{"$ne":null}]'],
  ['null', 'null'],
  ['number', '12345'],
  ['string', '"alice"'],
  ['truncated', '{"a":'],
  ['nested', deep('{"a":[', '1', ']}', 5_000)],
  ['1 MB', JSON.stringify({ x: 'x'.repeat(1 << 20) })],
  ['__proto__', '{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}}}'],
];

/** Values that replace one field of a valid body at a time. */
const FIELD: [string, unknown][] = [
  ['$ne', NE],
  ['[$ne]', [NE]],
  ['null', null],
  ['number', 12345],
  ['sql', SQL],
  ['100 KB', 'x'.repeat(100_000)],
  ['nul', 'a\u0000b'],
];

function mutations(body: unknown): [string, unknown][] {
  const out: [string, unknown][] = WHOLE.map(([label, raw]) => [`body ${label}`, raw]);
  const fieldsOf = (obj: Record<string, unknown>, wrap: (o: Record<string, unknown>) => unknown) => {
    for (const k of Object.keys(obj)) {
      for (const [label, v] of FIELD) out.push([`${k}=${label}`, JSON.stringify(wrap({ ...obj, [k]: v }))]);
    }
  };
  if (Array.isArray(body)) {
    const first = body[0];
    if (first && typeof first === 'object')
      fieldsOf(first as Record<string, unknown>, (o) => [o, ...body.slice(1)]);
    else for (const [label, v] of FIELD) out.push([`[0]=${label}`, JSON.stringify([v, ...body.slice(1)])]);
  } else if (body && typeof body === 'object') {
    fieldsOf(body as Record<string, unknown>, (o) => o);
  }
  return out;
}

/** What is wrong with one answer (empty when fine). */
function judge(label: string, a: Answer, who: Who): string[] {
  const out: string[] = [];
  if (a.status >= 500) return [`${label} → ${a.status} ${a.text.slice(0, 150)}`];
  if (a.status >= 400) return errorShapeProblems(a).map((p) => `${label}: ${p}`);
  for (const s of secrets) if (a.text.includes(s)) out.push(`${label}: shows ${s.slice(0, 12)}…`);
  if (who !== 'admin' && /(bob|carol|admin)@example\.com/.test(a.text))
    out.push(`${label}: another's e-mail`);
  return out;
}

describe('hostile JSON bodies (17)', () => {
  it(
    'routes not in the table yet are swept too, with hostile bodies aimed at ids that name nothing',
    { timeout: 120_000 },
    async () => {
      const stale = Object.keys(BODIES).filter((k) => !sourceRoutes().some((r) => key(r) === k));
      expect(stale).toEqual([]);
      // A route added later is still swept (with every id unknown, so that nothing real is touched)
      // until someone gives it a valid body in BODIES or names it in NO_BODY.
      const unclassified = sourceRoutes().filter(
        (r) => r.method !== 'GET' && !(key(r) in BODIES) && !NO_BODY.has(key(r)),
      );
      const problems: string[] = [];
      for (const r of unclassified) {
        const url = fillPath(r.path, {
          ...Object.fromEntries(paramsOf(r.path).map((p) => [p, UNKNOWN])),
          emoji_name: 'smile',
          timestamp: '1',
        });
        for (const [label, raw] of WHOLE) {
          const a = await call(server, { token: f.alice.token }, r.method, url, raw);
          problems.push(...judge(`${key(r)} body ${label}`, a, 'alice'));
        }
      }
      expect(problems).toEqual([]);
    },
  );

  it(
    'valid bodies are accepted, and every mutation is refused cleanly or accepted harmlessly',
    { timeout: 120_000 },
    async () => {
      const problems: string[] = [];
      let refused = 0;
      let total = 0;
      const routes = sourceRoutes().filter((r) => key(r) in BODIES);
      for (const r of routes) {
        const c = BODIES[key(r)]!;
        const who = c.who ?? 'alice';
        const url = fillPath(r.path, pathValues(c.values)) + (c.query ?? '');
        const send = (body: unknown) => call(server, authOf(who), r.method, url, body);

        const valid = await send(c.body());
        if (valid.status !== (c.validStatus ?? valid.status) || (!c.validStatus && valid.status >= 300))
          problems.push(`${key(r)} valid body → ${valid.status} ${valid.text.slice(0, 150)}`);

        const runBatch = async (list: [string, unknown][]) => {
          const out: Answer[] = [];
          for (let i = 0; i < list.length; i += 6) {
            out.push(...(await Promise.all(list.slice(i, i + 6).map(([, b]) => send(b)))));
          }
          return out;
        };
        const snap = () => snapshot(server, c.touches);
        /**
         * Sends the cases between two snapshots. Refused requests must change nothing; when some were
         * accepted (an SQL fragment is a fine nickname), the refused ones are sent again on their own.
         */
        const checkGroup = async (cases: [string, unknown][], checkedBefore: boolean) => {
          const s0 = checkedBefore ? await snap() : '';
          const answers = await runBatch(cases);
          const s1 = checkedBefore ? await snap() : '';
          answers.forEach((a, i) => {
            total++;
            if (a.status >= 400) refused++;
            problems.push(...judge(`${key(r)} ${cases[i]![0]}`, a, who));
          });
          const refusedCases = cases.filter((_, i) => answers[i]!.status >= 400);
          if (checkedBefore && refusedCases.length === cases.length) {
            const diff = snapshotDiff(s0, s1);
            if (diff) problems.push(`${key(r)}: refused requests changed ${diff}`);
            return;
          }
          if (refusedCases.length === 0) return;
          const s2 = await snap();
          const again = await runBatch(refusedCases);
          const s3 = await snap();
          if (again.every((a) => a.status >= 400)) {
            const diff = snapshotDiff(s2, s3);
            if (diff) problems.push(`${key(r)}: refused requests changed ${diff}`);
            return;
          }
          // State moved under us (a password the sweep itself changed): one at a time.
          for (const [label, b] of refusedCases) {
            const t0 = await snap();
            const a = await send(b);
            const diff = snapshotDiff(t0, await snap());
            if (a.status >= 400 && diff) problems.push(`${key(r)} ${label}: refused but changed ${diff}`);
          }
        };
        const cases = mutations(c.body());
        const strings = new Set(['sql', '100 KB', 'nul'].map((x) => `=${x}`));
        const isString = ([label]: [string, unknown]) => [...strings].some((x) => label.endsWith(x));
        await checkGroup(
          cases.filter((x) => !isString(x)),
          true,
        );
        await checkGroup(cases.filter(isString), true);
      }
      expect(problems).toEqual([]);
      expect(total).toBeGreaterThan(600);
      expect(refused / total).toBeGreaterThan(0.7);
      // Prototype pollution reached nothing in this process (the server runs in it).
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      // Everyone can still work.
      expect((await f.alice.client.getMe()).username).toBe('alice');
      expect((await call(server, undefined, 'GET', '/system/ping')).status).toBe(200);
    },
  );

  it('NUL in a field is refused alike on both databases, and nothing is stored', async () => {
    const before = await snapshot(server);
    for (const [method, route, body] of [
      ['POST', '/posts', { channel_id: ch.id, message: 'a\u0000b' }],
      ['PUT', '/users/me/patch', { nickname: '\u0000' }],
      ['POST', '/channels/search', { term: 'a\u0000' }],
      ['POST', '/users/login', { login_id: 'alice\u0000', password: PASSWORD }],
    ] as const) {
      const a = await call(server, { token: f.alice.token }, method, route, body);
      expect(a.status, route).toBe(400);
      expect(errorShapeProblems(a), route).toEqual([]);
    }
    const q = await call(server, { token: f.alice.token }, 'GET', '/users/username/%00');
    expect(q.status).toBe(400);
    expect(snapshotDiff(before, await snapshot(server))).toBe('');
  });
});

describe('hostile query parameters, sort keys and cursors (17)', () => {
  it(
    'never answer 500, refuse in the error shape, leak nothing, and change nothing',
    { timeout: 120_000 },
    async () => {
      const names = queryNames();
      expect(names.get('GET /channels/:channel_id/posts')).toEqual(
        expect.arrayContaining(['page', 'per_page', 'since', 'before', 'after']),
      );
      expect(names.get('GET /users')).toEqual(expect.arrayContaining(['sort', 'in_team', 'in_channel']));
      const values = [
        SQL,
        SQL2,
        '-1',
        '99999999999999999999999',
        '1e400',
        'x'.repeat(5000),
        '{"$ne":null}',
        `${post.id}' OR '1'='1`,
      ];
      const before = await snapshot(server);
      const problems: string[] = [];
      const jobs: (() => Promise<void>)[] = [];
      for (const r of sourceRoutes().filter((x) => x.method === 'GET')) {
        const base = fillPath(r.path, {
          ...pathValues(),
          file_id: UNKNOWN,
          category: 'display_settings',
          name: 'n',
          role_name: 'system_user',
          role_id: 'system_user',
          username: 'bob',
          email: 'bob@example.com',
          team_name: f.team.name,
          channel_name: ch.name,
        });
        const fixed = base;
        for (const q of names.get(key(r)) ?? []) {
          const urls = [
            ...values.map((v) => `${fixed}?${q}=${encodeURIComponent(v)}`),
            `${fixed}?${q}=1&${q}=2`,
            `${fixed}?${q}[$ne]=1`,
          ];
          for (const u of urls) {
            jobs.push(async () => {
              const a = await call(server, { token: f.alice.token }, 'GET', u);
              problems.push(...judge(`GET ${u.slice(0, 100)}`, a, 'alice'));
            });
          }
        }
      }
      // Cursors and sort keys also on the POST searches that take them.
      for (const term of [SQL, SQL2, '%', '_', '\\', "'", '"']) {
        jobs.push(async () => {
          for (const [route, body] of [
            ['/channels/search', { term }],
            [`/teams/${f.team.id}/channels/search`, { term }],
            ['/users/search', { term }],
            ['/channels/search', { term: 'v', page: term }],
          ] as const) {
            const a = await call(server, { token: f.alice.token }, 'POST', route, body);
            problems.push(...judge(`POST ${route} ${JSON.stringify(body)}`, a, 'alice'));
          }
        });
      }
      expect(jobs.length).toBeGreaterThan(300);
      for (let i = 0; i < jobs.length; i += 6) await Promise.all(jobs.slice(i, i + 6).map((j) => j()));
      expect(problems).toEqual([]);
      // Wildcards in search terms are literal: '%' finds nothing of the vault, and no GET changed a row.
      expect(snapshotDiff(before, await snapshot(server))).toBe('');
    },
  );
});

describe('limits (18–20)', () => {
  it('refuses a post one rune over 16,383 and accepts a maximum-length post of nested markdown', async () => {
    const c = f.alice.client;
    const posts: [string, string][] = [
      ['quotes', '>'.repeat(16_383)],
      ['nested quotes', '> '.repeat(8191) + 'x'],
      ['brackets', '['.repeat(8191) + ']'.repeat(8192)],
      ['emphasis', '*_'.repeat(4095) + 'x' + '_*'.repeat(4095) + 'y'.repeat(2)],
      ['list', '- '.repeat(8191) + 'x'],
      ['astral', '😀'.repeat(16_383)],
    ];
    for (const [label, message] of posts) {
      expect([...message].length, label).toBe(16_383);
      const p = await c.createPost({ channel_id: ch.id, message } as Post);
      expect((await c.getPost(p.id)).message, label).toBe(message);
      const over = await call(server, { token: f.alice.token }, 'POST', '/posts', {
        channel_id: ch.id,
        message: message + 'x',
      });
      expect(over.status, label).toBe(400);
      expect(errorShapeProblems(over), label).toEqual([]);
    }
  });

  it('answers a 64 KB path, a 64 KB header and 10 MB bodies with a 4xx, and keeps answering', async () => {
    const t = { token: f.alice.token };
    const longPath = await call(server, t, 'GET', `/channels/${'c'.repeat(65_536)}/posts`);
    expect(longPath.status).toBeGreaterThanOrEqual(400);
    expect(longPath.status).toBeLessThan(500);
    const longHeader = await call(server, t, 'GET', '/users/me', undefined, { 'X-Junk': 'h'.repeat(65_536) });
    expect(longHeader.status).toBe(431);
    const before = await snapshot(server);
    const big = 'x'.repeat(10 * 1024 * 1024);
    for (const [method, route, body] of [
      ['POST', '/posts', JSON.stringify({ channel_id: ch.id, message: big })],
      [
        'POST',
        '/channels',
        JSON.stringify({ team_id: f.team.id, name: 'big', display_name: big, type: 'O' }),
      ],
      ['POST', '/reactions', JSON.stringify({ emoji_name: big })],
      ['PUT', '/users/me/preferences', `[${'{"category":"a","name":"b","value":"c"},'.repeat(250_000)}{}]`],
    ] as const) {
      const a = await call(server, t, method, route, body);
      expect(a.status, route).toBe(413);
      expect(errorShapeProblems(a), route).toEqual([]);
    }
    // The same without a Content-Length (chunked).
    const chunked = await fetch(`${server.url}/api/v4/posts`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${f.alice.token}`, 'Content-Type': 'application/json' },
      body: new ReadableStream({
        start(ctl) {
          for (let i = 0; i < 10; i++) ctl.enqueue(new TextEncoder().encode('x'.repeat(1024 * 1024)));
          ctl.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
    expect(chunked.status).toBe(413);
    expect(snapshotDiff(before, await snapshot(server))).toBe('');
    expect((await call(server, undefined, 'GET', '/system/ping')).status).toBe(200);
  });

  it(
    'caps thousands of concurrent reactions on one post at 50 distinct emoji',
    { timeout: 120_000 },
    async () => {
      const p = await f.alice.client.createPost({ channel_id: f.townSquare.id, message: 'react' } as Post);
      const people = [f.alice, f.bob, f.carol, f.mallory];
      const ATTEMPTS = 600;
      const statuses = new Map<number, number>();
      const jobs = Array.from({ length: ATTEMPTS }, (_, i) => async () => {
        const who = people[i % people.length]!;
        const a = await call(server, { token: who.token }, 'POST', '/reactions', {
          user_id: who.user.id,
          post_id: p.id,
          emoji_name: `e${i}`,
        });
        statuses.set(a.status, (statuses.get(a.status) ?? 0) + 1);
      });
      for (let i = 0; i < jobs.length; i += 40) await Promise.all(jobs.slice(i, i + 40).map((j) => j()));
      expect([...statuses.keys()].sort()).toEqual([200, 400]);
      expect(statuses.get(200)).toBe(50);
      const reactions = await f.alice.client.getReactionsForPost(p.id);
      expect(new Set(reactions.map((r) => r.emoji_name)).size).toBe(50);
      expect(reactions).toHaveLength(50);
      // Existing emoji may still be added by others (that is not a new distinct one).
      const first = reactions[0]!;
      const other = people.find((x) => x.user.id !== first.user_id)!;
      await other.client.addReaction(other.user.id, p.id, first.emoji_name);
      expect(await f.alice.client.getReactionsForPost(p.id)).toHaveLength(51);
    },
  );
});
