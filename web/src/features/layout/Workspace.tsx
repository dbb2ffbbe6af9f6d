/**
 * The signed-in app: team bar, channel sidebar, the channel in view and the right-hand panel. It turns
 * the route into the active team and channel (fetching, joining or opening a DM as needed).
 */
import { useEffect, useMemo, useState } from 'react';
import type { Team } from '@mattermost/types/teams';
import { navigate, paths, type Route } from '../../router';
import { store, useAppState } from '../../state/store';
import { channelHref } from '../../state/selectors';
import {
  findChannelByName,
  findUserByUsername,
  loadPost,
  openDirectChannel,
  setActive,
  viewChannel,
} from '../../state/actions';
import { errorMessage } from '../../api/client';
import { setUi, useUi } from '../../state/ui';
import { Sidebar } from '../sidebar/Sidebar';
import { TeamBar } from '../teams/TeamBar';
import { ChannelView } from '../channel/ChannelView';
import { RightPanel } from './RightPanel';
import { ChannelSwitcher } from '../switcher/ChannelSwitcher';
import { SettingsDialog } from '../settings/SettingsDialog';
import { useDocumentTitle } from './useDocumentTitle';
import { isChannelVisible } from '../../realtime/events';

function lastChannel(): { teamId: string; channelId: string } | undefined {
  try {
    const v = JSON.parse(localStorage.getItem('parley.lastChannel') ?? 'null') as unknown;
    if (v && typeof v === 'object' && 'teamId' in v && 'channelId' in v) {
      return v as { teamId: string; channelId: string };
    }
  } catch {
    // Ignore a corrupt value.
  }
  return undefined;
}

export function Workspace({ route }: { route: Route }) {
  const teams = useAppState((s) => s.teams);
  const channels = useAppState((s) => s.channels);
  const activeChannelId = useAppState((s) => s.activeChannelId);
  const connection = useAppState((s) => s.connection);
  const drawerOpen = useUi((u) => u.drawerOpen);
  const rhs = useUi((u) => u.rhs);
  const switcherOpen = useUi((u) => u.switcherOpen);
  const settingsOpen = useUi((u) => u.settingsOpen);
  const [routeError, setRouteError] = useState('');

  useDocumentTitle();

  const team: Team | undefined = useMemo(() => {
    const name = 'team' in route ? route.team : undefined;
    if (name) return Object.values(teams).find((t) => t.name === name);
    return undefined;
  }, [route, teams]);

  // Route → active channel.
  useEffect(() => {
    let cancelled = false;
    setRouteError('');
    const fail = (msg: string) => !cancelled && setRouteError(msg);
    const teamList = Object.values(teams).sort((a, b) => a.display_name.localeCompare(b.display_name));
    const firstChannelOf = (t: Team) => {
      const inTeam = Object.values(channels).filter(
        (c) => c.team_id === t.id && c.type !== 'D' && c.type !== 'G',
      );
      return (
        inTeam.find((c) => c.name === 'town-square') ?? inTeam.sort((a, b) => a.name.localeCompare(b.name))[0]
      );
    };
    if (route.kind === 'root' || route.kind === 'notFound') {
      const last = lastChannel();
      const lt = last && teams[last.teamId];
      const lc = last && channels[last.channelId];
      if (lt && lc) {
        navigate(channelHref(lt.name, lc, store.get()), { replace: true });
        return;
      }
      const t = teamList[0];
      if (t) navigate(`/${t.name}`, { replace: true });
      return;
    }
    if (!team) {
      if ('team' in route) fail(`There is no team “${route.team}”, or you are not in it.`);
      return;
    }
    if (route.kind === 'team') {
      const c = firstChannelOf(team);
      if (c) navigate(paths.channel(team.name, c.name), { replace: true });
      else fail('This team has no channels yet.');
      return;
    }
    if (route.kind === 'channel') {
      const known = Object.values(channels).find(
        (c) =>
          (c.name === route.channel || c.id === route.channel) && (c.team_id === team.id || c.team_id === ''),
      );
      if (known) {
        setActive(team.id, known.id);
        return;
      }
      findChannelByName(team.name, route.channel).then(
        (c) => !cancelled && setActive(team.id, c.id),
        (err: unknown) => fail(`Channel not found: ${errorMessage(err)}`),
      );
      return;
    }
    if (route.kind === 'dm') {
      findUserByUsername(route.username)
        .then((u) => openDirectChannel(u.id))
        .then(
          (c) => !cancelled && setActive(team.id, c.id),
          (err: unknown) => fail(`Cannot open a conversation with @${route.username}: ${errorMessage(err)}`),
        );
      return;
    }
    if (route.kind === 'permalink') {
      loadPost(route.postId).then(
        (p) => {
          if (cancelled) return;
          setActive(team.id, p.channel_id);
          setUi({
            highlightPostId: p.id,
            ...(p.root_id ? { rhs: { kind: 'thread', rootId: p.root_id } } : {}),
          });
        },
        (err: unknown) => fail(`Message not found: ${errorMessage(err)}`),
      );
    }
    return () => {
      cancelled = true;
    };
    // Channels change with every post; the route only needs re-resolving when it or the teams change.
  }, [route, team, teams]);

  // Coming back to the tab marks the channel in view as read.
  useEffect(() => {
    const onVisible = () => {
      if (activeChannelId && isChannelVisible(activeChannelId)) void viewChannel(activeChannelId);
    };
    document.addEventListener('visibilitychange', onVisible);
    window.addEventListener('focus', onVisible);
    return () => {
      document.removeEventListener('visibilitychange', onVisible);
      window.removeEventListener('focus', onVisible);
    };
  }, [activeChannelId]);

  // Ctrl/Cmd+K opens the channel switcher from anywhere.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'k') {
        e.preventDefault();
        setUi({ switcherOpen: true });
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const activeChannel = channels[activeChannelId];
  const showChannel =
    activeChannel && (!team || activeChannel.team_id === team.id || activeChannel.team_id === '');

  return (
    <div className={`workspace${drawerOpen ? ' workspace--drawer' : ''}${rhs ? ' workspace--rhs' : ''}`}>
      <a href="#composer" className="skip-link">
        Skip to message box
      </a>
      <div className="workspace__nav" id="navigation">
        <TeamBar currentTeamId={team?.id ?? ''} />
        <Sidebar team={team} />
      </div>
      {drawerOpen && (
        <button
          type="button"
          className="drawer-scrim"
          aria-label="Close menu"
          onClick={() => setUi({ drawerOpen: false })}
        />
      )}
      <main className="workspace__main" aria-label="Conversation">
        {connection !== 'online' && (
          <div className={`connection-banner connection-banner--${connection}`} role="status">
            {connection === 'connecting' ? 'Connecting…' : 'You are offline. Reconnecting…'}
          </div>
        )}
        {routeError ? (
          <div className="empty-state" role="alert">
            <p>{routeError}</p>
            <button type="button" className="button" onClick={() => navigate('/')}>
              Go to your channels
            </button>
          </div>
        ) : showChannel && team ? (
          <ChannelView key={activeChannel.id} channel={activeChannel} team={team} />
        ) : (
          <div className="empty-state" role="status">
            Loading…
          </div>
        )}
      </main>
      {rhs && team && <RightPanel panel={rhs} team={team} />}
      {switcherOpen && <ChannelSwitcher team={team} />}
      {settingsOpen && <SettingsDialog />}
    </div>
  );
}
