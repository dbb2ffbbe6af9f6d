/** The full-screen image viewer: previous/next (buttons and arrow keys), zoom, download, Escape closes. */
import { useEffect, useRef, useState } from 'react';
import { createPortal } from 'react-dom';
import type { FileInfo } from '@mattermost/types/files';
import { downloadUrl, fileUrl, previewUrl } from './fileKinds';

const ZOOMS = [1, 1.5, 2, 3, 4];

export function ImageViewer({
  images,
  start,
  onClose,
}: {
  images: readonly FileInfo[];
  start: number;
  onClose: () => void;
}) {
  const [index, setIndex] = useState(start);
  const [zoom, setZoom] = useState(0);
  /** The width the image fits the screen at (zoom 100 %): zooming scales it and the stage scrolls. */
  const [fitWidth, setFitWidth] = useState(0);
  const img = useRef<HTMLImageElement>(null);
  const ref = useRef<HTMLDivElement>(null);
  const file = images[index] ?? images[0];
  const count = images.length;

  const go = (delta: number) => {
    setIndex((i) => (i + delta + count) % count);
    setZoom(0);
  };

  useEffect(() => {
    const previous = document.activeElement as HTMLElement | null;
    ref.current?.focus();
    return () => previous?.focus?.();
  }, []);

  if (!file) return null;

  const onKeyDown = (e: React.KeyboardEvent) => {
    if (e.key === 'Escape') {
      e.stopPropagation();
      onClose();
    } else if (e.key === 'ArrowRight' && count > 1) go(1);
    else if (e.key === 'ArrowLeft' && count > 1) go(-1);
    else if (e.key === '+' || e.key === '=') zoomTo(zoom + 1);
    else if (e.key === '-') zoomTo(zoom - 1);
  };

  const scale = ZOOMS[zoom] ?? 1;
  const zoomTo = (next: number) => {
    if (zoom === 0 && next > 0 && img.current) setFitWidth(img.current.getBoundingClientRect().width);
    setZoom(Math.max(0, Math.min(ZOOMS.length - 1, next)));
  };
  const src = file.has_preview_image ? previewUrl(file.id) : fileUrl(file.id);

  return createPortal(
    <div
      ref={ref}
      className="image-viewer"
      role="dialog"
      aria-modal="true"
      aria-label={`Image ${index + 1} of ${count}: ${file.name}`}
      tabIndex={-1}
      onKeyDown={onKeyDown}
    >
      <div className="image-viewer__bar">
        <span className="image-viewer__name">{file.name}</span>
        <span className="image-viewer__count">
          {index + 1} / {count}
        </span>
        <button
          type="button"
          className="button"
          aria-label="Zoom out"
          disabled={zoom === 0}
          onClick={() => zoomTo(zoom - 1)}
        >
          −
        </button>
        <span className="image-viewer__zoom" aria-live="polite">
          {Math.round(scale * 100)}%
        </span>
        <button
          type="button"
          className="button"
          aria-label="Zoom in"
          disabled={zoom === ZOOMS.length - 1}
          onClick={() => zoomTo(zoom + 1)}
        >
          +
        </button>
        <a className="button" href={downloadUrl(file.id)} download>
          Download
        </a>
        <button type="button" className="button" aria-label="Close viewer" onClick={onClose}>
          ✕
        </button>
      </div>
      <div className="image-viewer__stage" onClick={(e) => e.target === e.currentTarget && onClose()}>
        {count > 1 && (
          <button
            type="button"
            className="image-viewer__nav image-viewer__nav--prev"
            aria-label="Previous image"
            onClick={() => go(-1)}
          >
            ‹
          </button>
        )}
        <div className={`image-viewer__frame${zoom > 0 ? ' image-viewer__frame--zoomed' : ''}`}>
          <img
            key={file.id}
            className="image-viewer__img"
            src={src}
            alt={file.name}
            width={file.width || undefined}
            height={file.height || undefined}
            ref={img}
            style={zoom > 0 && fitWidth > 0 ? { width: `${fitWidth * scale}px` } : undefined}
          />
        </div>
        {count > 1 && (
          <button
            type="button"
            className="image-viewer__nav image-viewer__nav--next"
            aria-label="Next image"
            onClick={() => go(1)}
          >
            ›
          </button>
        )}
      </div>
    </div>,
    document.body,
  );
}
