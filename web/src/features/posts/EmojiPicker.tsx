import { useEffect, useRef, useState } from 'react';
import { EMOJI, searchEmoji } from '../../lib/emoji';

/** A searchable grid of emoji; Enter picks the first match, Escape closes. */
export function EmojiPicker({ onPick, onClose }: { onPick: (name: string) => void; onClose: () => void }) {
  const [term, setTerm] = useState('');
  const ref = useRef<HTMLDivElement>(null);
  const results = searchEmoji(term, 48);

  useEffect(() => {
    const onDown = (e: MouseEvent) => {
      if (ref.current && !ref.current.contains(e.target as Node)) onClose();
    };
    document.addEventListener('mousedown', onDown);
    return () => document.removeEventListener('mousedown', onDown);
  }, [onClose]);

  return (
    <div className="emoji-picker" role="dialog" aria-label="Emoji picker" ref={ref}>
      <input
        autoFocus
        aria-label="Search emoji"
        placeholder="Search emoji"
        value={term}
        onChange={(e) => setTerm(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Escape') {
            e.stopPropagation();
            onClose();
          }
          if (e.key === 'Enter' && results[0]) {
            e.preventDefault();
            onPick(results[0]);
          }
        }}
      />
      <div className="emoji-picker__grid" role="listbox" aria-label="Emoji">
        {results.map((name) => (
          <button
            key={name}
            type="button"
            role="option"
            aria-selected={false}
            aria-label={`:${name}:`}
            title={`:${name}:`}
            onClick={() => onPick(name)}
          >
            {EMOJI[name]}
          </button>
        ))}
      </div>
    </div>
  );
}
