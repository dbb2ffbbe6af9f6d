/**
 * Opens the database the configuration names: SQLite (better-sqlite3, WAL) under the data directory by
 * default, PostgreSQL (pg) when DATABASE_URL is set. Above this file nothing knows which one runs.
 *
 * Each driver is loaded only when it is used (start-up time: `pg` is not read from disk for SQLite).
 * SQLite statements are prepared once per SQL text and reused (StatementCache): Kysely's SQLite driver
 * asks for `prepare(sql)` on every query, and preparing was a tenth of the server's busy time.
 * The server checkpoints SQLite's WAL on a worker thread (Checkpointer) instead of inside a commit.
 * SQLite transactions begin IMMEDIATE (ImmediateSqliteDialect), so that another process on the same file
 * (parleyctl beside a running server, two parleyctl at once) waits for the write lock instead of failing.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import type BetterSqlite3 from 'better-sqlite3';
import type PgModule from 'pg';
import {
  CompiledQuery,
  Kysely,
  PostgresDialect,
  SqliteDialect,
  SqliteDriver,
  type DatabaseConnection,
  type Driver,
  type SqliteDialectConfig,
} from 'kysely';
import type { Database } from './schema.js';
import { BACKSTOP_WAL_PAGES, Checkpointer } from './checkpointer.js';

export type Dialect = 'sqlite' | 'postgres';

export interface DatabaseHandle {
  db: Kysely<Database>;
  dialect: Dialect;
  close(): Promise<void>;
  /** SQLite with background checkpoints only. */
  checkpointer?: Checkpointer;
}

export interface OpenOptions {
  dataDir: string;
  databaseUrl: string | undefined;
  /** PostgreSQL only: the schema to use (tests give each server its own). */
  pgSchema?: string;
  /** SQLite only: a file path instead of <dataDir>/parley.db (":memory:" allowed). */
  sqliteFile?: string;
  /**
   * SQLite file only: checkpoint the WAL on a worker thread this often (ms) instead of inside the commit
   * that fills it (the server's choice; parleyctl and tests keep SQLite's own). 0 or absent: SQLite's.
   */
  backgroundCheckpointMs?: number;
  /** Where a failed background checkpoint is reported (standard error by default). */
  onCheckpointError?: (err: Error) => void;
}

/** Both drivers are CommonJS packages: required synchronously, and only by the branch that uses them. */
const requireDriver = createRequire(import.meta.url);

/** Distinct SQL texts kept prepared. Parley's queries are a few hundred shapes; `IN (…)` lists add more. */
export const STATEMENT_CACHE_SIZE = 1000;

/**
 * Prepared statements by SQL text, least recently used dropped first. A statement is reused only when
 * it is not in the middle of an iteration (`busy`): then a fresh, uncached one is handed out. Reuse is
 * otherwise safe: better-sqlite3 binds the parameters and resets the statement on every run/all/get,
 * including after an error, and SQLite re-prepares a statement itself when the schema changed.
 */
export class StatementCache {
  private readonly statements = new Map<string, BetterSqlite3.Statement>();

  constructor(
    private readonly sqlite: BetterSqlite3.Database,
    private readonly capacity = STATEMENT_CACHE_SIZE,
  ) {}

  get size(): number {
    return this.statements.size;
  }

  prepare(sql: string): BetterSqlite3.Statement {
    const cached = this.statements.get(sql);
    if (cached && !cached.busy) {
      // Most recently used goes last (Map keeps insertion order).
      this.statements.delete(sql);
      this.statements.set(sql, cached);
      return cached;
    }
    const stmt = this.sqlite.prepare(sql);
    if (cached) return stmt;
    this.statements.set(sql, stmt);
    if (this.statements.size > this.capacity) {
      const oldest = this.statements.keys().next();
      if (!oldest.done) this.statements.delete(oldest.value);
    }
    return stmt;
  }

  clear(): void {
    this.statements.clear();
  }
}

/**
 * Kysely's SQLite dialect with transactions that take the write lock when they begin. A deferred
 * `BEGIN` reads first and upgrades to a write lock later; in WAL mode that upgrade fails at once with
 * SQLITE_BUSY (the busy timeout does not apply) when another process wrote in between, e.g. two
 * parleyctl processes migrating one file. `BEGIN IMMEDIATE` waits for the lock under the busy timeout.
 * Within one process nothing changes: Kysely runs SQLite through a single connection, one transaction
 * at a time.
 */
class ImmediateSqliteDialect extends SqliteDialect {
  constructor(private readonly sqliteConfig: SqliteDialectConfig) {
    super(sqliteConfig);
  }

  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.sqliteConfig);
  }
}

class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

export function openDatabase(opts: OpenOptions): DatabaseHandle {
  if (opts.databaseUrl) return openPostgres(opts.databaseUrl, opts.pgSchema);
  const file = opts.sqliteFile ?? path.join(opts.dataDir, 'parley.db');
  if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
  const SQLite = requireDriver('better-sqlite3') as typeof BetterSqlite3;
  const sqlite = new SQLite(file);
  // The busy timeout first: switching to WAL needs a lock another process may hold for a moment.
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  const statements = new StatementCache(sqlite);
  const database = {
    prepare: (sql: string) => statements.prepare(sql),
    close: () => {
      statements.clear();
      sqlite.close();
    },
  };
  const db = new Kysely<Database>({ dialect: new ImmediateSqliteDialect({ database }) });
  if (!opts.backgroundCheckpointMs || file === ':memory:') {
    return { db, dialect: 'sqlite', close: () => db.destroy() };
  }
  sqlite.pragma(`wal_autocheckpoint = ${BACKSTOP_WAL_PAGES}`);
  const checkpointer = new Checkpointer({
    file,
    driver: requireDriver.resolve('better-sqlite3'),
    intervalMs: opts.backgroundCheckpointMs,
    onError: opts.onCheckpointError ?? ((err) => process.stderr.write(`parley: ${err.message}\n`)),
  });
  return {
    db,
    dialect: 'sqlite',
    checkpointer,
    close: async () => {
      // The worker's connection first: the last connection to close checkpoints and removes the WAL.
      await checkpointer.close();
      await db.destroy();
    },
  };
}

function openPostgres(databaseUrl: string, pgSchema: string | undefined): DatabaseHandle {
  const pg = requireDriver('pg') as typeof PgModule;
  // bigint (OID 20) and numeric counts come back from pg as strings; every bigint Parley stores is a
  // millisecond time or a count, far below 2^53.
  const types = {
    getTypeParser(oid: number, format?: 'text' | 'binary') {
      if (oid === 20) return (v: string) => Number(v);
      return pg.types.getTypeParser(oid, format);
    },
  };
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: 10,
    types: types as PgModule.CustomTypesConfig,
    ...(pgSchema ? { options: `-c search_path=${pgSchema}` } : {}),
  });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return { db, dialect: 'postgres', close: () => db.destroy() };
}
