/**
 * 64-bit time-ordered ids: 41 bits of milliseconds since 2024-01-01, 10 bits
 * of leased node number, 12 bits of per-millisecond sequence.
 *
 * A clock that steps backwards never yields a smaller or duplicate id: the
 * generator keeps its own logical millisecond (max of the clock and the last
 * one used) and borrows from the future when a millisecond's 4096 ids run out.
 */
export const SNOWFLAKE_EPOCH_MS = Date.UTC(2024, 0, 1);
export const SNOWFLAKE_MAX_NODES = 1024;

export class SnowflakeGenerator {
  private lastMs = 0;
  private seq = 0;
  private readonly nodeBits: bigint;

  constructor(nodeNumber: number, private readonly clock: () => number = Date.now) {
    if (!Number.isInteger(nodeNumber) || nodeNumber < 0 || nodeNumber >= SNOWFLAKE_MAX_NODES) {
      throw new RangeError(`node number must be in [0, ${SNOWFLAKE_MAX_NODES})`);
    }
    this.nodeBits = BigInt(nodeNumber) << 12n;
  }

  next(): string {
    const now = this.clock() - SNOWFLAKE_EPOCH_MS;
    if (now > this.lastMs) {
      this.lastMs = now;
      this.seq = 0;
    } else if (++this.seq > 0xfff) {
      this.lastMs += 1;
      this.seq = 0;
    }
    return ((BigInt(this.lastMs) << 22n) | this.nodeBits | BigInt(this.seq)).toString();
  }

  /** Milliseconds since the Unix epoch encoded in an id. */
  static timeOf(id: string): number {
    return Number(BigInt(id) >> 22n) + SNOWFLAKE_EPOCH_MS;
  }
}
