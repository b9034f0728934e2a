import type Database from 'better-sqlite3';
import type { IdAllocator } from '../../core/ports/id-allocator.js';

/**
 * IdAllocator on SQLite: one row per name holding the next free id. A block
 * is reserved by a single upsert statement, which is atomic across
 * connections and durable per the database's sync policy, so blocks never
 * overlap across processes or restarts. Ids start at 1.
 */
export class SqliteIdAllocator implements IdAllocator {
  private readonly reserveStmt;

  constructor(db: Database.Database) {
    this.reserveStmt = db.prepare<{ name: string; count: number }, number>(
      `INSERT INTO id_blocks (name, next_id) VALUES (@name, 1 + @count)
       ON CONFLICT (name) DO UPDATE SET next_id = next_id + @count
       RETURNING next_id - @count`,
    ).pluck();
  }

  async reserve(name: string, count: number): Promise<number> {
    if (!Number.isSafeInteger(count) || count < 1) throw new RangeError(`cannot reserve ${count} ids`);
    return this.reserveStmt.get({ name, count })!;
  }
}
