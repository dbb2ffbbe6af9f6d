/**
 * The one Client4 the app uses. It authenticates with the session cookie set at login (HttpOnly, so no
 * script can read it) and sends the CSRF header from the MMCSRF cookie on writes.
 */
import { Client4, ClientError } from '@mattermost/client';

export const client = new Client4();
client.setUrl(typeof window !== 'undefined' ? window.location.origin : 'http://localhost');
client.setIncludeCookies(true);

export function webSocketUrl(): string {
  const { protocol, host } = window.location;
  return `${protocol === 'https:' ? 'wss' : 'ws'}://${host}/api/v4/websocket`;
}

/** A person-readable message for a failed call. */
export function errorMessage(err: unknown): string {
  if (err instanceof ClientError) return err.message || 'The server refused the request.';
  if (err && typeof err === 'object' && 'message' in err && typeof err.message === 'string') {
    return err.message;
  }
  return 'Something went wrong.';
}

export function errorStatus(err: unknown): number | undefined {
  if (err && typeof err === 'object' && 'status_code' in err && typeof err.status_code === 'number') {
    return err.status_code;
  }
  return undefined;
}
