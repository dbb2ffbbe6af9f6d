import { describe, expect, it } from 'vitest';
import { fireEvent, render, screen, within } from '@testing-library/react';
import type { FileInfo } from '@mattermost/types/files';
import { Attachments } from './Attachments';
import { fileKind, formatDuration, formatSize, thumbnailSize } from './fileKinds';

function info(over: Partial<FileInfo>): FileInfo {
  return {
    id: 'f'.repeat(26),
    user_id: 'u'.repeat(26),
    channel_id: 'c'.repeat(26),
    create_at: 1,
    update_at: 1,
    delete_at: 0,
    name: 'file.bin',
    extension: 'bin',
    size: 2048,
    mime_type: 'application/octet-stream',
    width: 0,
    height: 0,
    has_preview_image: false,
    clientId: '',
    archived: false,
    ...over,
  };
}

const HOSTILE = '<img src=x onerror="window.__pwned=1">.png';
const id = (c: string) => c.repeat(26);

describe('Attachments', () => {
  it('shows images as thumbnails sized from the file info, and opens the viewer with next/previous, zoom, download', () => {
    const a = info({
      id: id('a'),
      name: 'cat.png',
      extension: 'png',
      mime_type: 'image/png',
      width: 800,
      height: 600,
      has_preview_image: true,
    });
    const b = info({
      id: id('b'),
      name: 'dog.jpg',
      extension: 'jpg',
      mime_type: 'image/jpeg',
      width: 50,
      height: 40,
      has_preview_image: true,
    });
    render(<Attachments files={[a, b]} />);
    const thumbs = screen.getAllByRole('img');
    expect(thumbs.map((t) => t.getAttribute('src'))).toEqual([
      `/api/v4/files/${id('a')}/thumbnail`,
      `/api/v4/files/${id('b')}/thumbnail`,
    ]);
    // Never larger than the server's 120×100 thumbnail, never enlarged.
    expect([thumbs[0]!.getAttribute('width'), thumbs[0]!.getAttribute('height')]).toEqual(['120', '100']);
    expect([thumbs[1]!.getAttribute('width'), thumbs[1]!.getAttribute('height')]).toEqual(['50', '40']);

    fireEvent.click(screen.getByRole('button', { name: 'Open image cat.png' }));
    const viewer = screen.getByRole('dialog', { name: 'Image 1 of 2: cat.png' });
    expect(within(viewer).getByRole('img').getAttribute('src')).toBe(`/api/v4/files/${id('a')}/preview`);
    expect(within(viewer).getByRole('link', { name: 'Download' }).getAttribute('href')).toBe(
      `/api/v4/files/${id('a')}?download=1`,
    );
    fireEvent.click(within(viewer).getByRole('button', { name: 'Next image' }));
    expect(screen.getByRole('dialog').getAttribute('aria-label')).toBe('Image 2 of 2: dog.jpg');
    fireEvent.click(within(viewer).getByRole('button', { name: 'Zoom in' }));
    expect(within(viewer).getByText('150%')).toBeTruthy();
    fireEvent.keyDown(screen.getByRole('dialog'), { key: 'ArrowLeft' });
    expect(screen.getByRole('dialog').getAttribute('aria-label')).toBe('Image 1 of 2: cat.png');
    expect(within(viewer).getByText('100%')).toBeTruthy();
    fireEvent.keyDown(screen.getByRole('dialog'), { key: 'Escape' });
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it('plays audio and video inline from the file URL, voice messages labelled as such', () => {
    const { container } = render(
      <Attachments
        files={[
          info({ id: id('a'), name: 'song.mp3', extension: 'mp3', mime_type: 'audio/mpeg' }),
          info({
            id: id('b'),
            name: 'voice-20260101-101010.webm',
            extension: 'webm',
            mime_type: 'video/webm',
          }),
          info({
            id: id('c'),
            name: 'clip.mp4',
            extension: 'mp4',
            mime_type: 'video/mp4',
            width: 640,
            height: 360,
          }),
        ]}
      />,
    );
    const audios = container.querySelectorAll('audio');
    expect(Array.from(audios).map((a) => [a.getAttribute('src'), a.hasAttribute('controls')])).toEqual([
      [`/api/v4/files/${id('a')}`, true],
      [`/api/v4/files/${id('b')}`, true],
    ]);
    expect(screen.getByText('Voice message')).toBeTruthy();
    const video = container.querySelector('video');
    expect(video?.getAttribute('src')).toBe(`/api/v4/files/${id('c')}`);
    expect(video?.hasAttribute('controls')).toBe(true);
    expect(container.querySelectorAll('img')).toHaveLength(0);
  });

  it('shows other files as cards with name, size, type and a download link; SVG and HTML are never inline', () => {
    const { container } = render(
      <Attachments
        files={[
          info({
            id: id('a'),
            name: 'report.pdf',
            extension: 'pdf',
            mime_type: 'application/pdf',
            size: 1536,
          }),
          info({ id: id('b'), name: 'logo.svg', extension: 'svg', mime_type: 'image/svg+xml' }),
          info({ id: id('c'), name: 'page.html', extension: 'html', mime_type: 'text/html' }),
        ]}
      />,
    );
    const cards = container.querySelectorAll('.file-card');
    expect(cards).toHaveLength(3);
    expect(cards[0]!.querySelector('.file-card__name')?.textContent).toBe('report.pdf');
    expect(cards[0]!.querySelector('.file-card__meta')?.textContent).toBe('1.5 KB · application/pdf');
    expect(cards[0]!.querySelector('.file-card__icon')?.textContent).toBe('PDF');
    expect(screen.getByRole('link', { name: 'Download report.pdf' }).getAttribute('href')).toBe(
      `/api/v4/files/${id('a')}?download=1`,
    );
    expect(container.querySelectorAll('img, iframe, object, embed, svg image')).toHaveLength(0);
  });

  it('renders hostile file names as inert text everywhere', () => {
    const names = [
      HOSTILE,
      '<svg onload=alert(1)>.mp3',
      'javascript:alert(1)//.pdf',
      '..\\..\\x\r\nSet-Cookie: a=b.txt',
    ];
    const { container } = render(
      <Attachments
        files={[
          info({
            id: id('a'),
            name: names[0]!,
            extension: 'png',
            mime_type: 'image/png',
            width: 10,
            height: 10,
            has_preview_image: true,
          }),
          info({ id: id('b'), name: names[1]!, extension: 'mp3', mime_type: 'audio/mpeg' }),
          info({ id: id('c'), name: names[2]!, extension: 'pdf', mime_type: 'application/pdf' }),
          info({ id: id('d'), name: names[3]!, extension: 'txt', mime_type: 'text/plain' }),
        ]}
      />,
    );
    // Exactly the one thumbnail img exists, no svg or injected element; names appear as text.
    expect(container.querySelectorAll('img')).toHaveLength(1);
    expect(container.querySelector('img')?.getAttribute('src')).toBe(`/api/v4/files/${id('a')}/thumbnail`);
    expect(container.querySelector('img')?.getAttribute('onerror')).toBeNull();
    expect(container.querySelectorAll('svg, [onload], [onerror]')).toHaveLength(0);
    expect(container.textContent).toContain('<svg onload=alert(1)>.mp3');
    expect(container.textContent).toContain('javascript:alert(1)//.pdf');
    for (const a of container.querySelectorAll('a'))
      expect(a.getAttribute('href')).toMatch(/^\/api\/v4\/files\/[a-z]{26}\?download=1$/);
    fireEvent.click(screen.getByRole('button', { name: `Open image ${names[0]}` }));
    expect(screen.getByRole('dialog').querySelectorAll('img')).toHaveLength(1);
    expect(screen.getByRole('dialog').querySelector('.image-viewer__name')?.textContent).toBe(names[0]);
    expect((window as unknown as { __pwned?: unknown }).__pwned).toBeUndefined();
  });
});

describe('file helpers', () => {
  it('classify, size and format', () => {
    expect(fileKind({ name: 'a.png', mime_type: 'image/png', has_preview_image: true })).toBe('image');
    expect(fileKind({ name: 'a.png', mime_type: 'image/png', has_preview_image: false })).toBe('other');
    expect(fileKind({ name: 'a.svg', mime_type: 'image/svg+xml', has_preview_image: false })).toBe('other');
    expect(fileKind({ name: 'x.webm', mime_type: 'video/webm', has_preview_image: false })).toBe('video');
    expect(fileKind({ name: 'voice-1.webm', mime_type: 'video/webm', has_preview_image: false })).toBe(
      'audio',
    );
    expect(thumbnailSize({ width: 0, height: 0 })).toEqual({ width: 120, height: 100 });
    expect(formatSize(0)).toBe('0 B');
    expect(formatSize(5 * 1024 * 1024)).toBe('5.0 MB');
    expect(formatDuration(1.6)).toBe('0:02');
    expect(formatDuration(75)).toBe('1:15');
    expect(formatDuration(Infinity)).toBe('0:00');
  });
});
