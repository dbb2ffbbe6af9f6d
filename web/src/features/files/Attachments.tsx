/**
 * A message's files: images as thumbnails (sized from the file info, so nothing jumps) opening the
 * full-screen viewer, audio and video with the browser's players, everything else as a card with a
 * download link. Names are always text nodes, never markup.
 */
import { useEffect, useRef, useState } from 'react';
import type { FileInfo } from '@mattermost/types/files';
import {
  downloadUrl,
  fileKind,
  fileUrl,
  formatDuration,
  formatSize,
  isVoiceMessage,
  thumbnailSize,
  thumbnailUrl,
  typeLabel,
} from './fileKinds';
import { ImageViewer } from './ImageViewer';
import './files.css';

export function Attachments({ files }: { files: readonly FileInfo[] }) {
  const [viewing, setViewing] = useState<number | undefined>();
  if (files.length === 0) return null;
  const images = files.filter((f) => fileKind(f) === 'image');
  return (
    <div className="attachments">
      {images.length > 0 && (
        <ul className="attachments__images" aria-label="Images">
          {images.map((f, i) => {
            const size = thumbnailSize(f);
            return (
              <li key={f.id}>
                <button
                  type="button"
                  className="attachment-thumb"
                  aria-label={`Open image ${f.name}`}
                  title={f.name}
                  onClick={() => setViewing(i)}
                >
                  <img
                    src={thumbnailUrl(f.id)}
                    alt={f.name}
                    width={size.width}
                    height={size.height}
                    loading="lazy"
                    decoding="async"
                  />
                </button>
              </li>
            );
          })}
        </ul>
      )}
      {files.map((f) => {
        const kind = fileKind(f);
        if (kind === 'image') return null;
        if (kind === 'audio') return <AudioAttachment key={f.id} file={f} />;
        if (kind === 'video') return <VideoAttachment key={f.id} file={f} />;
        return <FileCard key={f.id} file={f} />;
      })}
      {viewing !== undefined && images.length > 0 && (
        <ImageViewer images={images} start={viewing} onClose={() => setViewing(undefined)} />
      )}
    </div>
  );
}

/**
 * WebM written by MediaRecorder carries no duration: the browser reports Infinity until it has seen the
 * end. Seeking far past the end makes it find the real length; then the player goes back to the start.
 */
export function useMediaDuration(ref: React.RefObject<HTMLMediaElement | null>): number | undefined {
  const [duration, setDuration] = useState<number | undefined>();
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    let probing = false;
    const read = () => {
      const d = el.duration;
      if (Number.isFinite(d) && d > 0) {
        setDuration(d);
        if (probing) {
          probing = false;
          el.currentTime = 0;
        }
      } else if (d === Infinity && !probing) {
        probing = true;
        el.currentTime = 1e7;
      }
    };
    el.addEventListener('loadedmetadata', read);
    el.addEventListener('durationchange', read);
    if (el.readyState >= 1) read();
    return () => {
      el.removeEventListener('loadedmetadata', read);
      el.removeEventListener('durationchange', read);
    };
  }, [ref]);
  return duration;
}

function AudioAttachment({ file }: { file: FileInfo }) {
  const ref = useRef<HTMLAudioElement>(null);
  const duration = useMediaDuration(ref);
  const voice = isVoiceMessage(file);
  return (
    <figure className="attachment-media attachment-media--audio" data-file-id={file.id}>
      <figcaption className="attachment-media__caption">
        <span className="attachment-media__name">{voice ? 'Voice message' : file.name}</span>
        <span className="attachment-media__duration" aria-label="Length">
          {duration !== undefined ? formatDuration(duration) : ''}
        </span>
      </figcaption>
      <audio ref={ref} controls preload="metadata" src={fileUrl(file.id)} aria-label={file.name} />
    </figure>
  );
}

function VideoAttachment({ file }: { file: FileInfo }) {
  const size = file.width > 0 && file.height > 0 ? { width: Math.min(file.width, 480) } : {};
  return (
    <figure className="attachment-media attachment-media--video" data-file-id={file.id}>
      <video controls preload="metadata" src={fileUrl(file.id)} aria-label={file.name} {...size} />
      <figcaption className="attachment-media__caption">
        <span className="attachment-media__name">{file.name}</span>
        <a className="attachment-media__download" href={downloadUrl(file.id)} download>
          Download
        </a>
      </figcaption>
    </figure>
  );
}

export function FileCard({ file }: { file: FileInfo }) {
  return (
    <div className="file-card" data-file-id={file.id}>
      <span className="file-card__icon" aria-hidden="true">
        {typeLabel(file)}
      </span>
      <span className="file-card__text">
        <span className="file-card__name" title={file.name}>
          {file.name}
        </span>
        <span className="file-card__meta">
          {formatSize(file.size)}
          {file.mime_type ? ` · ${file.mime_type}` : ''}
        </span>
      </span>
      <a
        className="file-card__download"
        href={downloadUrl(file.id)}
        download
        aria-label={`Download ${file.name}`}
      >
        Download
      </a>
    </div>
  );
}
