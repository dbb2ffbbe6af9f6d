/**
 * Who a message mentions, read the way Mattermost reads it: the message is split into words at every
 * character that is not a letter, a digit, '.', '-', '_' or '@'; a word that starts with '@' names a
 * user (trailing '.', '-' and '_' may be punctuation, so the name without them counts too) or one of
 * the channel-wide keywords. "foo@alice" is one word that does not start with '@': no mention. Code
 * spans and fenced code blocks mention nobody.
 */
export interface ParsedMentions {
  /** Lower-case usernames, each possibly with trailing punctuation removed as a second candidate. */
  usernames: string[];
  /** @channel or @all. */
  channel: boolean;
  /** @here. */
  here: boolean;
}

const CHANNEL_KEYWORDS = new Set(['channel', 'all']);

function stripCode(message: string): string {
  return message
    .replace(/```[\s\S]*?(```|$)/g, ' ')
    .replace(/~~~[\s\S]*?(~~~|$)/g, ' ')
    .replace(/`[^`\n]*`/g, ' ');
}

export function parseMentions(message: string): ParsedMentions {
  const usernames = new Set<string>();
  let channel = false;
  let here = false;
  const words = stripCode(message).split(/[^\p{L}\p{N}._@-]+/u);
  for (const word of words) {
    if (!word.startsWith('@') || word.length < 2) continue;
    const name = word.slice(1).toLowerCase();
    if (name.includes('@')) continue;
    const trimmed = name.replace(/[._-]+$/, '');
    for (const candidate of new Set([name, trimmed])) {
      if (candidate === '') continue;
      if (CHANNEL_KEYWORDS.has(candidate)) channel = true;
      else if (candidate === 'here') here = true;
      else if (candidate.length <= 64) usernames.add(candidate);
    }
  }
  return { usernames: [...usernames], channel, here };
}

/** Hashtags Mattermost extracts: '#' then a letter, then letters, digits, '-', '_' or '.'. */
export function parseHashtags(message: string): string {
  const tags: string[] = [];
  const seen = new Set<string>();
  let length = 0;
  for (const word of stripCode(message).split(/[\s,;:!?()[\]{}"']+/)) {
    const tag = word.replace(/[._-]+$/, '');
    if (!/^#\p{L}[\p{L}\p{N}._-]*$/u.test(tag) || [...tag].length < 3) continue;
    if (seen.has(tag)) continue;
    if (length + tag.length + 1 > 1000) break;
    seen.add(tag);
    tags.push(tag);
    length += tag.length + 1;
  }
  return tags.join(' ');
}
