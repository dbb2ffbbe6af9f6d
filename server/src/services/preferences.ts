import { badRequest, forbidden } from '../lib/errors.js';
import { broadcastOf } from '../realtime/events.js';
import type { PreferenceRow } from '../store/preferences.js';
import { inTransaction, type Actor, type Deps } from './context.js';

const MAX_PREFERENCES_PER_REQUEST = 100;

function checkPreferences(userId: string, input: unknown, withValue: boolean): PreferenceRow[] {
  if (!Array.isArray(input) || input.length === 0 || input.length > MAX_PREFERENCES_PER_REQUEST) {
    throw badRequest(
      'api.preference.invalid',
      `Expected an array of 1 to ${MAX_PREFERENCES_PER_REQUEST} preferences.`,
    );
  }
  return input.map((p: unknown) => {
    if (typeof p !== 'object' || p === null)
      throw badRequest('api.preference.invalid', 'Invalid preference.');
    const { user_id, category, name, value } = p as Record<string, unknown>;
    if (user_id !== undefined && user_id !== userId) {
      throw forbidden('Unable to set preferences for another user.');
    }
    if (typeof category !== 'string' || category === '' || category.length > 32) {
      throw badRequest('model.preference.is_valid.category.app_error', 'Invalid preference category.');
    }
    if (typeof name !== 'string' || name.length > 64) {
      throw badRequest('model.preference.is_valid.name.app_error', 'Invalid preference name.');
    }
    if (withValue && (typeof value !== 'string' || value.length > 2000)) {
      throw badRequest('model.preference.is_valid.value.app_error', 'Invalid preference value.');
    }
    return { user_id: userId, category, name, value: typeof value === 'string' ? value : '' };
  });
}

export class PreferenceService {
  constructor(private readonly deps: Deps) {}

  private requireSelfOrAdmin(actor: Actor, userId: string): void {
    if (actor.userId !== userId && !actor.isSystemAdmin) throw forbidden();
  }

  list(actor: Actor, userId: string, category?: string): Promise<PreferenceRow[]> {
    this.requireSelfOrAdmin(actor, userId);
    return this.deps.store.preferences.listForUser(userId, category);
  }

  async get(
    actor: Actor,
    userId: string,
    category: string,
    name: string,
  ): Promise<PreferenceRow | undefined> {
    this.requireSelfOrAdmin(actor, userId);
    return this.deps.store.preferences.find(userId, category, name);
  }

  async save(actor: Actor, userId: string, input: unknown): Promise<void> {
    this.requireSelfOrAdmin(actor, userId);
    const prefs = checkPreferences(userId, input, true);
    await inTransaction(this.deps, async (tx, events) => {
      await tx.preferences.upsert(prefs);
      events.push({
        event: 'preferences_changed',
        data: { preferences: JSON.stringify(prefs) },
        broadcast: broadcastOf({ user_id: userId }),
        audience: { kind: 'users', userIds: [userId] },
      });
    });
  }

  async delete(actor: Actor, userId: string, input: unknown): Promise<void> {
    this.requireSelfOrAdmin(actor, userId);
    const prefs = checkPreferences(userId, input, false);
    await inTransaction(this.deps, async (tx, events) => {
      await tx.preferences.delete(userId, prefs);
      events.push({
        event: 'preferences_deleted',
        data: { preferences: JSON.stringify(prefs) },
        broadcast: broadcastOf({ user_id: userId }),
        audience: { kind: 'users', userIds: [userId] },
      });
    });
  }
}
