/**
 * FileInfo as Mattermost clients read it (`@mattermost/types/files`), from an allow-list of columns.
 * `clientId` is the client's own bookkeeping and never comes from the server.
 */
import type { FileInfo } from '@mattermost/types/files';
import type { FileRow } from '../../store/files.js';

export type WireFileInfo = Omit<FileInfo, 'clientId' | 'link'>;

export function presentFileInfo(row: FileRow): WireFileInfo {
  return {
    id: row.id,
    user_id: row.creator_id,
    channel_id: row.channel_id,
    ...(row.post_id ? { post_id: row.post_id } : {}),
    create_at: row.create_at,
    update_at: row.update_at,
    delete_at: row.delete_at,
    name: row.name,
    extension: row.extension,
    size: row.size,
    mime_type: row.mime_type,
    width: row.width,
    height: row.height,
    has_preview_image: row.has_preview_image === 1,
    ...(row.mini_preview ? { mini_preview: row.mini_preview } : {}),
    archived: false,
  };
}
