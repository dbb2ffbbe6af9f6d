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

/** Names starting with (then containing) `term`, for the picker and `:emoji:` autocomplete. */
export function searchEmoji(term: string, limit = 40): string[] {
  const t = term.toLowerCase();
  if (!t) return [...FREQUENT_EMOJI];
  const starts: string[] = [];
  const contains: string[] = [];
  for (const name of EMOJI_NAMES) {
    if (name.startsWith(t)) starts.push(name);
    else if (name.includes(t)) contains.push(name);
    if (starts.length >= limit) break;
  }
  return [...starts, ...contains].slice(0, limit);
}
