/**
 * The baselines Parley is measured against, in one self-contained file (compiled to plain JavaScript so
 * that it starts like Parley's build does):
 *
 * - B0 (BASELINE_PERSIST unset): a bare `ws` broadcast server. It authenticates sockets against the
 *   seeded database's sessions (sha256 of the bearer token), accepts `POST /api/v4/posts`, serialises
 *   the `posted` event once, frames it once and writes the same bytes to every member's socket. This is
 *   the physical limit of Node + ws + loopback TCP for the same wire traffic.
 * - B2 (BASELINE_PERSIST=1): B0 plus one SQLite insert per post into the same `posts` table
 *   (better-sqlite3, WAL, synchronous=NORMAL), before the event goes out.
 *
 * Typing (`user_typing`) fans out to the channel but the typist, serialised once like posts; the
 * active-status action is answered and sent back to that user only. No per-connection `seq`: the point of
 * B0 is identical bytes for every recipient.
 *
 * Environment: BASELINE_DB (seeded SQLite file), PORT, HOST, BASELINE_PERSIST.
 */
import http from 'node:http';
import { createHash, randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import Database from 'better-sqlite3';
import { WebSocketServer, type WebSocket, type RawData } from 'ws';

const dbFile = process.env.BASELINE_DB ?? '';
const port = Number(process.env.PORT ?? '0');
const host = process.env.HOST ?? '127.0.0.1';
const persist = process.env.BASELINE_PERSIST === '1';
/**
 * How each socket's bytes are written. `shared` (B0): one frame, the same bytes for everyone.
 * Experiments with a per-connection `seq` suffix, as Mattermost's protocol needs: `corked` writes header,
 * shared body and suffix as three corked writes (a writev per socket, no copy; Parley's way);
 * `copied` copies them into one buffer per socket and writes it once.
 */
const framing = (process.env.BASELINE_FRAMING ?? 'shared') as 'shared' | 'corked' | 'copied';

if (!dbFile) {
  process.stderr.write('baseline: BASELINE_DB is required\n');
  process.exit(1);
}

const db = new Database(dbFile);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');

interface ChannelInfo {
  id: string;
  name: string;
  display_name: string;
  type: string;
  team_id: string;
  members: string[];
}

const sessions = new Map<string, string>();
for (const r of db.prepare('SELECT token_hash, user_id FROM sessions').all() as {
  token_hash: string;
  user_id: string;
}[]) {
  sessions.set(r.token_hash, r.user_id);
}
const usernames = new Map<string, string>();
for (const r of db.prepare('SELECT id, username FROM users').all() as { id: string; username: string }[]) {
  usernames.set(r.id, r.username);
}
const channels = new Map<string, ChannelInfo>();
for (const r of db.prepare('SELECT id, name, display_name, type, team_id FROM channels').all() as Omit<
  ChannelInfo,
  'members'
>[]) {
  channels.set(r.id, { ...r, members: [] });
}
const memberships = new Set<string>();
for (const r of db.prepare('SELECT channel_id, user_id FROM channel_members').all() as {
  channel_id: string;
  user_id: string;
}[]) {
  channels.get(r.channel_id)?.members.push(r.user_id);
  memberships.add(r.channel_id + r.user_id);
}

const insertPost = persist
  ? db.prepare(
      `INSERT INTO posts (id, channel_id, user_id, root_id, create_at, update_at, edit_at, delete_at,
         is_pinned, message, type, props, hashtags, file_ids, pending_post_id, reply_count, last_reply_at)
       VALUES (?, ?, ?, ?, ?, ?, 0, 0, 0, ?, '', '{}', '', '[]', NULL, 0, 0)`,
    )
  : undefined;

const ALPHABET = 'ybndrfg8ejkmcpqxot1uwisza345h769';
function newId(): string {
  const bytes = randomBytes(16);
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const b of bytes) {
    buffer = ((buffer << 8) | b) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += ALPHABET[(buffer << (5 - bits)) & 31];
  return out;
}

/** One unmasked text frame: header and payload in a single buffer, built once per event. */
function frame(text: string): Buffer {
  const payload = Buffer.from(text, 'utf8');
  const n = payload.length;
  const headerLen = n < 126 ? 2 : n < 65536 ? 4 : 10;
  const buf = Buffer.allocUnsafe(headerLen + n);
  buf[0] = 0x81;
  if (n < 126) buf[1] = n;
  else if (n < 65536) {
    buf[1] = 126;
    buf.writeUInt16BE(n, 2);
  } else {
    buf[1] = 127;
    buf.writeBigUInt64BE(BigInt(n), 2);
  }
  payload.copy(buf, headerLen);
  return buf;
}

interface Conn {
  ws: WebSocket;
  socket: Socket;
  userId: string;
  seq: number;
}
const connsByUser = new Map<string, Set<Conn>>();

function headerFor(n: number): Buffer {
  const h = Buffer.allocUnsafe(n < 126 ? 2 : n < 65536 ? 4 : 10);
  h[0] = 0x81;
  if (n < 126) h[1] = n;
  else if (n < 65536) {
    h[1] = 126;
    h.writeUInt16BE(n, 2);
  } else {
    h[1] = 127;
    h.writeBigUInt64BE(BigInt(n), 2);
  }
  return h;
}

/** `framed` is the complete shared frame; `body` the event without its closing brace (for seq). */
function deliver(userIds: readonly string[], framed: Buffer, body: Buffer, omit?: string): number {
  let n = 0;
  for (const uid of userIds) {
    if (uid === omit) continue;
    const set = connsByUser.get(uid);
    if (!set) continue;
    for (const c of set) {
      if (framing === 'shared') c.socket.write(framed);
      else {
        const suffix = Buffer.from(',"seq":' + c.seq++ + '}', 'latin1');
        const header = headerFor(body.length + suffix.length);
        if (framing === 'corked') {
          c.socket.cork();
          c.socket.write(header);
          c.socket.write(body);
          c.socket.write(suffix);
          c.socket.uncork();
        } else {
          c.socket.write(Buffer.concat([header, body, suffix], header.length + body.length + suffix.length));
        }
      }
      n++;
    }
  }
  return n;
}

/** An event's shared frame, and its body without the closing brace for the seq variants. */
function encode(text: string): { framed: Buffer; body: Buffer } {
  return { framed: frame(text), body: Buffer.from(text.slice(0, -1), 'utf8') };
}

function event(name: string, data: Record<string, unknown>, channelId: string, teamId: string): string {
  return JSON.stringify({
    event: name,
    data,
    broadcast: { omit_users: null, user_id: '', channel_id: channelId, team_id: teamId },
  });
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  const s = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(s) });
  res.end(s);
}

function bearer(h: string | undefined): string | undefined {
  if (!h) return undefined;
  const m = /^(?:bearer|token)\s+(\S+)$/i.exec(h);
  if (!m?.[1]) return undefined;
  return sessions.get(createHash('sha256').update(m[1]).digest('hex'));
}

function createPost(userId: string, body: unknown): { status: number; body: unknown } {
  if (typeof body !== 'object' || body === null) return { status: 400, body: { id: 'bad_body' } };
  const { channel_id, message, root_id } = body as Record<string, unknown>;
  if (typeof channel_id !== 'string' || typeof message !== 'string') return { status: 400, body: {} };
  const ch = channels.get(channel_id);
  if (!ch || !memberships.has(channel_id + userId)) return { status: 403, body: { id: 'forbidden' } };
  const now = Date.now();
  const post = {
    id: newId(),
    create_at: now,
    update_at: now,
    edit_at: 0,
    delete_at: 0,
    is_pinned: false,
    user_id: userId,
    channel_id,
    root_id: typeof root_id === 'string' ? root_id : '',
    original_id: '',
    message,
    type: '',
    props: {},
    hashtags: '',
    pending_post_id: '',
    reply_count: 0,
    last_reply_at: 0,
    participants: null,
    metadata: {},
  };
  insertPost?.run(post.id, channel_id, userId, post.root_id, now, now, message);
  const encoded = encode(
    event(
      'posted',
      {
        channel_display_name: ch.display_name,
        channel_name: ch.name,
        channel_type: ch.type,
        mentions: '[]',
        post: JSON.stringify(post),
        sender_name: '@' + (usernames.get(userId) ?? ''),
        set_online: true,
        team_id: ch.team_id,
      },
      channel_id,
      ch.team_id,
    ),
  );
  deliver(ch.members, encoded.framed, encoded.body);
  return { status: 201, body: post };
}

const server = http.createServer((req, res) => {
  const url = req.url ?? '/';
  if (req.method === 'GET' && url === '/api/v4/system/ping') return sendJson(res, 200, { status: 'OK' });
  if (req.method === 'GET' && url === '/bench/stats') {
    return sendJson(res, 200, { cpu: process.cpuUsage(), memory: process.memoryUsage() });
  }
  if (req.method === 'POST' && url === '/api/v4/posts') {
    const userId = bearer(req.headers.authorization);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (!userId) return sendJson(res, 401, { id: 'api.context.session_expired.app_error' });
      let body: unknown;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        return sendJson(res, 400, { id: 'bad_json' });
      }
      const r = createPost(userId, body);
      sendJson(res, r.status, r.body);
    });
    return;
  }
  sendJson(res, 404, { id: 'api.context.404.app_error' });
});

const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, clientTracking: false });

function onMessage(conn: Conn, raw: RawData): void {
  let msg: { seq?: unknown; action?: unknown; data?: Record<string, unknown> };
  try {
    msg = JSON.parse(raw.toString()) as typeof msg;
  } catch {
    return;
  }
  const seq = typeof msg.seq === 'number' ? msg.seq : 0;
  const data = msg.data ?? {};
  if (msg.action === 'user_typing') {
    const ch = typeof data.channel_id === 'string' ? channels.get(data.channel_id) : undefined;
    if (ch && memberships.has(ch.id + conn.userId)) {
      const e = encode(
        event('typing', { parent_id: data.parent_id ?? '', user_id: conn.userId }, ch.id, ch.team_id),
      );
      deliver(ch.members, e.framed, e.body, conn.userId);
    }
  } else if (msg.action === 'user_update_active_status') {
    const e = encode(event('status_change', { status: 'online', user_id: conn.userId }, '', ''));
    deliver([conn.userId], e.framed, e.body);
  }
  conn.ws.send(
    JSON.stringify(
      msg.action === 'ping'
        ? { status: 'OK', seq_reply: seq, data: { text: 'pong', server_time: Date.now() } }
        : { status: 'OK', seq_reply: seq },
    ),
  );
}

server.on('upgrade', (req, socket, head) => {
  if (!(req.url ?? '').startsWith('/api/v4/websocket')) {
    socket.destroy();
    return;
  }
  const userId = bearer(req.headers.authorization);
  if (!userId) {
    socket.write('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n');
    socket.destroy();
    return;
  }
  wss.handleUpgrade(req, socket, head, (ws) => {
    const conn: Conn = { ws, socket: socket as Socket, userId, seq: 1 };
    let set = connsByUser.get(userId);
    if (!set) connsByUser.set(userId, (set = new Set()));
    set.add(conn);
    ws.on('message', (raw) => onMessage(conn, raw));
    ws.on('close', () => {
      set.delete(conn);
      if (set.size === 0) connsByUser.delete(userId);
    });
    ws.on('error', () => ws.terminate());
    ws.send(
      JSON.stringify({
        event: 'hello',
        data: { server_version: 'baseline', connection_id: newId(), server_hostname: 'baseline' },
        broadcast: { omit_users: null, user_id: userId, channel_id: '', team_id: '' },
        ...(framing === 'shared' ? {} : { seq: 0 }),
      }),
    );
  });
});

server.listen(port, host, () => {
  const addr = server.address();
  process.stdout.write(`baseline ${persist ? 'B2' : 'B0'} listening on ${JSON.stringify(addr)}\n`);
});

const stop = () => {
  server.close();
  db.close();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
