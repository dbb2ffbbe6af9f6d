/**
 * Attention for posts that are for the user: a desktop notification (once the user allowed them) for
 * mentions and direct messages outside the channel in view, and a short sound that can be turned off.
 */
import type { Post } from '@mattermost/types/posts';
import { store } from '../../state/store';
import { plainText } from '../../lib/markdown';
import { getPrefs } from '../settings/prefs';
import { navigate, paths } from '../../router';

export interface NotifyContext {
  mentioned: boolean;
  channelType: string;
  channelName: string;
  senderName: string;
}

export function notifyForPost(post: Post, ctx: NotifyContext): void {
  const forMe = ctx.mentioned || ctx.channelType === 'D' || ctx.channelType === 'G';
  if (!forMe) return;
  const s = store.get();
  if (s.statuses[s.me?.id ?? ''] === 'dnd') return;
  const inView =
    s.activeChannelId === post.channel_id && document.visibilityState === 'visible' && document.hasFocus();
  if (inView) return;
  const prefs = getPrefs();
  if (prefs.sound) playMentionSound();
  if (!prefs.desktop || typeof Notification === 'undefined' || Notification.permission !== 'granted') return;
  const sender = ctx.senderName.replace(/^@/, '') || 'Someone';
  const title = ctx.channelType === 'D' ? sender : `${sender} in ${ctx.channelName || 'a channel'}`;
  try {
    const n = new Notification(title, { body: plainText(post.message, 120), tag: post.id });
    n.onclick = () => {
      window.focus();
      const team = s.teams[s.activeTeamId];
      if (team) navigate(paths.permalink(team.name, post.id));
      n.close();
    };
  } catch {
    // Some browsers only allow notifications from a service worker.
  }
}

export async function askNotificationPermission(): Promise<NotificationPermission | 'unsupported'> {
  if (typeof Notification === 'undefined') return 'unsupported';
  if (Notification.permission !== 'default') return Notification.permission;
  return Notification.requestPermission();
}

let audio: AudioContext | undefined;

/** Two soft tones, synthesised: no sound file to fetch. */
export function playMentionSound(): void {
  try {
    audio ??= new AudioContext();
    const ctx = audio;
    const start = ctx.currentTime;
    for (const [i, freq] of [880, 1320].entries()) {
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.frequency.value = freq;
      gain.gain.setValueAtTime(0.0001, start + i * 0.12);
      gain.gain.exponentialRampToValueAtTime(0.15, start + i * 0.12 + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, start + i * 0.12 + 0.25);
      osc.connect(gain).connect(ctx.destination);
      osc.start(start + i * 0.12);
      osc.stop(start + i * 0.12 + 0.3);
    }
  } catch {
    // No audio output: nothing to do.
  }
}
