import { store } from '../../state/store';
import { searchUsers } from '../../state/actions';
import type { Suggestion, SuggestionProviders } from './Composer';

const SPECIAL: Suggestion[] = [
  { value: 'here', label: '@here', detail: 'Notifies everyone online in this channel' },
  { value: 'channel', label: '@channel', detail: 'Notifies everyone in this channel' },
  { value: 'all', label: '@all', detail: 'Notifies everyone in this channel' },
];

/** People from the server's autocomplete (channel members first), channels from the user's list. */
export function defaultProviders(teamId: string, channelId: string): SuggestionProviders {
  return {
    async users(term) {
      const users = await searchUsers(term, teamId, channelId);
      const people = users.map((u) => ({
        value: u.username,
        label: `@${u.username}`,
        detail: [u.first_name, u.last_name].filter(Boolean).join(' ') || undefined,
      }));
      const special = SPECIAL.filter((s) => s.value.startsWith(term.toLowerCase()));
      return [...people, ...special];
    },
    async channels(term) {
      const t = term.toLowerCase();
      return Object.values(store.get().channels)
        .filter((c) => c.team_id === teamId && (c.type === 'O' || c.type === 'P') && c.delete_at === 0)
        .filter((c) => c.name.includes(t) || c.display_name.toLowerCase().includes(t))
        .sort((a, b) => a.name.localeCompare(b.name))
        .map((c) => ({ value: c.name, label: `~${c.name}`, detail: c.display_name }));
    },
  };
}
