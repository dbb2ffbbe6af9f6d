import { useMemo } from 'react';
import { navigate } from '../../router';
import { useAppState } from '../../state/store';

/** The teams column: one button per team, with a dot when another team has unread messages. */
export function TeamBar({ currentTeamId }: { currentTeamId: string }) {
  const teams = useAppState((s) => s.teams);
  const channels = useAppState((s) => s.channels);
  const members = useAppState((s) => s.myMembers);
  const sorted = useMemo(
    () => Object.values(teams).sort((a, b) => a.display_name.localeCompare(b.display_name)),
    [teams],
  );

  const unreadTeams = useMemo(() => {
    const out: Record<string, { unread: boolean; mentions: number }> = {};
    for (const c of Object.values(channels)) {
      const m = members[c.id];
      if (!m || !c.team_id) continue;
      const entry = (out[c.team_id] ??= { unread: false, mentions: 0 });
      if ((c.total_msg_count ?? 0) > m.msg_count) entry.unread = true;
      entry.mentions += m.mention_count;
    }
    return out;
  }, [channels, members]);

  return (
    <nav className="team-bar" aria-label="Teams">
      <ul>
        {sorted.map((t) => {
          const u = unreadTeams[t.id];
          const label = `${t.display_name}${u?.mentions ? `, ${u.mentions} mentions` : u?.unread ? ', unread' : ''}`;
          return (
            <li key={t.id}>
              <button
                type="button"
                className={`team-bar__team${t.id === currentTeamId ? ' team-bar__team--active' : ''}`}
                aria-current={t.id === currentTeamId ? 'page' : undefined}
                aria-label={label}
                title={t.display_name}
                onClick={() => navigate(`/${t.name}`)}
              >
                {t.display_name.slice(0, 2)}
                {t.id !== currentTeamId && u?.mentions ? (
                  <span className="badge team-bar__badge">{u.mentions}</span>
                ) : null}
                {t.id !== currentTeamId && !u?.mentions && u?.unread ? (
                  <span className="team-bar__dot" />
                ) : null}
              </button>
            </li>
          );
        })}
        <li>
          <button
            type="button"
            className="team-bar__team team-bar__add"
            aria-label="Create or join a team"
            title="Create or join a team"
            onClick={() => navigate('/create-team')}
          >
            +
          </button>
        </li>
      </ul>
    </nav>
  );
}
