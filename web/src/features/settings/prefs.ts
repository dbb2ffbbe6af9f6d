/** Settings kept in this browser: theme, mention sound, desktop notifications. */
import { useSyncExternalStore } from 'react';

export type Theme = 'light' | 'dark' | 'system';

export interface LocalPrefs {
  theme: Theme;
  sound: boolean;
  desktop: boolean;
}

const KEY = 'parley.prefs';
const defaults: LocalPrefs = { theme: 'system', sound: true, desktop: true };

function read(): LocalPrefs {
  try {
    const raw = localStorage.getItem(KEY);
    const v = raw ? (JSON.parse(raw) as Partial<LocalPrefs>) : {};
    return {
      theme: v.theme === 'light' || v.theme === 'dark' || v.theme === 'system' ? v.theme : defaults.theme,
      sound: typeof v.sound === 'boolean' ? v.sound : defaults.sound,
      desktop: typeof v.desktop === 'boolean' ? v.desktop : defaults.desktop,
    };
  } catch {
    return { ...defaults };
  }
}

let current: LocalPrefs = typeof localStorage !== 'undefined' ? read() : { ...defaults };
const listeners = new Set<() => void>();

export function getPrefs(): LocalPrefs {
  return current;
}

export function setPrefs(patch: Partial<LocalPrefs>): void {
  current = { ...current, ...patch };
  try {
    localStorage.setItem(KEY, JSON.stringify(current));
  } catch {
    // Not persisted; still applied.
  }
  applyTheme();
  for (const l of listeners) l();
}

export function usePrefs(): LocalPrefs {
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => current,
  );
}

export function applyTheme(): void {
  const dark =
    current.theme === 'dark' ||
    (current.theme === 'system' &&
      typeof matchMedia !== 'undefined' &&
      matchMedia('(prefers-color-scheme: dark)').matches);
  document.documentElement.dataset.theme = dark ? 'dark' : 'light';
}
