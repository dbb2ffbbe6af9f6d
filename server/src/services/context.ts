import type { Config } from '../config.js';
import type { Store } from '../store/store.js';
import type { Bus } from '../realtime/bus.js';
import type { ServerEvent } from '../realtime/events.js';

export interface Logger {
  info(obj: unknown, msg?: string): void;
  warn(obj: unknown, msg?: string): void;
  error(obj: unknown, msg?: string): void;
}

export interface Deps {
  store: Store;
  bus: Bus;
  config: Config;
  log: Logger;
  now: () => number;
}

/** Who is asking: the session's user. */
export interface Actor {
  userId: string;
  sessionId: string;
  /** The user's system roles, e.g. "system_user system_admin". */
  roles: string;
  isSystemAdmin: boolean;
}

/**
 * Runs fn in one transaction and publishes the events it collected only after the commit; a failed
 * transaction publishes nothing.
 */
export async function inTransaction<T>(
  deps: Deps,
  fn: (tx: Store, events: ServerEvent[]) => Promise<T>,
): Promise<T> {
  const events: ServerEvent[] = [];
  const result = await deps.store.transaction((tx) => fn(tx, events));
  for (const event of events) deps.bus.publish({ type: 'event', event });
  return result;
}

export function publish(deps: Deps, ...events: ServerEvent[]): void {
  for (const event of events) deps.bus.publish({ type: 'event', event });
}
