import { useAppState } from '../../state/store';
import { typingKey } from '../../state/selectors';

const EMPTY: Record<string, number> = {};

/** "alice is typing…", "alice and bob are typing…", "Several people are typing…". */
export function TypingIndicator({ channelId, rootId = '' }: { channelId: string; rootId?: string }) {
  const who = useAppState((s) => s.typing[typingKey(channelId, rootId)]) ?? EMPTY;
  const users = useAppState((s) => s.users);
  const names = Object.keys(who).map((id) => users[id]?.username ?? 'Someone');
  let text = '';
  if (names.length === 1) text = `${names[0]} is typing…`;
  else if (names.length === 2) text = `${names[0]} and ${names[1]} are typing…`;
  else if (names.length > 2) text = 'Several people are typing…';
  return (
    <div className="typing" aria-live="polite">
      {text}
    </div>
  );
}
