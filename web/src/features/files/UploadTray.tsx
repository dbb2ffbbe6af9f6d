/** The files attached to the message being written: a progress bar each, cancel or remove. */
import type { UploadItem } from './uploadQueue';
import { formatSize } from './fileKinds';
import './files.css';

export function UploadTray({
  items,
  onRemove,
}: {
  items: readonly UploadItem[];
  onRemove: (key: string) => void;
}) {
  if (items.length === 0) return null;
  return (
    <ul className="upload-tray" aria-label="Attachments">
      {items.map((item) => {
        const percent = Math.round(item.progress * 100);
        return (
          <li key={item.key} className={`upload-item upload-item--${item.status}`} data-status={item.status}>
            <span className="upload-item__name" title={item.name}>
              {item.name}
            </span>
            <span className="upload-item__size">{formatSize(item.size)}</span>
            {item.status === 'failed' ? (
              <span className="upload-item__error" role="alert">
                {item.error}
              </span>
            ) : (
              <progress
                className="upload-item__progress"
                max={100}
                value={percent}
                aria-label={`Uploading ${item.name}`}
              >
                {percent}%
              </progress>
            )}
            <button
              type="button"
              className="upload-item__remove link-button"
              aria-label={
                item.status === 'uploading' ? `Cancel upload of ${item.name}` : `Remove ${item.name}`
              }
              onClick={() => onRemove(item.key)}
            >
              {item.status === 'uploading' ? 'Cancel' : 'Remove'}
            </button>
          </li>
        );
      })}
    </ul>
  );
}
