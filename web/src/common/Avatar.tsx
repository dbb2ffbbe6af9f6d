import type { UserProfile } from '@mattermost/types/users';
import { useAppState } from '../state/store';
import { useShowsUser } from '../state/presence';

const COLORS = ['#1f6feb', '#8250df', '#bf3989', '#cf222e', '#bc4c00', '#1a7f37', '#0969da', '#6639ba'];

function colorFor(id: string): string {
  let h = 0;
  for (const ch of id) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return COLORS[h % COLORS.length]!;
}

/** Initials on a colour derived from the id: no image request per avatar. */
export function Avatar({ user, size = 36 }: { user: UserProfile | undefined; size?: number }) {
  const name = user?.username ?? '?';
  const initials =
    (user?.first_name?.[0] ?? name[0] ?? '?').toUpperCase() + (user?.last_name?.[0] ?? '').toUpperCase();
  return (
    <span
      className="avatar"
      aria-hidden="true"
      style={{ width: size, height: size, fontSize: size * 0.4, backgroundColor: colorFor(user?.id ?? name) }}
    >
      {initials}
    </span>
  );
}

const STATUS_LABEL: Record<string, string> = {
  online: 'Online',
  away: 'Away',
  dnd: 'Do not disturb',
  offline: 'Offline',
};

export function PresenceDot({ userId }: { userId: string }) {
  useShowsUser(userId);
  const status = useAppState((s) => s.statuses[userId]) ?? 'offline';
  return (
    <span
      className={`presence presence--${status}`}
      role="img"
      aria-label={STATUS_LABEL[status] ?? status}
      title={STATUS_LABEL[status] ?? status}
    />
  );
}
