/**
 * `user_typing` from a client becomes `typing` for the channel's other members: only when the typist
 * may read the channel (an unknown channel and one they may not see answer alike), and at most once
 * per user and channel per throttle interval, because typing traffic grows with the square of a
 * room's size.
 */
import { isId } from '../lib/ids.js';
import { badRequest } from '../lib/errors.js';
import { accessChannel } from '../services/access.js';
import { publish, type Actor, type Deps } from '../services/context.js';
import { broadcastOf } from './events.js';

export class TypingNotifier {
  /** `${userId}:${channelId}` → when the last typing event was published. */
  private readonly last = new Map<string, number>();

  constructor(
    private readonly deps: Deps,
    private readonly throttleMs: () => number,
  ) {}

  async userTyping(actor: Actor, data: unknown): Promise<void> {
    const { channel_id, parent_id } = (typeof data === 'object' && data !== null ? data : {}) as Record<
      string,
      unknown
    >;
    if (!isId(channel_id)) {
      throw badRequest('api.websocket_handler.invalid_param.app_error', 'Invalid channel_id.');
    }
    if (parent_id !== undefined && parent_id !== '' && !isId(parent_id)) {
      throw badRequest('api.websocket_handler.invalid_param.app_error', 'Invalid parent_id.');
    }
    const key = `${actor.userId}:${channel_id}`;
    const now = Date.now();
    const previous = this.last.get(key);
    if (previous !== undefined && now - previous < this.throttleMs()) return;
    await accessChannel(this.deps.store, actor, channel_id);
    this.last.set(key, now);
    publish(this.deps, {
      event: 'typing',
      data: { parent_id: parent_id ?? '', user_id: actor.userId },
      broadcast: broadcastOf({ channel_id, omit_users: { [actor.userId]: true } }),
      audience: { kind: 'channel', channelId: channel_id },
      omitUsers: [actor.userId],
    });
  }

  /** Forgets throttle entries that no longer throttle anything. */
  sweep(now = Date.now()): void {
    const limit = this.throttleMs();
    for (const [key, at] of this.last) if (now - at >= limit) this.last.delete(key);
  }
}
