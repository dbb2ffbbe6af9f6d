/**
 * The files waiting to go with the next message: each one uploads at once (several in parallel), shows
 * its progress, can be cancelled or removed, and the message is sent with the ids of those that finished.
 */
import { useEffect, useMemo, useState } from 'react';
import type { FileInfo } from '@mattermost/types/files';
import { UploadAborted, xhrUpload, type Uploader } from './upload';

export const MAX_FILES_PER_POST = 10;

export interface UploadItem {
  key: string;
  name: string;
  size: number;
  type: string;
  /** 0..1 */
  progress: number;
  status: 'uploading' | 'done' | 'failed';
  error?: string;
  info?: FileInfo;
}

let seq = 0;

export class UploadQueue {
  private items: UploadItem[] = [];
  private aborts = new Map<string, () => void>();
  private listeners = new Set<() => void>();

  constructor(
    private channelId: string,
    private uploader: Uploader = xhrUpload,
  ) {}

  list(): readonly UploadItem[] {
    return this.items;
  }

  subscribe(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private emit(): void {
    for (const fn of this.listeners) fn();
  }

  private patch(key: string, change: Partial<UploadItem>): void {
    if (!this.items.some((i) => i.key === key)) return;
    this.items = this.items.map((i) => (i.key === key ? { ...i, ...change } : i));
    this.emit();
  }

  /** Starts uploading each file; answers how many were refused because the post would hold too many. */
  add(files: readonly File[]): number {
    const room = Math.max(0, MAX_FILES_PER_POST - this.items.length);
    const taken = files.slice(0, room);
    for (const file of taken) {
      const key = `upload-${Date.now()}-${++seq}`;
      this.items = [
        ...this.items,
        {
          key,
          name: file.name || 'file',
          size: file.size,
          type: file.type,
          progress: 0,
          status: 'uploading',
        },
      ];
      const handle = this.uploader(this.channelId, file, key, (fraction) =>
        this.patch(key, { progress: fraction }),
      );
      this.aborts.set(key, handle.abort);
      handle.promise.then(
        (info) => {
          this.aborts.delete(key);
          this.patch(key, { status: 'done', progress: 1, info });
        },
        (err: unknown) => {
          this.aborts.delete(key);
          if (err instanceof UploadAborted) return;
          this.patch(key, {
            status: 'failed',
            error: err instanceof Error ? err.message : 'Upload failed.',
          });
        },
      );
    }
    this.emit();
    return files.length - taken.length;
  }

  /** Cancels an upload in flight (or forgets a finished or failed one). */
  remove(key: string): void {
    const abort = this.aborts.get(key);
    this.aborts.delete(key);
    this.items = this.items.filter((i) => i.key !== key);
    abort?.();
    this.emit();
  }

  uploading(): boolean {
    return this.items.some((i) => i.status === 'uploading');
  }

  ready(): FileInfo[] {
    return this.items.flatMap((i) => (i.status === 'done' && i.info ? [i.info] : []));
  }

  /** After sending: the finished files went with the message. */
  clear(): void {
    for (const abort of this.aborts.values()) abort();
    this.aborts.clear();
    this.items = [];
    this.emit();
  }
}

/** One queue per channel for as long as the composer shows it. */
export function useUploadQueue(
  channelId: string | undefined,
  uploader?: Uploader,
): { queue: UploadQueue | undefined; items: readonly UploadItem[] } {
  const queue = useMemo(
    () => (channelId ? new UploadQueue(channelId, uploader) : undefined),
    [channelId, uploader],
  );
  const [items, setItems] = useState<readonly UploadItem[]>([]);
  useEffect(() => {
    if (!queue) {
      setItems([]);
      return;
    }
    setItems(queue.list());
    const off = queue.subscribe(() => setItems(queue.list()));
    return () => {
      off();
      queue.clear();
    };
  }, [queue]);
  return { queue, items };
}
