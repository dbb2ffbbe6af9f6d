import { describe, expect, it } from 'vitest';
import { mentionsUser, plainText, renderMarkdown } from './markdown';

/** Parses the rendered HTML the way the browser will, to inspect real elements. */
function dom(html: string): HTMLElement {
  const div = document.createElement('div');
  div.innerHTML = html;
  return div;
}

function assertInert(root: HTMLElement) {
  for (const el of root.querySelectorAll('*')) {
    expect(['SCRIPT', 'IMG', 'SVG', 'IFRAME', 'OBJECT', 'EMBED', 'STYLE', 'FORM', 'INPUT']).not.toContain(
      el.tagName.toUpperCase(),
    );
    for (const attr of el.attributes) {
      expect(attr.name.startsWith('on')).toBe(false);
      expect(attr.name).not.toBe('style');
      expect(attr.value).not.toMatch(/^\s*(javascript|data|vbscript):/i);
    }
  }
}

describe('renderMarkdown', () => {
  it('renders CommonMark: emphasis, lists, quotes, tables and links', () => {
    const root = dom(
      renderMarkdown(
        '**bold** _it_ ~~gone~~\n\n- one\n- two\n\n> quoted\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n[site](https://example.com)',
      ),
    );
    expect(root.querySelector('strong')?.textContent).toBe('bold');
    expect(root.querySelector('em')?.textContent).toBe('it');
    expect(root.querySelector('s')?.textContent).toBe('gone');
    expect([...root.querySelectorAll('li')].map((li) => li.textContent)).toEqual(['one', 'two']);
    expect(root.querySelector('blockquote')?.textContent?.trim()).toBe('quoted');
    expect([...root.querySelectorAll('td')].map((td) => td.textContent)).toEqual(['1', '2']);
    const a = root.querySelector('a');
    expect(a?.getAttribute('href')).toBe('https://example.com');
    expect(a?.getAttribute('target')).toBe('_blank');
    expect(a?.getAttribute('rel')).toContain('noopener');
  });

  it('highlights fenced code and keeps its text exact', () => {
    const root = dom(renderMarkdown('```js\nconst x = "<b>";\n```'));
    const code = root.querySelector('pre code');
    expect(code?.className).toContain('language-js');
    expect(code?.querySelector('.hljs-keyword')?.textContent).toBe('const');
    expect(code?.textContent).toBe('const x = "<b>";\n');
    expect(root.querySelector('b')).toBeNull();
  });

  it('turns :shortcodes: into emoji, but not inside code', () => {
    expect(dom(renderMarkdown('party :tada:')).textContent?.trim()).toBe('party 🎉');
    expect(dom(renderMarkdown('`:tada:`')).textContent?.trim()).toBe(':tada:');
  });

  it('linkifies bare URLs', () => {
    const a = dom(renderMarkdown('see https://example.org/x?y=1 now')).querySelector('a');
    expect(a?.getAttribute('href')).toBe('https://example.org/x?y=1');
  });

  it('highlights mentions, and the reader’s own more strongly', () => {
    const root = dom(
      renderMarkdown('hi @bob and @alice and ~town-square, mail a@b.c', { username: 'alice' }),
    );
    const mentions = [...root.querySelectorAll('.mention')];
    expect(mentions.map((m) => m.textContent)).toEqual(['@bob', '@alice']);
    expect(mentions[0]!.classList.contains('mention--me')).toBe(false);
    expect(mentions[1]!.classList.contains('mention--me')).toBe(true);
    expect(root.querySelector('.channel-mention')?.textContent).toBe('~town-square');
    expect(root.textContent).toContain('a@b.c');
  });

  it('does not treat mentions inside code as mentions', () => {
    expect(dom(renderMarkdown('`@alice`', { username: 'alice' })).querySelector('.mention')).toBeNull();
  });

  const attacks: [string, string][] = [
    ['img onerror', '<img src=x onerror=alert(1)>'],
    ['svg onload', '<svg onload=alert(1)></svg>'],
    ['script tag', '<script>alert(1)</script>'],
    ['iframe', '<iframe src="javascript:alert(1)"></iframe>'],
    ['javascript link', '[click](javascript:alert(1))'],
    ['encoded javascript link', '[click](jav&#x09;ascript:alert(1))'],
    ['data link', '[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)'],
    ['vbscript link', '[x](vbscript:msgbox(1))'],
    ['autolink javascript', '<javascript:alert(1)>'],
    ['image with javascript', '![x](javascript:alert(1))'],
    ['image onerror via title', '![x](https://e.com/a.png "x\\" onerror=\\"alert(1))'],
    ['style tag', '<style>body{display:none}</style>'],
    ['html in table', '| a |\n|---|\n| <img src=x onerror=alert(1)> |'],
    ['mention with html', '@<img src=x onerror=alert(1)>'],
    ['link title injection', '[a](https://e.com "\\" onmouseover=\\"alert(1)")'],
  ];

  it.each(attacks)('renders %s inert', (_name, message) => {
    const html = renderMarkdown(message);
    const root = dom(html);
    assertInert(root);
    expect(html).not.toMatch(/<(script|img|svg|iframe|style)/i);
  });

  it('shows raw HTML as text', () => {
    const root = dom(renderMarkdown('<img src=x onerror=alert(1)> and <b>bold</b>'));
    expect(root.textContent).toContain('<img src=x onerror=alert(1)>');
    expect(root.textContent).toContain('<b>bold</b>');
    expect(root.querySelector('b')).toBeNull();
  });

  it('shows images as plain links', () => {
    const a = dom(renderMarkdown('![logo](https://example.com/logo.png)')).querySelector('a');
    expect(a?.getAttribute('href')).toBe('https://example.com/logo.png');
    expect(a?.textContent).toBe('logo');
  });

  it('handles a maximum-length message of nested markdown quickly enough to finish', () => {
    const html = renderMarkdown('> '.repeat(2000) + '*'.repeat(10000) + '['.repeat(4000));
    expect(typeof html).toBe('string');
  });
});

describe('plainText and mentionsUser', () => {
  it('strips markup for previews', () => {
    expect(plainText('**hi** <b>x</b> :tada:')).toBe('hi <b>x</b> 🎉');
  });

  it('finds mentions of a user, @all/@channel/@here, and not of longer names', () => {
    expect(mentionsUser('hey @alice!', 'alice')).toBe(true);
    expect(mentionsUser('@channel look', 'alice')).toBe(true);
    expect(mentionsUser('hey @alicette', 'alice')).toBe(false);
    expect(mentionsUser('mail alice@example.com', 'alice')).toBe(false);
    expect(mentionsUser('hey @alice.', 'alice')).toBe(true);
  });
});
