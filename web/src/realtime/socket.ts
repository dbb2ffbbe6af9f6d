/**
 * The app's WebSocket: Client4's WebSocketClient, authenticated by the session cookie on the upgrade.
 * It reconnects by itself; when the server hands out a new connection id (restart, lost state) the app
 * refetches what it shows.
 */
import { WebSocketClient } from '@mattermost/client';
import { webSocketUrl } from '../api/client';
import { store } from '../state/store';
import { refreshStatuses, resync } from '../state/actions';
import { handleEvent } from './events';

let socket: WebSocketClient | undefined;
let statusTimer: ReturnType<typeof setInterval> | undefined;

/** Presence arrives as events; a slow poll repairs anything a dropped event left stale. */
const STATUS_POLL_MS = 2 * 60 * 1000;

export function connectSocket(): void {
  if (socket) return;
  const ws = new WebSocketClient({
    minWebSocketRetryTime: 1000,
    reconnectJitterRange: 1000,
    maxWebSocketRetryTime: 30000,
  });
  socket = ws;
  store.set(() => ({ connection: 'connecting' }));
  ws.addMessageListener((msg) => {
    if (msg.event === 'hello') store.set(() => ({ connection: 'online' }));
    handleEvent(msg);
  });
  ws.addFirstConnectListener(() => store.set(() => ({ connection: 'online' })));
  ws.addReconnectListener(() => {
    store.set(() => ({ connection: 'online' }));
    void refreshStatuses();
  });
  ws.addMissedMessageListener(() => {
    void resync();
  });
  ws.addCloseListener(() => store.set(() => ({ connection: 'offline' })));
  ws.initialize(webSocketUrl());
  statusTimer = setInterval(() => void refreshStatuses(), STATUS_POLL_MS);
}

export function disconnectSocket(): void {
  socket?.close();
  socket = undefined;
  clearInterval(statusTimer);
}

export function sendTyping(channelId: string, rootId: string): void {
  socket?.userTyping(channelId, rootId);
}
