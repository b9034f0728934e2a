import type { UserId } from '../../core/model.js';
import type { MediaCatalog, MediaKind, MediaRecord, MediaRef } from '../../core/ports/media-catalog.js';
import type { Sql } from './client.js';

interface MediaRow {
  id: string;
  owner_id: string | number;
  sha256: string;
  size: string | number;
  mime_type: string;
  kind: MediaKind;
  name: string;
  width: number;
  height: number;
  duration_ms: string | number;
  placeholder: Uint8Array;
  variants: string;
  created_at: string | number;
}

function fromRow(r: MediaRow): MediaRecord {
  return {
    id: r.id, ownerId: Number(r.owner_id), sha256: r.sha256, size: Number(r.size), mimeType: r.mime_type, kind: r.kind, name: r.name,
    width: r.width, height: r.height, durationMs: Number(r.duration_ms), placeholder: new Uint8Array(r.placeholder),
    variants: r.variants ? r.variants.split(',') : [], createdAt: Number(r.created_at),
  };
}

/** MediaCatalog on PostgreSQL (cluster mode: every node sees every item). */
export class PostgresMediaCatalog implements MediaCatalog {
  constructor(private readonly sql: Sql) {}

  async create(r: MediaRecord): Promise<void> {
    await this.sql`
      INSERT INTO media (id, owner_id, sha256, size, mime_type, kind, name, width, height, duration_ms, placeholder, variants, created_at)
      VALUES (${r.id}, ${r.ownerId}, ${r.sha256}, ${r.size}, ${r.mimeType}, ${r.kind}, ${r.name}, ${r.width}, ${r.height},
              ${r.durationMs}, ${Buffer.from(r.placeholder)}, ${r.variants.join(',')}, ${r.createdAt})`;
  }

  async get(id: string): Promise<MediaRecord | null> {
    const rows = await this.sql<MediaRow[]>`SELECT * FROM media WHERE id = ${id}`;
    return rows[0] ? fromRow(rows[0]) : null;
  }

  async addRef(id: string, ref: MediaRef, at: number): Promise<void> {
    await this.sql.begin(async (tx) => {
      await tx`INSERT INTO media_refs (media_id, conversation_id, created_at)
               SELECT id, ${ref.conversationId}, ${at} FROM media WHERE id = ${id}
               ON CONFLICT DO NOTHING`;
      await tx`UPDATE media SET referenced = true WHERE id = ${id} AND NOT referenced`;
    });
  }

  async refs(id: string): Promise<number[]> {
    const rows = await this.sql<{ conversation_id: string }[]>`SELECT conversation_id FROM media_refs WHERE media_id = ${id} ORDER BY conversation_id`;
    return rows.map((r) => Number(r.conversation_id));
  }

  async usage(ownerId: UserId): Promise<number> {
    const rows = await this.sql<{ total: string }[]>`SELECT COALESCE(SUM(size), 0)::text AS total FROM media WHERE owner_id = ${ownerId}`;
    return Number(rows[0]!.total);
  }

  async unreferencedBefore(before: number, limit: number): Promise<MediaRecord[]> {
    const rows = await this.sql<MediaRow[]>`SELECT * FROM media WHERE NOT referenced AND created_at < ${before} ORDER BY created_at LIMIT ${limit}`;
    return rows.map(fromRow);
  }

  async delete(id: string): Promise<number | null> {
    return this.sql.begin(async (tx) => {
      const gone = await tx<{ sha256: string }[]>`DELETE FROM media WHERE id = ${id} RETURNING sha256`;
      if (!gone[0]) return null;
      const same = await tx<{ n: string }[]>`SELECT COUNT(*)::text AS n FROM media WHERE sha256 = ${gone[0].sha256}`;
      return Number(same[0]!.n);
    });
  }
}
