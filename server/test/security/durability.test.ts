/**
 * Nothing lost (security.md 27), and no secret in the logs (26), on the real server process:
 * `node --import tsx src/main.ts` on a fresh database (SQLite file, or a PostgreSQL schema through
 * DATABASE_URL), with a bootstrap administrator. Clients post with distinct pending_post_ids, many at
 * once; the process is killed with SIGKILL mid-stream; it is started again on the same data; every
 * post (acknowledged or not) is retried with its pending_post_id. Every acknowledged post must have
 * survived the kill, keep its id on retry, and exist exactly once; no retry may duplicate anything.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Client4 } from '@mattermost/client';
import type { Channel } from '@mattermost/types/channels';
import type { Post } from '@mattermost/types/posts';
import type { Team } from '@mattermost/types/teams';
import { createTestDatabase, testDialect, type TestDatabase } from '../helpers/db.js';
import { dbEnv, startServer, type RunningServer } from '../ops/proc.js';

const ADMIN = {
  PARLEY_ADMIN_USERNAME: 'root',
  PARLEY_ADMIN_EMAIL: 'root@example.com',
  PARLEY_ADMIN_PASSWORD: 'durable root password',
};

let tdb: TestDatabase | undefined;
const running: RunningServer[] = [];

afterEach(async () => {
  for (const r of running.splice(0)) {
    if (r.proc.child.exitCode === null && r.proc.child.signalCode === null) {
      r.proc.child.kill('SIGKILL');
      await r.proc.exited;
    }
  }
  await tdb?.destroy();
  tdb = undefined;
});

function client(url: string, token?: string): Client4 {
  const c = new Client4();
  c.setUrl(url);
  if (token) c.setToken(token);
  return c;
}

describe(`kill -9 while clients post, on ${testDialect()}`, () => {
  it(
    'keeps every acknowledged post exactly once, and retries by pending_post_id never duplicate',
    {
      timeout: 120_000,
    },
    async () => {
      tdb = await createTestDatabase();
      await tdb.handle.close(); // the server process owns the database
      const env = { ...dbEnv(tdb), PARLEY_BCRYPT_COST: '10', PARLEY_LOG_LEVEL: 'info', ...ADMIN };

      const first = await startServer(env);
      running.push(first);
      const root = client(first.url);
      await root.login(ADMIN.PARLEY_ADMIN_USERNAME, ADMIN.PARLEY_ADMIN_PASSWORD);
      const token = root.getToken();
      const team = await root.createTeam({ name: 'durable', display_name: 'Durable', type: 'O' } as Team);
      const channel = await root.createChannel({
        team_id: team.id,
        name: 'stream',
        display_name: 'Stream',
        type: 'O',
      } as Channel);

      // Posting: 12 clients at once until the process dies.
      const TOTAL = 300;
      const KILL_AFTER = 100;
      const pending = (i: number) => `durable-${i}`;
      const acked = new Map<number, string>(); // index → post id
      let next = 0;
      let killed = false;
      const poster = client(first.url, token);
      const worker = async () => {
        while (next < TOTAL && !killed) {
          const i = next++;
          try {
            const p = await poster.createPost({
              channel_id: channel.id,
              message: `message ${i}`,
              pending_post_id: pending(i),
            } as Post);
            acked.set(i, p.id);
            if (acked.size >= KILL_AFTER && !killed) {
              killed = true;
              first.proc.child.kill('SIGKILL');
            }
          } catch {
            // The connection died with the process: not acknowledged, retried below.
          }
        }
      };
      await Promise.all(Array.from({ length: 12 }, worker));
      const exit = await first.proc.exited;
      expect(exit.signal).toBe('SIGKILL');
      expect(acked.size).toBeGreaterThanOrEqual(KILL_AFTER);
      const sent = next;
      expect(sent).toBeLessThan(TOTAL); // killed mid-stream, not after the end

      // Restart on the same data; the session survives.
      const second = await startServer(env);
      running.push(second);
      const c = client(second.url, token);
      for (const [i, id] of acked) {
        const p = await c.getPost(id);
        expect(p.message, `acknowledged post ${i}`).toBe(`message ${i}`);
      }

      // Retry everything, acknowledged or not (some twice, concurrently), with the same pending ids.
      const retried = new Map<number, string>();
      const order = [...Array(TOTAL).keys(), ...Array(40).keys()];
      let k = 0;
      await Promise.all(
        Array.from({ length: 12 }, async () => {
          while (k < order.length) {
            const i = order[k++]!;
            const p = await c.createPost({
              channel_id: channel.id,
              message: `message ${i}`,
              pending_post_id: pending(i),
            } as Post);
            const seen = retried.get(i);
            if (seen !== undefined) expect(p.id, `retry of ${i}`).toBe(seen);
            retried.set(i, p.id);
          }
        }),
      );
      for (const [i, id] of acked) expect(retried.get(i), `acknowledged post ${i} kept its id`).toBe(id);

      // Exactly one post per pending id, nothing else.
      const all: Post[] = [];
      for (let page = 0; ; page++) {
        const list = await c.getPosts(channel.id, page, 200);
        all.push(...list.order.map((id) => list.posts[id]!));
        if (list.order.length < 200) break;
      }
      const byPending = new Map<string, number>();
      for (const p of all) byPending.set(p.pending_post_id, (byPending.get(p.pending_post_id) ?? 0) + 1);
      expect(all).toHaveLength(TOTAL);
      expect([...byPending.values()].every((n) => n === 1)).toBe(true);
      expect(new Set(all.map((p) => p.message)).size).toBe(TOTAL);
      expect((await c.getChannel(channel.id)).total_msg_count).toBe(TOTAL);

      // Nothing secret reached the logs of either process.
      const again = client(second.url);
      await again.login(ADMIN.PARLEY_ADMIN_USERNAME, ADMIN.PARLEY_ADMIN_PASSWORD);
      await again.getMe();
      const logs = [first, second].map((r) => r.proc.stdout() + r.proc.stderr()).join('\n');
      expect(logs).toMatch(/ready/i);
      for (const secret of [token, again.getToken(), ADMIN.PARLEY_ADMIN_PASSWORD])
        expect(logs).not.toContain(secret);
      expect(logs).not.toMatch(/\$2[aby]\$/);
    },
  );
});
