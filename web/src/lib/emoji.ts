/** Emoji names as Mattermost uses them (`+1`, `tada`, `white_check_mark`) and their characters. */
import data from 'markdown-it-emoji/lib/data/full.mjs';

export const EMOJI: Readonly<Record<string, string>> = { ...data, thumbsup: data['+1'] ?? '👍' };

export const EMOJI_NAMES: readonly string[] = Object.keys(EMOJI);

/** The picker's first screen. */
export const FREQUENT_EMOJI = [
  '+1',
  'heart',
  'joy',
  'tada',
  'eyes',
  'white_check_mark',
  'pray',
  'fire',
  'smile',
  'thinking',
  'rocket',
  '-1',
] as const;

export function emojiChar(name: string): string | undefined {
  return Object.hasOwn(EMOJI, name) ? EMOJI[name] : undefined;
}

/** Names people reach for most: ranked first among matches. */
const POPULAR = new Set<string>([
  ...FREQUENT_EMOJI,
  'smiley',
  'grinning',
  'laughing',
  'wink',
  'blush',
  'heart_eyes',
  'sob',
  'cry',
  'sunglasses',
  'thumbsup',
  'ok_hand',
  'clap',
  'wave',
  'muscle',
  'raised_hands',
  'sparkles',
  'star',
  'warning',
  'x',
  'question',
  'coffee',
  'beers',
  'bug',
  'zap',
  'boom',
  'hundred',
  '100',
  'party_popper',
  'confused',
  'upside_down_face',
]);

/** Names starting with (then containing) `term`, popular and short ones first. */
export function searchEmoji(term: string, limit = 40): string[] {
  const t = term.toLowerCase();
  if (!t) return [...FREQUENT_EMOJI];
  const starts: string[] = [];
  const contains: string[] = [];
  for (const name of EMOJI_NAMES) {
    if (name.startsWith(t)) starts.push(name);
    else if (name.includes(t)) contains.push(name);
  }
  const rank = (a: string, b: string) =>
    (POPULAR.has(a) ? 0 : 1) - (POPULAR.has(b) ? 0 : 1) || a.length - b.length || a.localeCompare(b);
  return [...starts.sort(rank), ...contains.sort(rank)].slice(0, limit);
}
