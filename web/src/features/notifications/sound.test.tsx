import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { Post } from '@mattermost/types/posts';
import type { UserProfile } from '@mattermost/types/users';
import { store } from '../../state/store';
import { SettingsDialog } from '../settings/SettingsDialog';
import { getPrefs, setPrefs } from '../settings/prefs';
import { notifyForPost } from './notify';

/** A stand-in AudioContext that counts the tones started on it. */
const tones = vi.fn();
class FakeAudioContext {
  currentTime = 0;
  destination = {};
  createOscillator() {
    return { frequency: { value: 0 }, connect: (n: unknown) => n, start: tones, stop: () => undefined };
  }
  createGain() {
    const node = {
      gain: { setValueAtTime: () => undefined, exponentialRampToValueAtTime: () => undefined },
      connect: (n: unknown) => n,
    };
    return node;
  }
}

const mention = { id: 'p1', channel_id: 'other', user_id: 'bob', message: '@alice look' } as Post;
const ctx = { mentioned: true, channelType: 'O', channelName: 'Town', senderName: 'bob' };

beforeEach(() => {
  vi.stubGlobal('AudioContext', FakeAudioContext);
  tones.mockClear();
  localStorage.clear();
  setPrefs({ sound: true, desktop: false });
  store.set(() => ({
    me: { id: 'alice', username: 'alice' } as UserProfile,
    activeChannelId: 'here',
    statuses: {},
  }));
});

afterEach(() => {
  vi.unstubAllGlobals();
  store.reset();
});

describe('mention sound', () => {
  it('plays for a mention while the setting is on', () => {
    notifyForPost(mention, ctx);
    expect(tones).toHaveBeenCalled();
  });

  it('is turned off in settings: the choice is saved and no sound plays', async () => {
    render(<SettingsDialog />);
    const box = screen.getByRole('checkbox', { name: /play a sound for mentions/i });
    expect(box).toBeChecked();
    await userEvent.click(box);
    expect(box).not.toBeChecked();
    expect(getPrefs().sound).toBe(false);
    expect(JSON.parse(localStorage.getItem('parley.prefs') ?? '{}')).toMatchObject({ sound: false });

    notifyForPost(mention, ctx);
    expect(tones).not.toHaveBeenCalled();

    // Turned on again, it plays again.
    await userEvent.click(box);
    expect(box).toBeChecked();
    notifyForPost(mention, ctx);
    expect(tones).toHaveBeenCalled();
  });

  it('stays off after a reload (read back from this browser’s storage)', async () => {
    setPrefs({ sound: false });
    vi.resetModules();
    const fresh = await import('../settings/prefs');
    expect(fresh.getPrefs().sound).toBe(false);
    const { SettingsDialog: FreshDialog } = await import('../settings/SettingsDialog');
    render(<FreshDialog />);
    expect(screen.getByRole('checkbox', { name: /play a sound for mentions/i })).not.toBeChecked();
    const { notifyForPost: freshNotify } = await import('./notify');
    freshNotify(mention, ctx);
    expect(tones).not.toHaveBeenCalled();
  });
});
