import { describe, expect, it, vi } from 'vitest';
import { act, fireEvent, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { FileInfo } from '@mattermost/types/files';
import { UploadAborted, csrfToken, type Uploader } from './upload';
import { MAX_FILES_PER_POST, UploadQueue } from './uploadQueue';
import { Composer } from '../composer/Composer';

interface Pending {
  file: File;
  progress: (f: number) => void;
  resolve: (info: FileInfo) => void;
  reject: (err: unknown) => void;
  aborted: boolean;
}

/** An uploader the test drives by hand: progress, finish, fail; abort rejects like xhr.abort. */
function fakeUploader() {
  const calls: Pending[] = [];
  const uploader: Uploader = (_channelId, file, _clientId, onProgress) => {
    let resolve!: (info: FileInfo) => void;
    let reject!: (err: unknown) => void;
    const promise = new Promise<FileInfo>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    const call: Pending = { file, progress: onProgress, resolve, reject, aborted: false };
    calls.push(call);
    return {
      promise,
      abort: () => {
        call.aborted = true;
        reject(new UploadAborted());
      },
    };
  };
  return { uploader, calls };
}

const fileInfo = (id: string, name: string): FileInfo =>
  ({ id, name, size: 3, mime_type: 'text/plain', extension: 'txt', width: 0, height: 0 }) as FileInfo;

const tick = () => act(async () => undefined);

describe('UploadQueue', () => {
  it('uploads several files at once, reports progress, and hands over the finished ones', async () => {
    const { uploader, calls } = fakeUploader();
    const q = new UploadQueue('c1', uploader);
    const seen = vi.fn();
    q.subscribe(seen);
    q.add([new File(['aaa'], 'a.txt'), new File(['bbbb'], 'b.txt')]);
    expect(calls.map((c) => c.file.name)).toEqual(['a.txt', 'b.txt']);
    expect(q.list().map((i) => [i.name, i.status, i.progress])).toEqual([
      ['a.txt', 'uploading', 0],
      ['b.txt', 'uploading', 0],
    ]);
    calls[0]!.progress(0.5);
    expect(q.list()[0]!.progress).toBe(0.5);
    expect(q.uploading()).toBe(true);
    calls[0]!.resolve(fileInfo('id-a', 'a.txt'));
    calls[1]!.reject(new Error('The file is too large.'));
    await tick();
    expect(q.list().map((i) => [i.status, i.error])).toEqual([
      ['done', undefined],
      ['failed', 'The file is too large.'],
    ]);
    expect(q.uploading()).toBe(false);
    expect(q.ready().map((f) => f.id)).toEqual(['id-a']);
    expect(seen).toHaveBeenCalled();
  });

  it('cancels an upload in flight: aborts it and forgets it', async () => {
    const { uploader, calls } = fakeUploader();
    const q = new UploadQueue('c1', uploader);
    q.add([new File(['x'], 'big.iso'), new File(['y'], 'small.txt')]);
    calls[0]!.progress(0.2);
    q.remove(q.list()[0]!.key);
    expect(calls[0]!.aborted).toBe(true);
    expect(calls[1]!.aborted).toBe(false);
    await tick();
    expect(q.list().map((i) => i.name)).toEqual(['small.txt']);
    // A late answer for the cancelled upload changes nothing.
    calls[0]!.resolve(fileInfo('late', 'big.iso'));
    await tick();
    expect(q.ready()).toEqual([]);
  });

  it('takes at most 10 files per message', () => {
    const { uploader, calls } = fakeUploader();
    const q = new UploadQueue('c1', uploader);
    const refused = q.add(Array.from({ length: 12 }, (_, i) => new File(['x'], `f${i}.txt`)));
    expect(refused).toBe(2);
    expect(calls).toHaveLength(MAX_FILES_PER_POST);
  });

  it('reads the CSRF token from the MMCSRF cookie', () => {
    expect(csrfToken('MMUSERID=u1; MMCSRF=abc%3D123; other=1')).toBe('abc=123');
    expect(csrfToken('MMUSERID=u1')).toBe('');
  });
});

describe('Composer with attachments', () => {
  function setup() {
    const { uploader, calls } = fakeUploader();
    const onSend = vi.fn();
    const utils = render(
      <div className="channel">
        <Composer
          draftKey="files-1"
          placeholder="Write to Town Square"
          channelId="c1"
          uploader={uploader}
          onSend={onSend}
          providers={{ users: async () => [], channels: async () => [] }}
        />
      </div>,
    );
    const box = screen.getByRole('combobox', { name: 'Write to Town Square' }) as HTMLTextAreaElement;
    return { calls, onSend, box, user: userEvent.setup(), ...utils };
  }

  it('attaches by button, shows a progress bar per file, waits for uploads, sends the file infos', async () => {
    const { calls, onSend, box, user } = setup();
    const input = screen.getByTestId('file-input') as HTMLInputElement;
    await user.upload(input, [new File(['aaa'], 'a.txt'), new File(['bb'], '<b onmouseover=x>.txt')]);
    expect(calls).toHaveLength(2);
    const tray = screen.getByRole('list', { name: 'Attachments' });
    const bars = within(tray).getAllByRole('progressbar');
    expect(bars).toHaveLength(2);
    act(() => calls[0]!.progress(0.42));
    expect(within(tray).getByRole('progressbar', { name: 'Uploading a.txt' })).toHaveAttribute('value', '42');
    expect(within(tray).getByText('<b onmouseover=x>.txt')).toBeTruthy();
    expect(tray.querySelector('b')).toBeNull();

    await user.type(box, 'here{Enter}');
    expect(onSend).not.toHaveBeenCalled();
    expect(screen.getByRole('button', { name: 'Send' })).toBeDisabled();

    await act(async () => {
      calls[0]!.resolve(fileInfo('id-a', 'a.txt'));
      calls[1]!.resolve(fileInfo('id-b', 'b.txt'));
    });
    await user.click(screen.getByRole('button', { name: 'Send' }));
    expect(onSend).toHaveBeenCalledExactlyOnceWith('here', [
      fileInfo('id-a', 'a.txt'),
      fileInfo('id-b', 'b.txt'),
    ]);
    expect(screen.queryByRole('list', { name: 'Attachments' })).toBeNull();
  });

  it('cancels an upload from its Cancel button', async () => {
    const { calls, user } = setup();
    await user.upload(screen.getByTestId('file-input') as HTMLInputElement, new File(['x'], 'movie.mp4'));
    await user.click(screen.getByRole('button', { name: 'Cancel upload of movie.mp4' }));
    expect(calls[0]!.aborted).toBe(true);
    expect(screen.queryByRole('list', { name: 'Attachments' })).toBeNull();
  });

  it('takes files dropped on the channel and pasted into the box', async () => {
    const { calls, container } = setup();
    const zone = container.querySelector('.channel')!;
    const dropped = new File(['img'], 'shot.png', { type: 'image/png' });
    fireEvent.dragEnter(zone, { dataTransfer: { types: ['Files'], files: [dropped] } });
    expect(screen.getByText('Drop files to attach them')).toBeTruthy();
    fireEvent.drop(zone, { dataTransfer: { types: ['Files'], files: [dropped] } });
    expect(screen.queryByText('Drop files to attach them')).toBeNull();
    const pasted = new File(['p'], 'pasted.png', { type: 'image/png' });
    fireEvent.paste(screen.getByRole('combobox'), { clipboardData: { files: [pasted] } });
    expect(calls.map((c) => c.file.name)).toEqual(['shot.png', 'pasted.png']);
  });
});
