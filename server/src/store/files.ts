import type { Insertable, Selectable } from 'kysely';
import type { Database, FilesTable } from '../db/schema.js';
import type { Executor } from './store.js';

export type FileRow = Selectable<FilesTable>;

export class FileStore {
  constructor(private readonly db: Executor) {}

  async insert(row: Insertable<Database['files']>): Promise<void> {
    await this.db.insertInto('files').values(row).execute();
  }

  findById(id: string): Promise<FileRow | undefined> {
    return this.db.selectFrom('files').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async findByIds(ids: string[]): Promise<FileRow[]> {
    if (ids.length === 0) return [];
    return this.db.selectFrom('files').selectAll().where('id', 'in', ids).execute();
  }

  /** Live (not deleted) files of these posts, oldest first. */
  async listForPosts(postIds: string[]): Promise<FileRow[]> {
    if (postIds.length === 0) return [];
    return this.db
      .selectFrom('files')
      .selectAll()
      .where('post_id', 'in', postIds)
      .where('delete_at', '=', 0)
      .orderBy('create_at', 'asc')
      .orderBy('id', 'asc')
      .execute();
  }

  /** Live files attached to live posts of a channel, newest first, one page. */
  listForChannel(channelId: string, offset: number, limit: number): Promise<FileRow[]> {
    return this.db
      .selectFrom('files')
      .innerJoin('posts', 'posts.id', 'files.post_id')
      .selectAll('files')
      .where('posts.channel_id', '=', channelId)
      .where('posts.delete_at', '=', 0)
      .where('files.delete_at', '=', 0)
      .orderBy('files.create_at', 'desc')
      .orderBy('files.id', 'desc')
      .offset(offset)
      .limit(limit)
      .execute();
  }

  /**
   * Claims unattached files for a post. Only rows still unattached, live, by this creator and in this
   * channel change; the caller compares the count with what it asked for.
   */
  async attach(
    ids: string[],
    creatorId: string,
    channelId: string,
    postId: string,
    now: number,
  ): Promise<number> {
    if (ids.length === 0) return 0;
    const res = await this.db
      .updateTable('files')
      .set({ post_id: postId, update_at: now })
      .where('id', 'in', ids)
      .where('post_id', '=', '')
      .where('delete_at', '=', 0)
      .where('creator_id', '=', creatorId)
      .where('channel_id', '=', channelId)
      .executeTakeFirst();
    return Number(res.numUpdatedRows);
  }

  /** Marks the files of these posts deleted; returns how many rows changed. */
  async markDeletedForPosts(postIds: string[], now: number): Promise<number> {
    if (postIds.length === 0) return 0;
    const res = await this.db
      .updateTable('files')
      .set({ delete_at: now, update_at: now })
      .where('post_id', 'in', postIds)
      .where('delete_at', '=', 0)
      .executeTakeFirst();
    return Number(res.numUpdatedRows);
  }

  /**
   * Marks unattached files created before `before` deleted. The update is conditional, so a file that a
   * post claims at the same moment is either attached or expired, never both.
   */
  async expireUnattached(before: number, now: number): Promise<number> {
    const res = await this.db
      .updateTable('files')
      .set({ delete_at: now, update_at: now })
      .where('post_id', '=', '')
      .where('delete_at', '=', 0)
      .where('create_at', '<', before)
      .executeTakeFirst();
    return Number(res.numUpdatedRows);
  }

  /** Deleted files whose objects are still to be removed, oldest first. */
  listDeleted(limit: number): Promise<FileRow[]> {
    return this.db
      .selectFrom('files')
      .selectAll()
      .where('delete_at', '>', 0)
      .orderBy('delete_at', 'asc')
      .limit(limit)
      .execute();
  }

  async deleteRows(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.db.deleteFrom('files').where('id', 'in', ids).execute();
  }

  async count(): Promise<number> {
    const r = await this.db
      .selectFrom('files')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }
}
