import { useMemo, useState } from 'react';
import type { Team } from '@mattermost/types/teams';
import { Dialog } from '../../common/Dialog';
import { useAppState } from '../../state/store';
import { channelHref, channelTitle, unreadCount } from '../../state/selectors';
import { setUi } from '../../state/ui';
import { navigate } from '../../router';

/** Ctrl/Cmd+K: type part of a channel or person's name, arrows to choose, Enter to go. */
export function ChannelSwitcher({ team }: { team: Team | undefined }) {
  const channels = useAppState((s) => s.channels);
  const members = useAppState((s) => s.myMembers);
  const teams = useAppState((s) => s.teams);
  const me = useAppState((s) => s.me);
  const users = useAppState((s) => s.users);
  const [term, setTerm] = useState('');
  const [selected, setSelected] = useState(0);
  const close = () => setUi({ switcherOpen: false });

  const results = useMemo(() => {
    const t = term.toLowerCase();
    return Object.values(channels)
      .filter((c) => members[c.id] && c.delete_at === 0)
      .map((c) => ({ c, title: channelTitle(c, { me, users }) }))
      .filter(({ c, title }) => !t || title.toLowerCase().includes(t) || c.name.includes(t))
      .sort((a, b) => {
        const ua = unreadCount(a.c, members[a.c.id]) > 0 ? 0 : 1;
        const ub = unreadCount(b.c, members[b.c.id]) > 0 ? 0 : 1;
        const pa = a.title.toLowerCase().startsWith(t) ? 0 : 1;
        const pb = b.title.toLowerCase().startsWith(t) ? 0 : 1;
        return pa - pb || ua - ub || a.title.localeCompare(b.title);
      })
      .slice(0, 12);
  }, [term, channels, members, me, users]);

  const go = (i: number) => {
    const r = results[i];
    if (!r) return;
    const t = (r.c.team_id && teams[r.c.team_id]) || team;
    if (!t) return;
    close();
    navigate(channelHref(t.name, r.c, { me, users }));
  };

  return (
    <Dialog title="Switch channels" onClose={close}>
      <input
        className="search-input"
        role="combobox"
        aria-expanded="true"
        aria-controls="switcher-list"
        aria-activedescendant={results[selected] ? `switcher-${results[selected].c.id}` : undefined}
        aria-label="Channel or person"
        placeholder="Channel or person"
        value={term}
        onChange={(e) => {
          setTerm(e.target.value);
          setSelected(0);
        }}
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown') {
            e.preventDefault();
            setSelected((i) => Math.min(results.length - 1, i + 1));
          } else if (e.key === 'ArrowUp') {
            e.preventDefault();
            setSelected((i) => Math.max(0, i - 1));
          } else if (e.key === 'Enter') {
            e.preventDefault();
            go(selected);
          }
        }}
      />
      <ul id="switcher-list" role="listbox" className="switcher" aria-label="Channels">
        {results.map((r, i) => (
          <li
            key={r.c.id}
            id={`switcher-${r.c.id}`}
            role="option"
            aria-selected={i === selected}
            className={i === selected ? 'switcher__item switcher__item--selected' : 'switcher__item'}
            onMouseDown={(e) => {
              e.preventDefault();
              go(i);
            }}
          >
            <span aria-hidden="true">
              {r.c.type === 'D' ? '@' : r.c.type === 'P' ? '🔒' : r.c.type === 'G' ? '👥' : '#'}
            </span>{' '}
            {r.title}
            {r.c.team_id && teams[r.c.team_id] && r.c.team_id !== team?.id && (
              <span className="muted"> · {teams[r.c.team_id]!.display_name}</span>
            )}
          </li>
        ))}
      </ul>
    </Dialog>
  );
}
