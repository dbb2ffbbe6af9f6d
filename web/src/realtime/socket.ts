/**
 * The app's WebSocket: Client4's WebSocketClient, authenticated by the session cookie on the upgrade.
 * It reconnects by itself; when the server hands out a new connection id (restart, lost state) the app
 * refetches what it shows.
 */
import { WebSocketClient } from '@mattermost/client';
import { webSocketUrl } from '../api/client';
import { store } from '../state/store';
import { refreshStatuses, resync } from '../state/actions';
import { STATUS_POLL_MS } from '../state/presence';
import { handleEvent } from './events';

let socket: WebSocketClient | undefined;
let statusTimer: ReturnType<typeof setInterval> | undefined;

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
  // Status changes may arrive as events, but not for everyone (the server limits them in large
  // channels): poll the statuses of the users on screen, as Mattermost's web app does.
  startStatusPoll();
}

/** Every STATUS_POLL_MS, POST /users/status/ids for the users the app shows (none: no request). */
export function startStatusPoll(): void {
  clearInterval(statusTimer);
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
