import type Database from 'better-sqlite3';
import type { UserId } from '../../core/model.js';
import type { MediaCatalog, MediaKind, MediaRecord, MediaRef } from '../../core/ports/media-catalog.js';

interface MediaRow {
  id: string;
  owner_id: number;
  sha256: string;
  size: number;
  mime_type: string;
  kind: MediaKind;
  name: string;
  width: number;
  height: number;
  duration_ms: number;
  placeholder: Buffer;
  variants: string;
  created_at: number;
}

const COLUMNS = 'id, owner_id, sha256, size, mime_type, kind, name, width, height, duration_ms, placeholder, variants, created_at';

export function mediaFromRow(r: MediaRow): MediaRecord {
  return {
    id: r.id, ownerId: Number(r.owner_id), sha256: r.sha256, size: Number(r.size), mimeType: r.mime_type, kind: r.kind, name: r.name,
    width: r.width, height: r.height, durationMs: Number(r.duration_ms), placeholder: new Uint8Array(r.placeholder),
    variants: r.variants ? r.variants.split(',') : [], createdAt: Number(r.created_at),
  };
}

/** MediaCatalog on SQLite (runs on the storage worker thread like the other stores). */
export class SqliteMediaCatalog implements MediaCatalog {
  private readonly insert: Database.Statement;
  private readonly byId: Database.Statement;
  private readonly insertRef: Database.Statement;
  private readonly markRef: Database.Statement;
  private readonly refList: Database.Statement;
  private readonly usageOf: Database.Statement;
  private readonly unreferenced: Database.Statement;
  private readonly remove: Database.Statement;
  private readonly sameSha: Database.Statement;

  constructor(private readonly db: Database.Database) {
    this.insert = db.prepare(`INSERT INTO media (${COLUMNS}) VALUES (@id, @owner_id, @sha256, @size, @mime_type, @kind, @name, @width, @height, @duration_ms, @placeholder, @variants, @created_at)`);
    this.byId = db.prepare(`SELECT ${COLUMNS} FROM media WHERE id = ?`);
    this.insertRef = db.prepare('INSERT OR IGNORE INTO media_refs (media_id, conversation_id, created_at) SELECT id, ?, ? FROM media WHERE id = ?');
    this.markRef = db.prepare('UPDATE media SET referenced = 1 WHERE id = ? AND referenced = 0');
    this.refList = db.prepare('SELECT conversation_id FROM media_refs WHERE media_id = ? ORDER BY conversation_id');
    this.usageOf = db.prepare('SELECT COALESCE(SUM(size), 0) AS total FROM media WHERE owner_id = ?');
    this.unreferenced = db.prepare(`SELECT ${COLUMNS} FROM media WHERE referenced = 0 AND created_at < ? ORDER BY created_at LIMIT ?`);
    this.remove = db.prepare('DELETE FROM media WHERE id = ? RETURNING sha256');
    this.sameSha = db.prepare('SELECT COUNT(*) AS n FROM media WHERE sha256 = ?');
  }

  async create(r: MediaRecord): Promise<void> {
    this.insert.run({
      id: r.id, owner_id: r.ownerId, sha256: r.sha256, size: r.size, mime_type: r.mimeType, kind: r.kind, name: r.name,
      width: r.width, height: r.height, duration_ms: r.durationMs, placeholder: Buffer.from(r.placeholder),
      variants: r.variants.join(','), created_at: r.createdAt,
    });
  }

  async get(id: string): Promise<MediaRecord | null> {
    const row = this.byId.get(id) as MediaRow | undefined;
    return row ? mediaFromRow(row) : null;
  }

  async addRef(id: string, ref: MediaRef, at: number): Promise<void> {
    this.db.transaction(() => {
      this.insertRef.run(ref.conversationId, at, id);
      this.markRef.run(id);
    })();
  }

  async refs(id: string): Promise<number[]> {
    return (this.refList.all(id) as { conversation_id: number }[]).map((r) => Number(r.conversation_id));
  }

  async usage(ownerId: UserId): Promise<number> {
    return Number((this.usageOf.get(ownerId) as { total: number }).total);
  }

  async unreferencedBefore(before: number, limit: number): Promise<MediaRecord[]> {
    return (this.unreferenced.all(before, limit) as MediaRow[]).map(mediaFromRow);
  }

  async delete(id: string): Promise<number | null> {
    return this.db.transaction(() => {
      const row = this.remove.get(id) as { sha256: string } | undefined;
      if (!row) return null;
      return Number((this.sameSha.get(row.sha256) as { n: number }).n);
    })();
  }
}
