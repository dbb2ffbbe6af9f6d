/** View state that is not data: the right-hand panel, drawers and dialogs, the highlighted post. */
import { useSyncExternalStore } from 'react';

export type RightPanel =
  | { kind: 'thread'; rootId: string }
  | { kind: 'pinned'; channelId: string }
  | { kind: 'saved' }
  | { kind: 'members'; channelId: string }
  | undefined;

export interface UiState {
  rhs: RightPanel;
  drawerOpen: boolean;
  switcherOpen: boolean;
  settingsOpen: boolean;
  highlightPostId: string;
  /** A post being edited in place. */
  editingPostId: string;
}

let ui: UiState = {
  rhs: undefined,
  drawerOpen: false,
  switcherOpen: false,
  settingsOpen: false,
  highlightPostId: '',
  editingPostId: '',
};
const listeners = new Set<() => void>();

export function getUi(): UiState {
  return ui;
}

export function setUi(patch: Partial<UiState>): void {
  ui = { ...ui, ...patch };
  for (const l of listeners) l();
}

export function useUi<T>(selector: (u: UiState) => T): T {
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => selector(ui),
  );
}
