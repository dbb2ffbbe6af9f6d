/**
 * Full-text search over post messages (store/search.ts queries it).
 *
 * SQLite: an FTS5 table without content of its own (`content=''`, rows deletable) over the messages of
 * live posts, kept in step with `posts` by triggers, so no code path that writes posts has to remember
 * it. FTS5 rows are keyed by integers: `post_search_keys` gives each indexed post one, in the order the
 * posts were indexed (newest last), which lets a search walk matches newest first and stop at a page.
 * The key survives an edit, so an edited post keeps its place. The channel id is indexed too, so that a
 * search can narrow the matches to the caller's channels inside FTS5 (a word common elsewhere and rare
 * in the caller's channels then costs a merge of posting lists, not a row lookup per match).
 *
 * PostgreSQL: a GIN index on the message's tsvector (live posts only); PostgreSQL keeps it in step.
 *
 * Both tokenise alike: ASCII punctuation separates words (PostgreSQL's parser would otherwise keep
 * `bob@example.com` or `foo-bar` whole where FTS5 splits them), the 'simple' configuration has no
 * stemming and no stop words, and case is folded. The expression below must stay byte-for-byte the one
 * store/search.ts queries, or PostgreSQL will not use the index.
 */
import { PostgresAdapter, sql, type Kysely } from 'kysely';

/** PostgreSQL: the indexed expression over `message` (qualify the column with `col`). */
export function pgSearchVector(col: string): string {
  return `to_tsvector('simple'::regconfig, regexp_replace(${col}, '[\\x01-\\x2F\\x3A-\\x40\\x5B-\\x60\\x7B-\\x7F]+', ' ', 'g'))`;
}

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations are written against an untyped schema */
export async function up(db: Kysely<any>): Promise<void> {
  if (db.getExecutor().adapter instanceof PostgresAdapter) {
    await sql
      .raw(`CREATE INDEX posts_search ON posts USING gin (${pgSearchVector('message')}) WHERE delete_at = 0`)
      .execute(db);
    return;
  }
  await sql`CREATE TABLE post_search_keys (
    search_rowid INTEGER PRIMARY KEY,
    post_id varchar(26) NOT NULL UNIQUE
  )`.execute(db);
  await sql`CREATE VIRTUAL TABLE posts_fts USING fts5(
    message, channel_id, content = '', contentless_delete = 1, tokenize = 'unicode61 remove_diacritics 2'
  )`.execute(db);

  // Indexed: live posts. A post enters the index when created, leaves it when deleted, and is
  // re-indexed under the same key when its message changes.
  await sql`CREATE TRIGGER posts_search_insert AFTER INSERT ON posts WHEN new.delete_at = 0
  BEGIN
    INSERT INTO post_search_keys (post_id) VALUES (new.id);
    INSERT INTO posts_fts (rowid, message, channel_id) VALUES (last_insert_rowid(), new.message, new.channel_id);
  END`.execute(db);
  await sql`CREATE TRIGGER posts_search_update AFTER UPDATE OF message, delete_at ON posts
  WHEN old.message IS NOT new.message OR (old.delete_at = 0) IS NOT (new.delete_at = 0)
  BEGIN
    DELETE FROM posts_fts WHERE rowid = (SELECT search_rowid FROM post_search_keys WHERE post_id = old.id);
    DELETE FROM post_search_keys WHERE post_id = old.id AND new.delete_at <> 0;
    INSERT OR IGNORE INTO post_search_keys (post_id) SELECT new.id WHERE new.delete_at = 0;
    INSERT INTO posts_fts (rowid, message, channel_id)
      SELECT search_rowid, new.message, new.channel_id FROM post_search_keys
      WHERE post_id = new.id AND new.delete_at = 0;
  END`.execute(db);
  await sql`CREATE TRIGGER posts_search_delete AFTER DELETE ON posts
  BEGIN
    DELETE FROM posts_fts WHERE rowid = (SELECT search_rowid FROM post_search_keys WHERE post_id = old.id);
    DELETE FROM post_search_keys WHERE post_id = old.id;
  END`.execute(db);

  // Backfill, oldest first so that key order follows time.
  await sql`INSERT INTO post_search_keys (post_id)
    SELECT id FROM posts WHERE delete_at = 0 ORDER BY create_at, id`.execute(db);
  await sql`INSERT INTO posts_fts (rowid, message, channel_id)
    SELECT k.search_rowid, p.message, p.channel_id FROM post_search_keys k JOIN posts p ON p.id = k.post_id`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  if (db.getExecutor().adapter instanceof PostgresAdapter) {
    await sql`DROP INDEX posts_search`.execute(db);
    return;
  }
  for (const t of ['posts_search_insert', 'posts_search_update', 'posts_search_delete']) {
    await sql.raw(`DROP TRIGGER ${t}`).execute(db);
  }
  await sql`DROP TABLE posts_fts`.execute(db);
  await sql`DROP TABLE post_search_keys`.execute(db);
}
