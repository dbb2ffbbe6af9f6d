/**
 * The bus between services (who publish after commit) and socket hubs (who deliver). In-process now;
 * a Redis implementation with the same interface comes with clustering, so nothing outside this file
 * may assume that publisher and subscriber share a process.
 */
import type { ServerEvent } from './events.js';

export type BusMessage =
  | { type: 'event'; event: ServerEvent }
  /** End these sessions' sockets (logout, password change, deactivation). */
  | { type: 'sessions_revoked'; sessionIds: readonly string[] }
  /** A user's system roles changed: their open sockets act with the new roles from now on. */
  | { type: 'roles_changed'; userId: string; roles: string };

export interface Bus {
  publish(msg: BusMessage): void;
  subscribe(handler: (msg: BusMessage) => void): () => void;
  close(): Promise<void>;
}

export class InProcessBus implements Bus {
  private readonly handlers = new Set<(msg: BusMessage) => void>();

  constructor(private readonly onError: (err: unknown) => void = (err) => console.error(err)) {}

  publish(msg: BusMessage): void {
    for (const h of this.handlers) {
      try {
        h(msg);
      } catch (err) {
        // A failing subscriber must not stop delivery to the others nor fail the publishing request.
        this.onError(err);
      }
    }
  }

  subscribe(handler: (msg: BusMessage) => void): () => void {
    this.handlers.add(handler);
    return () => this.handlers.delete(handler);
  }

  async close(): Promise<void> {
    this.handlers.clear();
  }
}
