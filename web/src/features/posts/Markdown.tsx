import { memo, useMemo, type MouseEvent } from 'react';
import { renderMarkdown } from '../../lib/markdown';
import { useAppState } from '../../state/store';

/**
 * A message rendered from Markdown. The HTML comes only from renderMarkdown, which sanitises with an
 * allow-list; clicks on mentions are handled here rather than by inline handlers.
 */
export const Markdown = memo(function Markdown({
  message,
  onMentionClick,
}: {
  message: string;
  onMentionClick?: (username: string) => void;
}) {
  const username = useAppState((s) => s.me?.username);
  const html = useMemo(() => renderMarkdown(message, { username }), [message, username]);
  const onClick = (e: MouseEvent<HTMLDivElement>) => {
    const target = e.target as HTMLElement;
    const mention = target.closest<HTMLElement>('[data-mention]');
    if (mention && onMentionClick) onMentionClick(mention.dataset.mention ?? '');
  };
  return <div className="markdown" onClick={onClick} dangerouslySetInnerHTML={{ __html: html }} />;
});
