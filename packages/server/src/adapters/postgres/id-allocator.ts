import type { IdAllocator } from '../../core/ports/id-allocator.js';
import type { Sql } from './client.js';

/**
 * Segment-mode id blocks on PostgreSQL: one upsert per block. The row lock
 * serialises reservations of one name across nodes, and the committed
 * next_id survives restarts, so blocks never overlap. Ids start at 1.
 */
export class PostgresIdAllocator implements IdAllocator {
  constructor(private readonly sql: Sql) {}

  async reserve(name: string, count: number): Promise<number> {
    if (!Number.isSafeInteger(count) || count < 1) throw new RangeError(`cannot reserve ${count} ids`);
    const [row] = await this.sql<Array<{ first: number }>>`
      INSERT INTO id_blocks AS b (name, next_id) VALUES (${name}, ${1 + count})
      ON CONFLICT (name) DO UPDATE SET next_id = b.next_id + ${count}
      RETURNING b.next_id - ${count} AS first`;
    return row!.first;
  }
}
