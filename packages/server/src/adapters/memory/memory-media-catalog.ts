import type { UserId } from '../../core/model.js';
import type { MediaCatalog, MediaRecord, MediaRef } from '../../core/ports/media-catalog.js';

/** MediaCatalog in process memory (storage=memory, tests). */
export class MemoryMediaCatalog implements MediaCatalog {
  private readonly records = new Map<string, MediaRecord>();
  private readonly refsById = new Map<string, Set<number>>();

  async create(record: MediaRecord): Promise<void> {
    if (this.records.has(record.id)) throw new Error(`media ${record.id} exists`);
    this.records.set(record.id, { ...record, placeholder: new Uint8Array(record.placeholder), variants: [...record.variants] });
  }

  async get(id: string): Promise<MediaRecord | null> {
    return this.records.get(id) ?? null;
  }

  async addRef(id: string, ref: MediaRef): Promise<void> {
    if (!this.records.has(id)) return;
    let set = this.refsById.get(id);
    if (!set) this.refsById.set(id, (set = new Set()));
    set.add(ref.conversationId);
  }

  async refs(id: string): Promise<number[]> {
    return [...(this.refsById.get(id) ?? [])].sort((a, b) => a - b);
  }

  async usage(ownerId: UserId): Promise<number> {
    let sum = 0;
    for (const r of this.records.values()) if (r.ownerId === ownerId) sum += r.size;
    return sum;
  }

  async unreferencedBefore(before: number, limit: number): Promise<MediaRecord[]> {
    return [...this.records.values()]
      .filter((r) => r.createdAt < before && !this.refsById.get(r.id)?.size)
      .sort((a, b) => a.createdAt - b.createdAt)
      .slice(0, limit);
  }

  async delete(id: string): Promise<number | null> {
    const r = this.records.get(id);
    if (!r) return null;
    this.records.delete(id);
    this.refsById.delete(id);
    let same = 0;
    for (const o of this.records.values()) if (o.sha256 === r.sha256) same++;
    return same;
  }
}
