/**
 * Consistent hashing with virtual nodes (seed 000 §8.3): each node owns many
 * points on a 32-bit ring, so adding or removing a node moves only about 1/N
 * of the keys, spread evenly over the others. Every node computes the same
 * ring from the same member set.
 */
export class HashRing {
  private points = new Uint32Array(0);
  private owners: string[] = [];
  private members: readonly string[] = [];

  constructor(private readonly virtualNodes = 160) {}

  /** Replace the member set (order does not matter). */
  setMembers(members: readonly string[]): void {
    const sorted = [...new Set(members)].sort();
    this.members = sorted;
    const entries: Array<[number, string]> = [];
    for (const m of sorted) for (let v = 0; v < this.virtualNodes; v++) entries.push([hash32(`${m}#${v}`), m]);
    // Ties (same point) break by member name so every node agrees.
    entries.sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
    this.points = Uint32Array.from(entries.map((e) => e[0]));
    this.owners = entries.map((e) => e[1]);
  }

  get nodes(): readonly string[] {
    return this.members;
  }

  /** The member owning `key`, or null when the ring is empty. */
  owner(key: string | number): string | null {
    if (this.points.length === 0) return null;
    const h = hash32(String(key));
    let lo = 0;
    let hi = this.points.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.points[mid]! < h) lo = mid + 1;
      else hi = mid;
    }
    return this.owners[lo === this.points.length ? 0 : lo]!;
  }
}

/** FNV-1a followed by a murmur3 finalizer: fast, and well spread for short keys. */
export function hash32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
