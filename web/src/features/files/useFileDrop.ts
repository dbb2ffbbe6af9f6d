/**
 * Files dragged from the desktop onto the channel (or thread panel) holding the composer: shows that a
 * drop will attach them, and hands them over on drop. Drags of text or links inside the page are ignored.
 */
import { useEffect, useRef, useState, type RefObject } from 'react';

function hasFiles(e: DragEvent): boolean {
  return !!e.dataTransfer && Array.from(e.dataTransfer.types).includes('Files');
}

export function useFileDrop(
  ref: RefObject<HTMLElement | null>,
  onFiles: ((files: File[]) => unknown) | undefined,
): boolean {
  const [dragging, setDragging] = useState(false);
  const handler = useRef(onFiles);
  handler.current = onFiles;
  const enabled = !!onFiles;

  useEffect(() => {
    const el = ref.current;
    if (!el || !enabled) return;
    const zone: HTMLElement = el.closest<HTMLElement>('.channel, .rhs') ?? el;
    let depth = 0;
    const enter = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      depth++;
      setDragging(true);
    };
    const over = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy';
    };
    const leave = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      depth = Math.max(0, depth - 1);
      if (depth === 0) setDragging(false);
    };
    const drop = (e: DragEvent) => {
      const files = Array.from(e.dataTransfer?.files ?? []);
      depth = 0;
      setDragging(false);
      if (files.length === 0) return;
      e.preventDefault();
      handler.current?.(files);
    };
    zone.addEventListener('dragenter', enter);
    zone.addEventListener('dragover', over);
    zone.addEventListener('dragleave', leave);
    zone.addEventListener('drop', drop);
    return () => {
      zone.removeEventListener('dragenter', enter);
      zone.removeEventListener('dragover', over);
      zone.removeEventListener('dragleave', leave);
      zone.removeEventListener('drop', drop);
    };
  }, [ref, enabled]);

  return dragging;
}
