/**
 * The store: every SQL statement Parley runs lives below this folder. Plain rows in and out; no
 * permissions and no events here. `transaction` hands a store bound to one transaction to its callback,
 * so a service can make several writes that all land or none do.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../db/schema.js';
import type { Dialect } from '../db/connection.js';
import { UserStore } from './users.js';
import { SessionStore } from './sessions.js';
import { TeamStore } from './teams.js';
import { ChannelStore } from './channels.js';
import { PostStore } from './posts.js';
import { PreferenceStore } from './preferences.js';
import { RealtimeStore } from './realtime.js';
import { ReactionStore } from './reactions.js';
import { FileStore } from './files.js';
import { UnreadStore } from './unreads.js';
import { ThreadStore } from './threads.js';
import { SearchStore } from './search.js';

export type Executor = Kysely<Database> | Transaction<Database>;

export class Store {
  readonly users: UserStore;
  readonly sessions: SessionStore;
  readonly teams: TeamStore;
  readonly channels: ChannelStore;
  readonly posts: PostStore;
  readonly preferences: PreferenceStore;
  readonly realtime: RealtimeStore;
  readonly reactions: ReactionStore;
  readonly files: FileStore;
  readonly unreads: UnreadStore;
  readonly threads: ThreadStore;
  readonly search: SearchStore;

  constructor(
    private readonly db: Executor,
    readonly dialect: Dialect,
  ) {
    this.users = new UserStore(db, dialect);
    this.sessions = new SessionStore(db);
    this.teams = new TeamStore(db);
    this.channels = new ChannelStore(db, dialect);
    this.posts = new PostStore(db, dialect);
    this.preferences = new PreferenceStore(db);
    this.realtime = new RealtimeStore(db);
    this.reactions = new ReactionStore(db);
    this.files = new FileStore(db);
    this.unreads = new UnreadStore(db);
    this.threads = new ThreadStore(db);
    this.search = new SearchStore(db, dialect);
  }

  /** Runs fn in one transaction; nested calls join the outer transaction. */
  async transaction<T>(fn: (tx: Store) => Promise<T>): Promise<T> {
    if (this.db.isTransaction) return fn(this);
    return (this.db as Kysely<Database>).transaction().execute((trx) => fn(new Store(trx, this.dialect)));
  }
}

/** True when err is a unique or primary-key violation, on either dialect. */
export function isUniqueViolation(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const code = (err as { code?: unknown }).code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/** Escapes LIKE wildcards in user text; queries use ESCAPE '\'. */
export function likeEscape(s: string): string {
  return s.replace(/[\\%_]/g, (c) => '\\' + c);
}

/** lower(col) LIKE pattern, with backslash as the escape character on both dialects. */
export function likeLower(col: string, pattern: string) {
  return sql<boolean>`lower(${sql.ref(col)}) like ${pattern} escape '\\'`;
}
