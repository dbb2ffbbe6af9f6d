/**
 * One file upload as an XMLHttpRequest POST to /api/v4/files (the same request Client4.uploadFile makes,
 * with the session cookie and the CSRF header), because only XHR reports upload progress. It can be
 * aborted at any time.
 */
import type { FileInfo, FileUploadResponse } from '@mattermost/types/files';

export interface UploadHandle {
  promise: Promise<FileInfo>;
  abort: () => void;
}

export type Uploader = (
  channelId: string,
  file: File,
  clientId: string,
  onProgress: (fraction: number) => void,
) => UploadHandle;

export class UploadAborted extends Error {
  constructor() {
    super('Upload cancelled');
    this.name = 'UploadAborted';
  }
}

export function csrfToken(cookies: string = typeof document !== 'undefined' ? document.cookie : ''): string {
  for (const part of cookies.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === 'MMCSRF') return decodeURIComponent(v.join('='));
  }
  return '';
}

function serverMessage(xhr: XMLHttpRequest): string {
  try {
    const body = JSON.parse(xhr.responseText) as { message?: unknown };
    if (typeof body.message === 'string' && body.message) return body.message;
  } catch {
    // Not JSON.
  }
  if (xhr.status === 413) return 'The file is too large.';
  return xhr.status ? `Upload failed (${xhr.status}).` : 'Upload failed: the server could not be reached.';
}

export const xhrUpload: Uploader = (channelId, file, clientId, onProgress) => {
  const xhr = new XMLHttpRequest();
  const promise = new Promise<FileInfo>((resolve, reject) => {
    xhr.open('POST', `/api/v4/files?channel_id=${encodeURIComponent(channelId)}`);
    xhr.withCredentials = true;
    xhr.setRequestHeader('X-Requested-With', 'XMLHttpRequest');
    const token = csrfToken();
    if (token) xhr.setRequestHeader('X-CSRF-Token', token);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable && e.total > 0) onProgress(Math.min(1, e.loaded / e.total));
    };
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        try {
          const body = JSON.parse(xhr.responseText) as FileUploadResponse;
          const info = body.file_infos?.[0];
          if (info) {
            onProgress(1);
            resolve(info);
            return;
          }
        } catch {
          // Falls through to the error below.
        }
        reject(new Error('The server answered the upload without a file.'));
        return;
      }
      reject(new Error(serverMessage(xhr)));
    };
    xhr.onerror = () => reject(new Error(serverMessage(xhr)));
    xhr.onabort = () => reject(new UploadAborted());
    const form = new FormData();
    form.append('channel_id', channelId);
    form.append('client_ids', clientId);
    form.append('files', file, file.name);
    xhr.send(form);
  });
  return { promise, abort: () => xhr.abort() };
};
