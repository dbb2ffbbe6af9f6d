import { useMemo, useState } from 'react';
import { Icon } from '../../common/Icon';
import type { Team } from '@mattermost/types/teams';
import { navigate } from '../../router';
import { useAppState, type ChannelWithCounts } from '../../state/store';
import { channelHref, channelTitle, dmPartnerId, unreadCount } from '../../state/selectors';
import { logout, setMyStatus } from '../../state/actions';
import { setUi } from '../../state/ui';
import { Avatar, PresenceDot } from '../../common/Avatar';
import { BrowseChannelsDialog, NewChannelDialog, NewMessageDialog } from './SidebarDialogs';

type Dialogs = 'newChannel' | 'browse' | 'newMessage' | undefined;

export function Sidebar({ team }: { team: Team | undefined }) {
  const channels = useAppState((s) => s.channels);
  const members = useAppState((s) => s.myMembers);
  const activeChannelId = useAppState((s) => s.activeChannelId);
  const me = useAppState((s) => s.me);
  const users = useAppState((s) => s.users);
  const myStatus = useAppState((s) => (s.me ? s.statuses[s.me.id] : undefined)) ?? 'online';
  const [dialog, setDialog] = useState<Dialogs>();
  const [menuOpen, setMenuOpen] = useState(false);

  const groups = useMemo(() => {
    const mine = Object.values(channels).filter((c) => members[c.id] && c.delete_at === 0);
    const inTeam = mine.filter((c) => c.team_id === team?.id);
    const byName = (a: ChannelWithCounts, b: ChannelWithCounts) =>
      channelTitle(a, { me, users }).localeCompare(channelTitle(b, { me, users }));
    return {
      public: inTeam.filter((c) => c.type === 'O').sort(byName),
      private: inTeam.filter((c) => c.type === 'P').sort(byName),
      direct: mine
        .filter((c) => c.type === 'D' || c.type === 'G')
        .sort((a, b) => (b.last_post_at ?? 0) - (a.last_post_at ?? 0)),
    };
  }, [channels, members, team?.id, me, users]);

  if (!team) return <nav className="sidebar" aria-label="Channels" />;

  const item = (c: ChannelWithCounts) => {
    const m = members[c.id];
    const unread = unreadCount(c, m) > 0 && c.id !== activeChannelId;
    const mentions =
      c.id === activeChannelId ? 0 : c.type === 'D' ? unreadCount(c, m) : (m?.mention_count ?? 0);
    const title = channelTitle(c, { me, users });
    const partner = me ? dmPartnerId(c, me.id) : undefined;
    const href = channelHref(team.name, c, { me, users });
    return (
      <li key={c.id}>
        <a
          href={href}
          className={`sidebar__item${unread ? ' sidebar__item--unread' : ''}${c.id === activeChannelId ? ' sidebar__item--active' : ''}`}
          aria-current={c.id === activeChannelId ? 'page' : undefined}
          data-unread={unread ? 'true' : undefined}
          onClick={(e) => {
            e.preventDefault();
            setUi({ drawerOpen: false });
            navigate(href);
          }}
        >
          <span className="sidebar__icon" aria-hidden={!partner}>
            {partner ? (
              <PresenceDot userId={partner} />
            ) : (
              <Icon name={c.type === 'P' ? 'lock' : c.type === 'G' ? 'group' : 'hash'} size={15} />
            )}
          </span>
          <span className="sidebar__name">{title}</span>
          {mentions > 0 && (
            <span className="badge" aria-label={`${mentions} ${mentions === 1 ? 'mention' : 'mentions'}`}>
              {mentions}
            </span>
          )}
          {unread && mentions === 0 && <span className="visually-hidden">, unread</span>}
        </a>
      </li>
    );
  };

  const section = (
    label: string,
    list: ChannelWithCounts[],
    action?: { label: string; onClick: () => void },
  ) => (
    <section className="sidebar__section" aria-label={label}>
      <header>
        <h2>{label}</h2>
        {action && (
          <button
            type="button"
            className="icon-button"
            aria-label={action.label}
            title={action.label}
            onClick={action.onClick}
          >
            <Icon name="plus" size={16} />
          </button>
        )}
      </header>
      <ul>{list.map(item)}</ul>
    </section>
  );

  return (
    <nav className="sidebar" aria-label="Channels">
      <header className="sidebar__team">
        <h1 title={team.display_name}>{team.display_name}</h1>
        <button
          type="button"
          className="icon-button"
          aria-label="Find channel (Ctrl+K)"
          title="Find channel (Ctrl+K)"
          onClick={() => setUi({ switcherOpen: true })}
        >
          <Icon name="search" />
        </button>
      </header>
      <div className="sidebar__scroll">
        {section('Channels', groups.public, {
          label: 'Create a channel',
          onClick: () => setDialog('newChannel'),
        })}
        <button type="button" className="sidebar__more" onClick={() => setDialog('browse')}>
          Browse channels
        </button>
        {groups.private.length > 0 && section('Private channels', groups.private)}
        {section('Direct messages', groups.direct, {
          label: 'Write to people',
          onClick: () => setDialog('newMessage'),
        })}
        <button
          type="button"
          className="sidebar__more"
          onClick={() => setUi({ rhs: { kind: 'saved' }, drawerOpen: false })}
        >
          Saved messages
        </button>
      </div>
      <footer className="sidebar__me">
        <button
          type="button"
          className="sidebar__me-button"
          aria-haspopup="menu"
          aria-expanded={menuOpen}
          onClick={() => setMenuOpen((o) => !o)}
        >
          <span className="avatar-with-status">
            <Avatar user={me} size={28} />
            {me && <PresenceDot userId={me.id} />}
          </span>
          <span className="sidebar__me-name">{me?.username}</span>
        </button>
        {menuOpen && (
          <ul
            className="menu menu--up"
            role="menu"
            onKeyDown={(e) => e.key === 'Escape' && setMenuOpen(false)}
          >
            {(['online', 'away', 'dnd', 'offline'] as const).map((st) => (
              <li key={st} role="none">
                <button
                  type="button"
                  role="menuitemradio"
                  aria-checked={myStatus === st}
                  onClick={() => {
                    setMenuOpen(false);
                    void setMyStatus(st);
                  }}
                >
                  {{ online: 'Online', away: 'Away', dnd: 'Do not disturb', offline: 'Offline' }[st]}
                </button>
              </li>
            ))}
            <li role="separator" />
            <li role="none">
              <button
                type="button"
                role="menuitem"
                onClick={() => {
                  setMenuOpen(false);
                  setUi({ settingsOpen: true });
                }}
              >
                Settings
              </button>
            </li>
            <li role="none">
              <button
                type="button"
                role="menuitem"
                onClick={() => {
                  setMenuOpen(false);
                  void logout().then(() => navigate('/login'));
                }}
              >
                Log out
              </button>
            </li>
          </ul>
        )}
      </footer>
      {dialog === 'newChannel' && <NewChannelDialog team={team} onClose={() => setDialog(undefined)} />}
      {dialog === 'browse' && <BrowseChannelsDialog team={team} onClose={() => setDialog(undefined)} />}
      {dialog === 'newMessage' && <NewMessageDialog team={team} onClose={() => setDialog(undefined)} />}
    </nav>
  );
}
