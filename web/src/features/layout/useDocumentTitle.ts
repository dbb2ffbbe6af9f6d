import { useEffect } from 'react';
import { useAppState } from '../../state/store';
import { channelTitle, unreadCount } from '../../state/selectors';

/** "(3) town-square · Parley": mentions and unread direct messages in the tab title. */
export function useDocumentTitle(): void {
  const channels = useAppState((s) => s.channels);
  const members = useAppState((s) => s.myMembers);
  const activeChannelId = useAppState((s) => s.activeChannelId);
  const me = useAppState((s) => s.me);
  const users = useAppState((s) => s.users);
  const siteName = useAppState((s) => s.config.SiteName) || 'Parley';

  useEffect(() => {
    let count = 0;
    for (const c of Object.values(channels)) {
      const m = members[c.id];
      if (!m) continue;
      count += c.type === 'D' ? unreadCount(c, m) : m.mention_count;
    }
    const active = channels[activeChannelId];
    const name = active ? channelTitle(active, { me, users }) : '';
    document.title = `${count > 0 ? `(${count}) ` : ''}${name ? `${name} · ` : ''}${siteName}`;
  }, [channels, members, activeChannelId, me, users, siteName]);
}
