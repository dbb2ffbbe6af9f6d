/**
 * Post search: the full-text index of migration 005 (FTS5 on SQLite, a GIN tsvector index on
 * PostgreSQL) joined with the caller's channel memberships. The text match is the only part that
 * differs between the dialects; the filters are shared.
 *
 * Who may see what is decided here, in SQL, and nowhere else: a post is a candidate only when the user
 * is a member of its channel right now (public channels they have not joined included out, as
 * Mattermost does), the post is live, and its channel is not archived unless asked.
 */
import { sql, type RawBuilder } from 'kysely';
import type { Dialect } from '../db/connection.js';
import { pgSearchVector } from '../db/migrations/005_search.js';
import type { Executor } from './store.js';
import type { PostView } from './posts.js';

/**
 * A search term: one word, or several for a phrase, each made only of letters, digits and marks (the
 * service splits on everything else), so neither dialect's query syntax can be reached from user text.
 */
export interface SearchTerm {
  words: readonly string[];
  /** The last word is a prefix (`deplo*`). */
  prefix: boolean;
}

export interface PostSearchQuery {
  userId: string;
  /** Only channels of this team, and direct and group channels (which have no team). */
  teamId?: string;
  terms: readonly SearchTerm[];
  excludedTerms: readonly SearchTerm[];
  /** Any of `terms` instead of all of them. */
  orTerms: boolean;
  fromUsernames: readonly string[];
  excludedUsernames: readonly string[];
  channelNames: readonly string[];
  excludedChannelNames: readonly string[];
  /** Inclusive bounds on create_at. */
  since?: number;
  until?: number;
  includeArchivedChannels: boolean;
  offset: number;
  limit: number;
}

const and = (parts: RawBuilder<unknown>[]) => sql.join(parts, sql` AND `);

/** Up to this many channels, the FTS5 query itself is narrowed to the caller's channels. */
const MAX_FTS_CHANNELS = 1000;
/** Channel ids go into FTS5 query text only when they are plain words. */
const FTS_SAFE_ID = /^[a-z0-9]{1,64}$/;

export class SearchStore {
  constructor(
    private readonly db: Executor,
    readonly dialect: Dialect,
  ) {}

  /**
   * Matching posts newest first. With terms, SQLite walks the index newest first (by index key, which
   * follows creation order) and stops at the page; PostgreSQL sorts the matches by create_at.
   */
  async searchPosts(q: PostSearchQuery): Promise<PostView[]> {
    const channelIds = await this.channelIds(q);
    if (channelIds.length === 0) return [];
    const filters = this.filters(q);
    const columns = sql`p.*, coalesce(r.reply_count, p.reply_count) AS thread_reply_count`;
    const page = sql`LIMIT ${q.limit} OFFSET ${q.offset}`;

    if (this.dialect === 'sqlite') {
      // Narrow the matches to the caller's channels inside FTS5 too; the SQL filters stay the authority.
      const scope =
        channelIds.length <= MAX_FTS_CHANNELS && channelIds.every((id) => FTS_SAFE_ID.test(id))
          ? ` AND channel_id : (${channelIds.map((id) => `"${id}"`).join(' OR ')})`
          : '';
      if (q.terms.length > 0) {
        const match = `message : (${ftsMatch(q.terms, q.excludedTerms, q.orTerms)})${scope}`;
        // CROSS JOIN fixes the join order: the FTS table drives, in key order.
        const r = await sql<PostView>`SELECT ${columns}
          FROM posts_fts f
          CROSS JOIN post_search_keys k ON k.search_rowid = f.rowid
          CROSS JOIN posts p ON p.id = k.post_id
          LEFT JOIN posts r ON r.id = p.root_id
          WHERE posts_fts MATCH ${match} AND ${and(filters)}
          ORDER BY f.rowid DESC ${page}`.execute(this.db);
        return r.rows;
      }
      if (q.excludedTerms.length > 0) {
        const match = `message : (${ftsExpr(q.excludedTerms, 'OR')})${scope}`;
        filters.push(sql`p.id NOT IN (SELECT k.post_id FROM posts_fts f
          JOIN post_search_keys k ON k.search_rowid = f.rowid
          WHERE posts_fts MATCH ${match})`);
      }
    } else if (q.terms.length > 0 || q.excludedTerms.length > 0) {
      filters.push(
        sql`${sql.raw(pgSearchVector('p.message'))} @@ to_tsquery('simple'::regconfig, ${tsQuery(q)})`,
      );
    }
    const r = await sql<PostView>`SELECT ${columns}
      FROM posts p
      LEFT JOIN posts r ON r.id = p.root_id
      WHERE ${and(filters)}
      ORDER BY p.create_at DESC, p.id DESC ${page}`.execute(this.db);
    return r.rows;
  }

  /** The channels the search may look in: the caller's, narrowed by team, archive state and in:. */
  private async channelIds(q: PostSearchQuery): Promise<string[]> {
    const r = await sql<{ channel_id: string }>`SELECT cm.channel_id FROM channel_members cm
      JOIN channels c ON c.id = cm.channel_id WHERE ${and(channelConditions(q))}`.execute(this.db);
    return r.rows.map((row) => row.channel_id);
  }

  /** Everything but the text: visibility first, then the user's from:/in:/date filters. */
  private filters(q: PostSearchQuery): RawBuilder<unknown>[] {
    const out: RawBuilder<unknown>[] = [
      sql`p.delete_at = 0`,
      sql`p.channel_id IN (SELECT cm.channel_id FROM channel_members cm
        JOIN channels c ON c.id = cm.channel_id WHERE ${and(channelConditions(q))})`,
    ];
    if (q.fromUsernames.length > 0)
      out.push(sql`p.user_id IN (SELECT id FROM users WHERE username IN (${sql.join(q.fromUsernames)}))`);
    if (q.excludedUsernames.length > 0)
      out.push(
        sql`p.user_id NOT IN (SELECT id FROM users WHERE username IN (${sql.join(q.excludedUsernames)}))`,
      );
    if (q.since !== undefined) out.push(sql`p.create_at >= ${q.since}`);
    if (q.until !== undefined) out.push(sql`p.create_at <= ${q.until}`);
    return out;
  }
}

/** Channel memberships (`cm`) and channels (`c`) a search may use. */
function channelConditions(q: PostSearchQuery): RawBuilder<unknown>[] {
  const out: RawBuilder<unknown>[] = [sql`cm.user_id = ${q.userId}`];
  if (q.teamId !== undefined) out.push(sql`(c.team_id = ${q.teamId} OR c.team_id = '')`);
  if (!q.includeArchivedChannels) out.push(sql`c.delete_at = 0`);
  if (q.channelNames.length > 0) out.push(sql`c.name IN (${sql.join(q.channelNames)})`);
  if (q.excludedChannelNames.length > 0) out.push(sql`c.name NOT IN (${sql.join(q.excludedChannelNames)})`);
  return out;
}

// ---- SQLite FTS5 query text ----

/** `"w1 w2"` (a phrase; one word is a phrase of one), `"w1 w2" *` when the last word is a prefix. */
function ftsTerm(t: SearchTerm): string {
  return `"${t.words.join(' ')}"${t.prefix ? ' *' : ''}`;
}

function ftsExpr(terms: readonly SearchTerm[], op: 'AND' | 'OR'): string {
  return terms.map(ftsTerm).join(` ${op} `);
}

function ftsMatch(terms: readonly SearchTerm[], excluded: readonly SearchTerm[], orTerms: boolean): string {
  const positive = `(${ftsExpr(terms, orTerms ? 'OR' : 'AND')})`;
  return excluded.length > 0 ? `${positive} NOT (${ftsExpr(excluded, 'OR')})` : positive;
}

// ---- PostgreSQL tsquery text ----

function tsTerm(t: SearchTerm): string {
  const last = t.words.length - 1;
  return `(${t.words.map((w, i) => (i === last && t.prefix ? `${w}:*` : w)).join(' <-> ')})`;
}

function tsQuery(q: PostSearchQuery): string {
  const parts: string[] = [];
  if (q.terms.length > 0) parts.push(`(${q.terms.map(tsTerm).join(q.orTerms ? ' | ' : ' & ')})`);
  if (q.excludedTerms.length > 0) parts.push(`!(${q.excludedTerms.map(tsTerm).join(' | ')})`);
  return parts.join(' & ');
}
