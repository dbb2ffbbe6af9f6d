declare module 'markdown-it-emoji' {
  import type { MarkdownIt } from 'markdown-it';
  export const full: (
    md: MarkdownIt,
    options?: { defs?: Record<string, string>; shortcuts?: Record<string, string | string[]> },
  ) => void;
}
declare module 'markdown-it-emoji/lib/data/full.mjs' {
  const emoji: Record<string, string>;
  export default emoji;
}
