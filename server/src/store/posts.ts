import type { Insertable, Selectable, Updateable } from 'kysely';
import type { Database, PostsTable } from '../db/schema.js';
import type { Dialect } from '../db/connection.js';
import type { Executor } from './store.js';

export type PostRow = Selectable<PostsTable>;

export class PostStore {
  constructor(
    private readonly db: Executor,
    readonly dialect: Dialect,
  ) {}

  async insert(row: Insertable<Database['posts']>): Promise<void> {
    await this.db.insertInto('posts').values(row).execute();
  }

  async update(id: string, patch: Updateable<Database['posts']>): Promise<void> {
    await this.db.updateTable('posts').set(patch).where('id', '=', id).execute();
  }

  findById(id: string): Promise<PostRow | undefined> {
    return this.db.selectFrom('posts').selectAll().where('id', '=', id).executeTakeFirst();
  }
}
