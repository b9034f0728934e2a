import type { IdAllocator } from '../../core/ports/id-allocator.js';

/** In-memory IdAllocator: one counter per name, starting at 1. Lost on restart, so tests and single-process use only. */
export class MemoryIdAllocator implements IdAllocator {
  private readonly next = new Map<string, number>();

  async reserve(name: string, count: number): Promise<number> {
    if (!Number.isSafeInteger(count) || count < 1) throw new RangeError(`cannot reserve ${count} ids`);
    const first = this.next.get(name) ?? 1;
    this.next.set(name, first + count);
    return first;
  }
}
