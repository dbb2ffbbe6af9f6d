/**
 * Post search (Mattermost's `POST /teams/{team_id}/posts/search` and `POST /posts/search`): reads the
 * request body, turns Mattermost's search syntax into a PostSearchQuery and hands it to the store, which
 * alone decides visibility (channels the caller is a member of, live posts, archived channels only when
 * asked).
 *
 * Syntax, as Mattermost's: words (all of them, or any with `is_or_search`), "quoted phrases",
 * `-excluded` words and phrases, a trailing `*` for a prefix (of two letters at least), `from:username`, `in:channel-name` (and
 * `in:@username` for the direct channel with that user), `-from:` and `-in:`, and `before:`, `after:`,
 * `on:` with YYYY-MM-DD dates in the caller's `time_zone_offset` (seconds east of UTC). Like
 * Mattermost, `after:D` starts the day after D, `before:D` ends the day before D, and `on:` overrides
 * both. Words are letters, digits and marks; everything else separates them (`foo-bar` is the phrase
 * "foo bar", `#tag` the word `tag`), as in the index. Case and, on SQLite, diacritics are ignored.
 */
import { badRequest } from '../lib/errors.js';
import type { PostSearchQuery, SearchTerm } from '../store/search.js';
import type { PostView } from '../store/posts.js';
import { accessTeam } from './access.js';
import type { Actor, Deps } from './context.js';
import { withDetails, type PostWithDetails } from './posts.js';

export const MAX_TERMS_LENGTH = 1000;
/** Words, phrases and flags in one search. */
export const MAX_SEARCH_TOKENS = 64;
export const DEFAULT_SEARCH_PER_PAGE = 60;
export const MAX_SEARCH_PER_PAGE = 200;
const MAX_PAGE = 10_000;
const MAX_TZ_OFFSET_S = 24 * 3600;
const DAY_MS = 86_400_000;
/** Letters a prefix search (`dep*`) needs. */
const MIN_PREFIX = 2;

export interface PostSearchResult {
  order: string[];
  posts: PostWithDetails[];
  /** Post id → the words of the message that matched the terms (for highlighting). */
  matches: Record<string, string[]>;
  hasNext: boolean;
}

interface SearchBody {
  terms: string;
  orTerms: boolean;
  page: number;
  perPage: number;
  timeZoneOffset: number;
  includeDeletedChannels: boolean;
}

const invalid = (message: string) => badRequest('api.post.search_posts.invalid_body.app_error', message);

function optional<T>(
  body: Record<string, unknown>,
  name: string,
  def: T,
  check: (v: unknown) => v is T,
  what: string,
): T {
  const v = body[name];
  if (v === undefined || v === null) return def;
  if (!check(v)) throw invalid(`${name} must be ${what}.`);
  return v;
}

const isBool = (v: unknown): v is boolean => typeof v === 'boolean';
const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v);

function readBody(body: Record<string, unknown>): SearchBody {
  const terms = body.terms;
  if (typeof terms !== 'string') throw invalid('terms must be a string.');
  if ([...terms].length > MAX_TERMS_LENGTH)
    throw invalid(`terms must be at most ${MAX_TERMS_LENGTH} characters.`);
  const page = optional(body, 'page', 0, isInt, 'an integer');
  if (page < 0 || page > MAX_PAGE) throw invalid(`page must be between 0 and ${MAX_PAGE}.`);
  let perPage = optional(body, 'per_page', DEFAULT_SEARCH_PER_PAGE, isInt, 'an integer');
  if (perPage < 0 || perPage > MAX_SEARCH_PER_PAGE)
    throw invalid(`per_page must be between 0 and ${MAX_SEARCH_PER_PAGE}.`);
  if (perPage === 0) perPage = DEFAULT_SEARCH_PER_PAGE;
  const timeZoneOffset = optional(body, 'time_zone_offset', 0, isInt, 'an integer');
  if (Math.abs(timeZoneOffset) > MAX_TZ_OFFSET_S)
    throw invalid('time_zone_offset must be a number of seconds within a day.');
  return {
    terms,
    orTerms: optional(body, 'is_or_search', false, isBool, 'a boolean'),
    page,
    perPage,
    timeZoneOffset,
    includeDeletedChannels: optional(body, 'include_deleted_channels', false, isBool, 'a boolean'),
  };
}

// ---- the search syntax ----

const FLAGS = new Set(['from', 'in', 'channel', 'before', 'after', 'on']);
/** What separates words, here and in the index (letters, digits and marks make words). */
const NON_WORD = /[^\p{L}\p{N}\p{M}]+/u;
const USERNAME = /^[a-z0-9.\-_]{1,64}$/;
const CHANNEL_NAME = /^[a-z0-9\-_]{1,64}$/;

interface ParsedTerms {
  terms: SearchTerm[];
  excludedTerms: SearchTerm[];
  from: string[];
  excludedFrom: string[];
  /** Channel names; `@username` for a direct channel. */
  inChannels: string[];
  excludedIn: string[];
  before?: string;
  after?: string;
  on?: string;
}

function termOf(text: string, allowPrefix: boolean): SearchTerm | undefined {
  const words = text.split(NON_WORD).filter((w) => w !== '');
  const last = words[words.length - 1];
  if (last === undefined) return undefined;
  // A one-letter prefix would expand to a large part of the index: it is searched as a word.
  const prefix = allowPrefix && text.endsWith('*') && [...last].length >= MIN_PREFIX;
  return { words, prefix };
}

/** Splits Mattermost's search syntax into terms and flags (filter values are checked later). */
export function parseTerms(text: string): ParsedTerms {
  const out: ParsedTerms = {
    terms: [],
    excludedTerms: [],
    from: [],
    excludedFrom: [],
    inChannels: [],
    excludedIn: [],
  };
  const tokens = [...text.matchAll(/(-?)"([^"]*)"|(\S+)/g)];
  if (tokens.length > MAX_SEARCH_TOKENS)
    throw invalid(`A search may hold at most ${MAX_SEARCH_TOKENS} terms.`);
  for (let i = 0; i < tokens.length; i++) {
    const [, minus, phrase, word] = tokens[i]!;
    if (phrase !== undefined) {
      const t = termOf(phrase, false);
      if (t) (minus ? out.excludedTerms : out.terms).push(t);
      continue;
    }
    const w = word!;
    const exclude = w.startsWith('-');
    const colon = w.indexOf(':');
    const flag = colon > 0 ? w.slice(exclude ? 1 : 0, colon).toLowerCase() : '';
    if (FLAGS.has(flag)) {
      let value = w.slice(colon + 1);
      if (value === '' && i + 1 < tokens.length) value = tokens[++i]![0];
      if (value === '') continue;
      if (flag === 'from') (exclude ? out.excludedFrom : out.from).push(value);
      else if (flag === 'in' || flag === 'channel') (exclude ? out.excludedIn : out.inChannels).push(value);
      // Excluded dates (-before: …) are not supported; they are ignored rather than misread as words.
      else if (!exclude) out[flag as 'before' | 'after' | 'on'] = value;
      continue;
    }
    const t = termOf(w, true);
    if (t) (exclude ? out.excludedTerms : out.terms).push(t);
  }
  return out;
}

/** Midnight at the start of YYYY-MM-DD in the caller's zone, in ms; 400 for anything else. */
function dayStart(value: string, offsetS: number): number {
  const m = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(value);
  if (m) {
    const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
    const t = Date.UTC(y, mo - 1, d);
    const back = new Date(t);
    if (y >= 1970 && back.getUTCMonth() === mo - 1 && back.getUTCDate() === d) return t - offsetS * 1000;
  }
  throw invalid(`"${value.slice(0, 40)}" is not a date of the form YYYY-MM-DD.`);
}

/** Words of the message that the terms matched, as written in the message. */
function matchedWords(message: string, terms: readonly SearchTerm[]): string[] {
  const words = message.split(NON_WORD).filter((w) => w !== '');
  const lower = words.map((w) => w.toLowerCase());
  const found = new Set<string>();
  for (const t of terms) {
    const want = t.words.map((w) => w.toLowerCase());
    for (let i = 0; i + want.length <= lower.length; i++) {
      const hit = want.every((w, j) =>
        t.prefix && j === want.length - 1 ? lower[i + j]!.startsWith(w) : lower[i + j] === w,
      );
      if (hit) found.add(words.slice(i, i + want.length).join(' '));
    }
  }
  return [...found];
}

export class SearchService {
  constructor(private readonly deps: Deps) {}

  /** Posts matching the body's terms in `teamId` (with direct and group channels), or in every team. */
  async searchPosts(
    actor: Actor,
    teamId: string | undefined,
    rawBody: Record<string, unknown>,
  ): Promise<PostSearchResult> {
    const { store } = this.deps;
    const body = readBody(rawBody);
    if (teamId !== undefined) await accessTeam(store, actor, teamId);
    const parsed = parseTerms(body.terms);
    const empty: PostSearchResult = { order: [], posts: [], matches: {}, hasNext: false };

    let since: number | undefined;
    let until: number | undefined;
    if (parsed.on !== undefined) {
      since = dayStart(parsed.on, body.timeZoneOffset);
      until = since + DAY_MS - 1;
    } else {
      if (parsed.after !== undefined) since = dayStart(parsed.after, body.timeZoneOffset) + DAY_MS;
      if (parsed.before !== undefined) until = dayStart(parsed.before, body.timeZoneOffset) - 1;
    }

    const usernames = (names: string[]) =>
      names.map((n) => n.replace(/^@/, '').toLowerCase()).filter((n) => USERNAME.test(n));
    const from = usernames(parsed.from);
    const channelNames = await this.channelNames(actor, parsed.inChannels);
    // A filter that names nobody (or no channel) that could exist matches nothing.
    if (
      (parsed.from.length > 0 && from.length === 0) ||
      (parsed.inChannels.length > 0 && channelNames.length === 0)
    )
      return empty;
    const hasFilter =
      from.length > 0 ||
      channelNames.length > 0 ||
      parsed.excludedFrom.length > 0 ||
      parsed.excludedIn.length > 0 ||
      since !== undefined ||
      until !== undefined;
    if (parsed.terms.length === 0 && parsed.excludedTerms.length === 0 && !hasFilter) return empty;

    const query: PostSearchQuery = {
      userId: actor.userId,
      ...(teamId !== undefined ? { teamId } : {}),
      terms: parsed.terms,
      excludedTerms: parsed.excludedTerms,
      orTerms: body.orTerms,
      fromUsernames: from,
      excludedUsernames: usernames(parsed.excludedFrom),
      channelNames,
      excludedChannelNames: await this.channelNames(actor, parsed.excludedIn),
      ...(since !== undefined ? { since } : {}),
      ...(until !== undefined ? { until } : {}),
      includeArchivedChannels: body.includeDeletedChannels,
      offset: body.page * body.perPage,
      limit: body.perPage + 1,
    };
    if (query.since !== undefined && query.until !== undefined && query.since > query.until) return empty;

    const rows: PostView[] = await store.search.searchPosts(query);
    const page = rows.slice(0, body.perPage);
    const matches: Record<string, string[]> = {};
    for (const r of page) matches[r.id] = matchedWords(r.message, parsed.terms);
    return {
      order: page.map((r) => r.id),
      posts: await withDetails(store, page),
      matches,
      hasNext: rows.length > body.perPage,
    };
  }

  /** `in:` values as channel names; `@username` names the caller's direct channel with that user. */
  private async channelNames(actor: Actor, values: readonly string[]): Promise<string[]> {
    const out: string[] = [];
    for (const raw of values) {
      const v = raw.replace(/^~/, '').toLowerCase();
      if (v.startsWith('@')) {
        const name = v.slice(1);
        const user = USERNAME.test(name) ? await this.deps.store.users.findByUsername(name) : undefined;
        if (user) out.push([actor.userId, user.id].sort().join('__'));
      } else if (CHANNEL_NAME.test(v)) {
        out.push(v);
      }
    }
    return out;
  }
}
