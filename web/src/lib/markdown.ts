/**
 * Messages as HTML: CommonMark with tables, fenced code with highlighting, links, emoji shortcodes and
 * highlighted mentions, then sanitised with an allow-list. Raw HTML in a message is never parsed as
 * HTML (markdown-it's `html: false` escapes it), and DOMPurify removes anything the renderer might
 * still produce outside the allow-list, so nothing in a message can run script.
 */
import MarkdownIt from 'markdown-it';
import type { Token } from 'markdown-it';
import { full as emojiPlugin } from 'markdown-it-emoji';
import DOMPurify from 'dompurify';
import hljs from 'highlight.js/lib/common';
import { EMOJI } from './emoji';

const SAFE_URL = /^(https?:|mailto:)/i;

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) =>
    c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&quot;' : '&#39;',
  );
}

const md = new MarkdownIt({
  html: false,
  linkify: true,
  breaks: true,
  typographer: false,
  highlight(code, lang) {
    const language = lang && hljs.getLanguage(lang) ? lang : undefined;
    try {
      const html = language
        ? hljs.highlight(code, { language, ignoreIllegals: true }).value
        : escapeHtml(code);
      return `<pre class="code-block"><code class="hljs${language ? ` language-${language}` : ''}">${html}</code></pre>`;
    } catch {
      return `<pre class="code-block"><code class="hljs">${escapeHtml(code)}</code></pre>`;
    }
  },
});

md.use(emojiPlugin, { defs: EMOJI, shortcuts: {} });

// Only web and mail links; markdown-it already refuses javascript:, vbscript: and most data: URLs.
md.validateLink = (url: string) => SAFE_URL.test(url.trim()) || !/^[a-z][a-z0-9+.-]*:/i.test(url.trim());

// Images would load from anywhere (and the CSP blocks other origins anyway): show them as links.
md.renderer.rules.image = (tokens, idx) => {
  const token = tokens[idx]!;
  const src = String(token.attrGet('src') ?? '');
  const alt = token.content || src;
  return `<a href="${escapeHtml(src)}">${escapeHtml(alt)}</a>`;
};

// @mentions and ~channels in text (never inside code): wrapped in spans the app styles and follows.
const MENTION_RE = /(^|[^\w@~.])([@~])([a-z0-9][a-z0-9._-]*[a-z0-9_]|[a-z0-9])/gi;

md.core.ruler.push('parley_mentions', (state) => {
  const env = state.env as RenderEnv;
  for (const block of state.tokens) {
    if (block.type !== 'inline' || !block.children) continue;
    const out: Token[] = [];
    let linkDepth = 0;
    for (const tok of block.children) {
      if (tok.type === 'link_open') linkDepth++;
      if (tok.type === 'link_close') linkDepth--;
      if (tok.type !== 'text' || linkDepth > 0 || !/[@~]/.test(tok.content)) {
        out.push(tok);
        continue;
      }
      let last = 0;
      const text = tok.content;
      for (const m of text.matchAll(MENTION_RE)) {
        const start = (m.index ?? 0) + (m[1]?.length ?? 0);
        const sigil = m[2]!;
        const name = m[3]!.toLowerCase();
        if (start > last) {
          const t = new state.Token('text', '', 0);
          t.content = text.slice(last, start);
          out.push(t);
        }
        const html = new state.Token('html_inline', '', 0);
        const raw = escapeHtml(`${sigil}${m[3]!}`);
        if (sigil === '@') {
          const me = env.username && name === env.username.toLowerCase();
          const everyone = name === 'all' || name === 'channel' || name === 'here';
          const cls = `mention${me || everyone ? ' mention--me' : ''}`;
          html.content = `<span class="${cls}" data-mention="${escapeHtml(name)}">${raw}</span>`;
        } else {
          html.content = `<span class="channel-mention" data-channel-mention="${escapeHtml(name)}">${raw}</span>`;
        }
        out.push(html);
        last = start + 1 + m[3]!.length;
      }
      if (last < text.length) {
        const t = new state.Token('text', '', 0);
        t.content = text.slice(last);
        out.push(t);
      }
    }
    block.children = out;
  }
});

const ALLOWED_TAGS = [
  'p',
  'br',
  'hr',
  'strong',
  'em',
  's',
  'del',
  'code',
  'pre',
  'blockquote',
  'ul',
  'ol',
  'li',
  'a',
  'span',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'table',
  'thead',
  'tbody',
  'tr',
  'th',
  'td',
];
const ALLOWED_ATTR = ['href', 'class', 'data-mention', 'data-channel-mention', 'start', 'title'];

let hooked = false;
function purifier() {
  if (!hooked) {
    hooked = true;
    DOMPurify.addHook('afterSanitizeAttributes', (node) => {
      if (node.tagName === 'A') {
        const href = node.getAttribute('href') ?? '';
        if (!SAFE_URL.test(href) && !href.startsWith('/') && !href.startsWith('#')) {
          node.removeAttribute('href');
        } else {
          node.setAttribute('target', '_blank');
          node.setAttribute('rel', 'noopener noreferrer nofollow');
        }
      }
      // Classes only from the renderer's vocabulary: no styling tricks from a message.
      const cls = node.getAttribute('class');
      if (cls !== null) {
        const kept = cls
          .split(/\s+/)
          .filter((c) => /^(hljs|language-|code-block$|mention|channel-mention$)/.test(c));
        if (kept.length) node.setAttribute('class', kept.join(' '));
        else node.removeAttribute('class');
      }
    });
  }
  return DOMPurify;
}

export interface RenderEnv {
  /** The reader's username: mentions of them are highlighted. */
  username?: string;
}

/**
 * Rendered HTML by reader and message text. Parsing, highlighting and sanitising cost far more than
 * React's work for a row, and the post list mounts the same rows again and again as its window moves
 * (and every open of a channel remounts them): render each text once. An edited message is new text;
 * the oldest entries leave first.
 */
const CACHE_MAX = 5000;
const cache = new Map<string, string>();

export function renderMarkdown(message: string, env: RenderEnv = {}): string {
  const key = `${env.username ?? ''}\u0000${message}`;
  const hit = cache.get(key);
  if (hit !== undefined) {
    cache.delete(key);
    cache.set(key, hit);
    return hit;
  }
  const html = purifier().sanitize(md.render(message, { ...env }), {
    ALLOWED_TAGS,
    ALLOWED_ATTR: [...ALLOWED_ATTR, 'target', 'rel'],
    ALLOW_DATA_ATTR: false,
    ALLOWED_URI_REGEXP: /^(?:https?:|mailto:|\/|#)/i,
  });
  cache.set(key, html);
  if (cache.size > CACHE_MAX) cache.delete(cache.keys().next().value!);
  return html;
}

/** Plain text for notifications and previews: the message without Markdown markup. */
export function plainText(message: string, max = 160): string {
  const div = document.createElement('div');
  div.innerHTML = renderMarkdown(message);
  const text = (div.textContent ?? '').replace(/\s+/g, ' ').trim();
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** Whether a message mentions the user (by @username, @all, @channel or @here). */
export function mentionsUser(message: string, username: string): boolean {
  const re = new RegExp(
    `(^|[^\\w@~.])@(${username.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}|all|channel|here)(?![\\w-]|\\.[\\w])`,
    'i',
  );
  return re.test(message);
}
