import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import type { FileInfo } from '@mattermost/types/files';
import { CHANNEL_FILES_PAGE, ChannelFilesDialog } from './ChannelFiles';

const CHANNEL = 'c'.repeat(26);
const HOSTILE = '<img src=x onerror="window.__pwned=1">.pdf';

function info(n: number, over: Partial<FileInfo> = {}): FileInfo {
  return {
    id: String(n).padStart(26, 'f'),
    user_id: 'u'.repeat(26),
    channel_id: CHANNEL,
    create_at: 1000 - n,
    update_at: 1000 - n,
    delete_at: 0,
    name: `file${n}.txt`,
    extension: 'txt',
    size: 2048,
    mime_type: 'text/plain',
    width: 0,
    height: 0,
    has_preview_image: false,
    clientId: '',
    archived: false,
    ...over,
  };
}

afterEach(cleanup);

describe('ChannelFilesDialog', () => {
  it('lists the channel’s files with name as text, size, type and a download link', async () => {
    const load = vi
      .fn()
      .mockResolvedValue([
        info(1, { name: HOSTILE, extension: 'pdf', mime_type: 'application/pdf', size: 3 * 1024 * 1024 }),
        info(2, { name: 'notes.txt', size: 512 }),
      ]);
    render(<ChannelFilesDialog channelId={CHANNEL} onClose={() => undefined} load={load} />);
    const list = await screen.findByRole('list', { name: 'Channel files' });
    expect(load).toHaveBeenCalledWith(CHANNEL, 0, CHANNEL_FILES_PAGE);
    const items = within(list).getAllByRole('listitem');
    expect(items).toHaveLength(2);

    expect(within(items[0]!).getByText(HOSTILE)).toBeTruthy();
    expect(document.querySelector('img')).toBeNull();
    expect(within(items[0]!).getByText('PDF')).toBeTruthy();
    expect(items[0]!.textContent).toContain('3');
    expect(items[0]!.textContent).toMatch(/MB/);
    const link = within(items[0]!).getByRole('link', { name: 'Download' });
    expect(link.getAttribute('href')).toBe(`/api/v4/files/${info(1).id}?download=1`);

    expect(within(items[1]!).getByText('notes.txt')).toBeTruthy();
    expect(within(items[1]!).getByText('TXT')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Load more' })).toBeNull();
  });

  it('pages with Load more, and says when there are no files', async () => {
    const first = Array.from({ length: CHANNEL_FILES_PAGE }, (_, i) => info(i));
    const load = vi
      .fn()
      .mockResolvedValueOnce(first)
      .mockResolvedValueOnce([info(CHANNEL_FILES_PAGE)]);
    render(<ChannelFilesDialog channelId={CHANNEL} onClose={() => undefined} load={load} />);
    fireEvent.click(await screen.findByRole('button', { name: 'Load more' }));
    expect(await screen.findByText(`file${CHANNEL_FILES_PAGE}.txt`)).toBeTruthy();
    expect(load).toHaveBeenLastCalledWith(CHANNEL, 1, CHANNEL_FILES_PAGE);
    expect(screen.getAllByRole('listitem')).toHaveLength(CHANNEL_FILES_PAGE + 1);
    expect(screen.queryByRole('button', { name: 'Load more' })).toBeNull();
    cleanup();

    render(
      <ChannelFilesDialog
        channelId={CHANNEL}
        onClose={() => undefined}
        load={vi.fn().mockResolvedValue([])}
      />,
    );
    expect(await screen.findByText('No files in this channel yet.')).toBeTruthy();
  });

  it('shows a refusal', async () => {
    const load = vi.fn().mockRejectedValue(new Error('Unable to find the channel.'));
    render(<ChannelFilesDialog channelId={CHANNEL} onClose={() => undefined} load={load} />);
    expect((await screen.findByRole('alert')).textContent).toContain('Unable to find the channel.');
  });
});
