/** How a file shows in a message, its URLs and its size for people. */
import type { FileInfo } from '@mattermost/types/files';

export type FileKind = 'image' | 'audio' | 'video' | 'other';

/** Raster images the server makes thumbnails of (SVG is never shown inline). */
const IMAGE = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp', 'image/bmp', 'image/tiff']);
/** What the server serves inline for players. */
const AUDIO = new Set(['audio/mpeg', 'audio/ogg', 'audio/wav', 'audio/webm', 'audio/mp4']);
const VIDEO = new Set(['video/mp4', 'video/webm']);

/** A voice message recorded in the composer (a WebM container holding only audio). */
export function isVoiceMessage(f: Pick<FileInfo, 'name' | 'mime_type'>): boolean {
  return (
    /^voice-[\w.-]*\.webm$/.test(f.name) && (f.mime_type === 'video/webm' || f.mime_type === 'audio/webm')
  );
}

export function fileKind(f: Pick<FileInfo, 'name' | 'mime_type' | 'has_preview_image'>): FileKind {
  const mime = (f.mime_type || '').toLowerCase();
  if (IMAGE.has(mime) && f.has_preview_image) return 'image';
  if (AUDIO.has(mime) || isVoiceMessage(f)) return 'audio';
  if (VIDEO.has(mime)) return 'video';
  return 'other';
}

const base = (id: string) => `/api/v4/files/${encodeURIComponent(id)}`;
export const fileUrl = (id: string) => base(id);
export const thumbnailUrl = (id: string) => `${base(id)}/thumbnail`;
export const previewUrl = (id: string) => `${base(id)}/preview`;
export const downloadUrl = (id: string) => `${base(id)}?download=1`;

/** The server's thumbnails fit in this box (cropped to fill it, never enlarged). */
export const THUMB = { width: 120, height: 100 } as const;

export function thumbnailSize(f: Pick<FileInfo, 'width' | 'height'>): { width: number; height: number } {
  const w = f.width > 0 ? f.width : THUMB.width;
  const h = f.height > 0 ? f.height : THUMB.height;
  return { width: Math.min(w, THUMB.width), height: Math.min(h, THUMB.height) };
}

export function formatSize(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '';
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = bytes / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[u]}`;
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '0:00';
  const s = Math.round(seconds);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/** A short label for the type icon of a file card. */
export function typeLabel(f: Pick<FileInfo, 'extension' | 'mime_type'>): string {
  const ext = (f.extension || '')
    .replace(/[^a-z0-9]/gi, '')
    .slice(0, 4)
    .toUpperCase();
  if (ext) return ext;
  const sub = (f.mime_type || '').split('/')[1] ?? '';
  return (
    sub
      .replace(/[^a-z0-9]/gi, '')
      .slice(0, 4)
      .toUpperCase() || 'FILE'
  );
}
