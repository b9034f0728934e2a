import type { IdAllocator } from '../ports/id-allocator.js';

/**
 * Hands out ids from blocks reserved through an IdAllocator (segment mode):
 * one durable step per `blockSize` ids. Concurrent callers share one
 * in-flight reservation.
 */
export class BlockIdSource {
  private next = 0;
  private end = 0;
  private refill: Promise<void> | null = null;

  constructor(private readonly allocator: IdAllocator, private readonly name: string, private readonly blockSize = 100) {}

  async take(): Promise<number> {
    while (this.next >= this.end) {
      this.refill ??= this.allocator.reserve(this.name, this.blockSize).then(
        (first) => {
          this.next = first;
          this.end = first + this.blockSize;
          this.refill = null;
        },
        (e) => {
          this.refill = null;
          throw e;
        },
      );
      await this.refill;
    }
    return this.next++;
  }
}
