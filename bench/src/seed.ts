/**
 * Builds a benchmark database quickly: Parley's own migrations first (so the schema is exactly the
 * server's), then users, one team, the W1 channel, the W2 channels, direct channels, memberships,
 * sessions and posts inserted directly with better-sqlite3 in large transactions.
 *
 * Authentication: every user gets the same bcrypt (cost 10) password hash and one session whose token
 * is written to the manifest (`bench.json` beside the database); sessions.token_hash is the SHA-256 hex
 * of the token, exactly as Parley stores it, so clients skip the login round trip (and its bcrypt work).
 *
 * CLI: `npm run seed -w @parley/bench -- --dir DIR --users 5000 --posts 1000000`
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import bcrypt from 'bcrypt';
import SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { migrateToLatest } from '../../server/src/db/migrate.js';
import { newId, sha256Hex } from './lib/ids.js';

export const BENCH_PASSWORD = 'bench-password-1';

export interface SeedSpec {
  users: number;
  /** The first w1Members users are members of the W1 channel. */
  w1Members: number;
  w2Channels: number;
  w2Min: number;
  w2Max: number;
  dms: number;
  /** Historic posts, spread over every channel. */
  posts: number;
  /** Fraction of the historic posts that are thread replies. */
  replyRatio: number;
  /** Fraction of the historic posts in the W1 channel (the rest is spread evenly). */
  w1Share: number;
}

export interface ChannelRef {
  id: string;
  /** Indices into Manifest.users. */
  members: number[];
}

export interface Manifest {
  spec: SeedSpec;
  createdAt: string;
  seedSeconds: number;
  dbFile: string;
  password: string;
  teamId: string;
  users: { id: string; username: string; token: string }[];
  w1: ChannelRef;
  w2: ChannelRef[];
  dms: ChannelRef[];
  /** Some root posts with replies, for the thread views of the mixed workload. */
  threads: { channelId: string; postId: string }[];
}

export function specKey(s: SeedSpec): string {
  return `u${s.users}-w1_${s.w1Members}-w2_${s.w2Channels}x${s.w2Min}-${s.w2Max}-dm${s.dms}-p${s.posts}-r${s.replyRatio}-s${s.w1Share}`;
}

/** A small deterministic PRNG so that the same spec gives the same shapes (ids stay random). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS =
  'the a deploy build review release ticket meeting lunch coffee today tomorrow please thanks looks good ' +
  'merged failing green red broken fixed server client database query index latency cache users team ' +
  'channel message thread reply update note plan sprint demo customer feedback bug feature docs test';
const WORD_LIST = WORDS.split(' ');

function sentence(r: () => number): string {
  const n = 4 + Math.floor(r() * 16);
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(WORD_LIST[Math.floor(r() * WORD_LIST.length)] as string);
  return out.join(' ');
}

const userNotifyProps = JSON.stringify({
  email: 'true',
  push: 'mention',
  desktop: 'mention',
  desktop_sound: 'true',
  mention_keys: '',
  channel: 'true',
  first_name: 'false',
  comments: 'never',
});
const timezone = JSON.stringify({ useAutomaticTimezone: 'true', automaticTimezone: '', manualTimezone: '' });
const channelNotifyProps = JSON.stringify({
  desktop: 'default',
  email: 'default',
  mark_unread: 'all',
  push: 'default',
  ignore_channel_mentions: 'default',
});

export async function seed(
  dir: string,
  spec: SeedSpec,
  log: (s: string) => void = (s) => void process.stdout.write(s + '\n'),
): Promise<Manifest> {
  const started = performance.now();
  fs.mkdirSync(dir, { recursive: true });
  const dbFile = path.join(dir, 'parley.db');
  for (const f of [dbFile, dbFile + '-wal', dbFile + '-shm', path.join(dir, 'bench.json')]) {
    fs.rmSync(f, { force: true });
  }

  // 1. Parley's migrations, through Parley's own migrator.
  {
    const sqlite = new SQLite(dbFile);
    sqlite.pragma('journal_mode = WAL');
    const kdb = new Kysely<unknown>({ dialect: new SqliteDialect({ database: sqlite }) });
    await migrateToLatest(kdb);
    await kdb.destroy();
  }

  // 2. Bulk inserts: no journal while seeding, the posts indexes rebuilt once at the end.
  const db = new SQLite(dbFile);
  db.pragma('journal_mode = OFF');
  db.pragma('synchronous = OFF');
  db.pragma('cache_size = -262144');
  db.pragma('temp_store = MEMORY');
  const r = rng(42);
  const now = Date.now();
  const passwordHash = bcrypt.hashSync(BENCH_PASSWORD, 10);

  const users = Array.from({ length: spec.users }, (_, i) => ({
    id: newId(),
    username: `user${i}`,
    token: newId(),
  }));
  const teamId = newId();
  const mkChannel = (members: number[]): ChannelRef => ({ id: newId(), members });
  const w1 = mkChannel(Array.from({ length: Math.min(spec.w1Members, spec.users) }, (_, i) => i));
  const w2: ChannelRef[] = [];
  for (let c = 0; c < spec.w2Channels; c++) {
    const size = Math.min(spec.users, spec.w2Min + Math.floor(r() * (spec.w2Max - spec.w2Min + 1)));
    const set = new Set<number>();
    while (set.size < size) set.add(Math.floor(r() * spec.users));
    w2.push(mkChannel([...set]));
  }
  const dms: ChannelRef[] = [];
  const dmPairs = new Set<string>();
  while (dms.length < spec.dms && spec.users > 1) {
    const a = Math.floor(r() * spec.users);
    const b = Math.floor(r() * spec.users);
    if (a === b) continue;
    const key = a < b ? `${a}-${b}` : `${b}-${a}`;
    if (dmPairs.has(key)) continue;
    dmPairs.add(key);
    dms.push(mkChannel([a, b]));
  }

  const tx = <T>(fn: () => T): T => db.transaction(fn)();

  tx(() => {
    const insUser = db.prepare(
      `INSERT INTO users (id, username, email, email_verified, password_hash, first_name, last_name, nickname,
        position, locale, roles, notify_props, props, timezone, is_bot, create_at, update_at, delete_at,
        last_password_update, last_picture_update, failed_attempts)
       VALUES (?, ?, ?, 1, ?, '', '', '', '', 'en', ?, ?, '{}', ?, 0, ?, ?, 0, ?, 0, 0)`,
    );
    const insSession = db.prepare(
      `INSERT INTO sessions (id, token_hash, user_id, csrf_token, device_id, roles, create_at, expires_at,
        last_activity_at, props) VALUES (?, ?, ?, ?, '', ?, ?, ?, ?, '{}')`,
    );
    const insTeamMember = db.prepare(
      `INSERT INTO team_members (team_id, user_id, scheme_admin, create_at) VALUES (?, ?, ?, ?)`,
    );
    const created = now - 400 * 86400_000;
    users.forEach((u, i) => {
      const roles = i === 0 ? 'system_user system_admin' : 'system_user';
      insUser.run(
        u.id,
        u.username,
        `${u.username}@bench.example.com`,
        passwordHash,
        roles,
        userNotifyProps,
        timezone,
        created,
        created,
        created,
      );
      insSession.run(newId(), sha256Hex(u.token), u.id, newId(), roles, now, now + 365 * 86400_000, now);
      insTeamMember.run(teamId, u.id, i === 0 ? 1 : 0, created);
    });
    db.prepare(
      `INSERT INTO teams (id, name, display_name, description, email, type, company_name, allowed_domains,
        invite_id, allow_open_invite, create_at, update_at, delete_at)
       VALUES (?, 'bench', 'Bench', '', '', 'O', '', '', ?, 0, ?, ?, 0)`,
    ).run(teamId, newId(), created, created);
  });
  log(`seed: ${users.length} users with sessions, 1 team`);

  // Channels with their posts' counters computed while the posts are generated.
  interface Counters {
    ref: ChannelRef;
    teamId: string;
    type: 'O' | 'D';
    name: string;
    display: string;
    total: number;
    totalRoot: number;
    lastPostAt: number;
    lastRootPostAt: number;
    roots: string[];
  }
  const all: Counters[] = [
    {
      ref: w1,
      teamId,
      type: 'O',
      name: 'w1',
      display: 'W1',
      total: 0,
      totalRoot: 0,
      lastPostAt: 0,
      lastRootPostAt: 0,
      roots: [],
    },
    ...w2.map((ref, i) => ({
      ref,
      teamId,
      type: 'O' as const,
      name: `w2-${i}`,
      display: `W2 ${i}`,
      total: 0,
      totalRoot: 0,
      lastPostAt: 0,
      lastRootPostAt: 0,
      roots: [] as string[],
    })),
    ...dms.map((ref) => {
      const ids = ref.members.map((m) => (users[m] as { id: string }).id).sort();
      return {
        ref,
        teamId: '',
        type: 'D' as const,
        name: `${ids[0]}__${ids[1]}`,
        display: '',
        total: 0,
        totalRoot: 0,
        lastPostAt: 0,
        lastRootPostAt: 0,
        roots: [] as string[],
      };
    }),
  ];

  // Posts: global time order over the last year; each picks a channel (uniform), a member as author,
  // and is a reply to a recent root of that channel with probability replyRatio.
  const replyCounts = new Map<string, { n: number; last: number }>();
  const threads: { channelId: string; postId: string }[] = [];
  {
    const insPost = db.prepare(
      `INSERT INTO posts (id, channel_id, user_id, root_id, create_at, update_at, edit_at, delete_at, is_pinned,
        message, type, props, hashtags, file_ids, pending_post_id, reply_count, last_reply_at)
       VALUES (?, ?, ?, ?, ?, ?, 0, 0, 0, ?, '', '{}', '', '[]', NULL, 0, 0)`,
    );
    const postIndexes = db
      .prepare(
        `SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'posts' AND sql IS NOT NULL`,
      )
      .all() as { name: string; sql: string }[];
    for (const ix of postIndexes) db.exec(`DROP INDEX ${ix.name}`);
    const span = 365 * 86400_000;
    const t0 = now - span;
    const BATCH = 100_000;
    for (let done = 0; done < spec.posts;) {
      const n = Math.min(BATCH, spec.posts - done);
      tx(() => {
        for (let k = 0; k < n; k++) {
          const i = done + k;
          const at = t0 + Math.floor((i / Math.max(1, spec.posts)) * span);
          const ch = (r() < spec.w1Share ? all[0] : all[1 + Math.floor(r() * (all.length - 1))]) as Counters;
          const author = users[ch.ref.members[Math.floor(r() * ch.ref.members.length)] as number] as {
            id: string;
          };
          const id = newId();
          let rootId = '';
          if (ch.roots.length > 0 && r() < spec.replyRatio) {
            rootId = ch.roots[Math.floor(r() * ch.roots.length)] as string;
            const rc = replyCounts.get(rootId);
            if (rc) {
              rc.n++;
              rc.last = at;
            } else replyCounts.set(rootId, { n: 1, last: at });
          } else {
            ch.roots.push(id);
            if (ch.roots.length > 20) ch.roots.shift();
            ch.totalRoot++;
            ch.lastRootPostAt = at;
          }
          ch.total++;
          ch.lastPostAt = at;
          insPost.run(id, ch.ref.id, author.id, rootId, at, at, sentence(r));
        }
      });
      done += n;
      if (done % 500_000 === 0 || done === spec.posts) log(`seed: ${done} posts`);
    }
    tx(() => {
      const upd = db.prepare('UPDATE posts SET reply_count = ?, last_reply_at = ? WHERE id = ?');
      for (const [id, rc] of replyCounts) upd.run(rc.n, rc.last, id);
    });
    for (const ix of postIndexes) db.exec(ix.sql);
    for (const c of all) {
      const root = c.roots.find((id) => replyCounts.has(id));
      if (root && threads.length < 1000) threads.push({ channelId: c.ref.id, postId: root });
    }
  }

  tx(() => {
    const insChannel = db.prepare(
      `INSERT INTO channels (id, team_id, type, name, display_name, header, purpose, creator_id, create_at,
        update_at, delete_at, last_post_at, last_root_post_at, total_msg_count, total_msg_count_root)
       VALUES (?, ?, ?, ?, ?, '', '', ?, ?, ?, 0, ?, ?, ?, ?)`,
    );
    const insMember = db.prepare(
      `INSERT INTO channel_members (channel_id, user_id, scheme_admin, last_viewed_at, msg_count, msg_count_root,
        mention_count, mention_count_root, notify_props, last_update_at)
       VALUES (?, ?, ?, ?, ?, ?, 0, 0, ?, ?)`,
    );
    const created = now - 390 * 86400_000;
    for (const c of all) {
      const creator = (users[c.ref.members[0] as number] as { id: string }).id;
      insChannel.run(
        c.ref.id,
        c.teamId,
        c.type,
        c.name,
        c.display,
        creator,
        created,
        created,
        c.lastPostAt,
        c.lastRootPostAt,
        c.total,
        c.totalRoot,
      );
      for (const m of c.ref.members) {
        // Most members are a few messages behind, so that unread counts have something to count.
        const behind = Math.min(c.total, Math.floor(r() * 5));
        insMember.run(
          c.ref.id,
          (users[m] as { id: string }).id,
          m === c.ref.members[0] ? 1 : 0,
          c.lastPostAt,
          c.total - behind,
          Math.max(0, c.totalRoot - behind),
          channelNotifyProps,
          created,
        );
      }
    }
  });
  db.exec('ANALYZE');
  db.pragma('journal_mode = WAL');
  db.close();

  const manifest: Manifest = {
    spec,
    createdAt: new Date().toISOString(),
    seedSeconds: (performance.now() - started) / 1000,
    dbFile,
    password: BENCH_PASSWORD,
    teamId,
    users,
    w1,
    w2,
    dms,
    threads,
  };
  fs.writeFileSync(path.join(dir, 'bench.json'), JSON.stringify(manifest));
  log(
    `seed: ${all.length} channels, ${spec.posts} posts in ${manifest.seedSeconds.toFixed(1)} s → ${dbFile}`,
  );
  return manifest;
}

/** The manifest of a seeded directory when it was built from the same spec, else a fresh seed. */
export async function ensureSeeded(
  dir: string,
  spec: SeedSpec,
  opts: { reseed?: boolean; log?: (s: string) => void } = {},
): Promise<Manifest> {
  const file = path.join(dir, 'bench.json');
  if (!opts.reseed && fs.existsSync(file) && fs.existsSync(path.join(dir, 'parley.db'))) {
    const m = JSON.parse(fs.readFileSync(file, 'utf8')) as Manifest;
    if (specKey(m.spec) === specKey(spec)) {
      // Bring a seed made before newer migrations up to date once, here, rather than in every run's
      // copy at the server's start-up (the search index's backfill takes a while on 1 M posts).
      const sqlite = new SQLite(path.join(dir, 'parley.db'));
      const kdb = new Kysely<unknown>({ dialect: new SqliteDialect({ database: sqlite }) });
      const applied = await migrateToLatest(kdb);
      await kdb.destroy();
      if (applied.length > 0) opts.log?.(`seed: applied ${applied.join(', ')} to the cached database`);
      return m;
    }
  }
  return seed(dir, spec, opts.log);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      dir: { type: 'string', default: 'results/seed' },
      users: { type: 'string', default: '5000' },
      'w1-members': { type: 'string' },
      'w2-channels': { type: 'string' },
      'w2-min': { type: 'string', default: '10' },
      'w2-max': { type: 'string', default: '50' },
      dms: { type: 'string', default: '1000' },
      posts: { type: 'string', default: '1000000' },
      'reply-ratio': { type: 'string', default: '0.1' },
      'w1-share': { type: 'string', default: '0.1' },
    },
    strict: true,
  });
  const users = Number(values.users);
  const spec: SeedSpec = {
    users,
    w1Members: Number(values['w1-members'] ?? users),
    w2Channels: Number(values['w2-channels'] ?? Math.floor(users / 10)),
    w2Min: Number(values['w2-min']),
    w2Max: Number(values['w2-max']),
    dms: Number(values.dms),
    posts: Number(values.posts),
    replyRatio: Number(values['reply-ratio']),
    w1Share: Number(values['w1-share']),
  };
  await seed(path.resolve(values.dir), spec);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
