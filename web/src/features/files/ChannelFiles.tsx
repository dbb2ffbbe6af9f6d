import { useCallback, useEffect, useState } from 'react';
import type { FileInfo } from '@mattermost/types/files';
import { client, errorMessage } from '../../api/client';
import { Dialog } from '../../common/Dialog';
import { downloadUrl, formatSize, typeLabel } from './fileKinds';
import './ChannelFiles.css';

export const CHANNEL_FILES_PAGE = 50;

/** GET /channels/{id}/files: the files of the channel's posts, newest first. */
export function fetchChannelFiles(channelId: string, page: number, perPage: number): Promise<FileInfo[]> {
  // Client4 has no method for this route; its own fetch keeps the session, headers and error shape.
  const c = client as unknown as {
    doFetch: <T>(url: string, options: { method: string }) => Promise<T>;
  };
  return c.doFetch<FileInfo[]>(
    `${client.getChannelRoute(channelId)}/files?page=${page}&per_page=${perPage}`,
    { method: 'get' },
  );
}

/** The channel's files in a dialog: name, size, type and a download link each, with "Load more". */
export function ChannelFilesDialog({
  channelId,
  onClose,
  load = fetchChannelFiles,
}: {
  channelId: string;
  onClose: () => void;
  load?: typeof fetchChannelFiles;
}) {
  const [files, setFiles] = useState<FileInfo[]>([]);
  const [page, setPage] = useState(0);
  const [more, setMore] = useState(false);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState('');

  const fetchPage = useCallback(
    (p: number, isCancelled: () => boolean = () => false) => {
      setLoading(true);
      load(channelId, p, CHANNEL_FILES_PAGE).then(
        (list) => {
          if (isCancelled()) return;
          setFiles((prev) => {
            const seen = new Set(prev.map((f) => f.id));
            return [...(p === 0 ? [] : prev), ...list.filter((f) => p === 0 || !seen.has(f.id))];
          });
          setPage(p);
          setMore(list.length === CHANNEL_FILES_PAGE);
          setLoading(false);
        },
        (err: unknown) => {
          if (isCancelled()) return;
          setError(errorMessage(err));
          setLoading(false);
        },
      );
    },
    [channelId, load],
  );

  useEffect(() => {
    let cancelled = false;
    fetchPage(0, () => cancelled);
    return () => {
      cancelled = true;
    };
  }, [fetchPage]);

  return (
    <Dialog title="Files" onClose={onClose} wide>
      {error && (
        <p className="form__error" role="alert">
          {error}
        </p>
      )}
      {!loading && !error && files.length === 0 && <p className="muted">No files in this channel yet.</p>}
      {files.length > 0 && (
        <ul className="channel-files" aria-label="Channel files">
          {files.map((f) => (
            <li key={f.id} className="channel-files__item">
              <span className="channel-files__type" aria-label="Type">
                {typeLabel(f)}
              </span>
              <span className="channel-files__name" title={f.name}>
                {f.name}
              </span>
              <span className="channel-files__size muted">{formatSize(f.size)}</span>
              <a className="button button--ghost" href={downloadUrl(f.id)} download={f.name}>
                Download
              </a>
            </li>
          ))}
        </ul>
      )}
      {loading && <p className="muted">Loading…</p>}
      {more && !loading && (
        <button type="button" className="button" onClick={() => fetchPage(page + 1)}>
          Load more
        </button>
      )}
    </Dialog>
  );
}
