/**
 * Per-conversation reordering by seq. Messages of one conversation carry
 * seq 1, 2, 3, ... without holes, so anything that arrives ahead of the next
 * expected seq is held back until the missing ones arrive (or a gap fill
 * proves they are unavailable). Pure: no I/O, no timers.
 */
export interface Sequenced {
  readonly seq: number;
}

/** A missing, inclusive range of seqs that should be pulled. */
export interface Gap {
  readonly conversationId: string;
  readonly fromSeq: number;
  readonly toSeq: number;
}

export interface OfferResult<T> {
  /** Items now deliverable, in seq order (possibly including earlier buffered ones). */
  readonly deliver: T[];
  /** The item was at or below the delivered position, or already buffered. */
  readonly duplicate: boolean;
}

interface Track<T> {
  /** Highest seq delivered (everything <= it is done). */
  delivered: number;
  /** Held-back items, by seq, all > delivered + 1. */
  readonly held: Map<number, T>;
  /** Highest seq ever offered, including items dropped on overflow. */
  highestSeen: number;
}

export class ReorderBuffer<T extends Sequenced> {
  private readonly tracks = new Map<string, Track<T>>();

  constructor(private readonly maxHeldPerConversation = 1000) {}

  /** Delivered position of a conversation, or undefined when unknown. */
  position(conversationId: string): number | undefined {
    return this.tracks.get(conversationId)?.delivered;
  }

  /**
   * Offers one item. An unknown conversation starts right before the first
   * item seen (there is nothing to wait for). Items with seq 0 are unordered
   * and pass straight through.
   */
  offer(conversationId: string, item: T): OfferResult<T> {
    if (item.seq <= 0) return { deliver: [item], duplicate: false };
    let t = this.tracks.get(conversationId);
    if (!t) {
      t = { delivered: item.seq - 1, held: new Map(), highestSeen: 0 };
      this.tracks.set(conversationId, t);
    }
    if (item.seq > t.highestSeen) t.highestSeen = item.seq;
    if (item.seq <= t.delivered || t.held.has(item.seq)) return { deliver: [], duplicate: true };
    if (item.seq === t.delivered + 1) {
      t.delivered = item.seq;
      return { deliver: [item, ...this.drain(t)], duplicate: false };
    }
    // Ahead of the next expected seq. On overflow the item is not kept, but
    // highestSeen still covers it so the next gap fill pulls it again.
    if (t.held.size < this.maxHeldPerConversation) t.held.set(item.seq, item);
    return { deliver: [], duplicate: false };
  }

  /**
   * Declares everything up to `seq` known without delivering it (a baseline
   * from persisted state or a server summary). Never moves backwards. Held
   * items at or below it are discarded; the ones right after it drain.
   */
  setPosition(conversationId: string, seq: number): T[] {
    const t = this.tracks.get(conversationId);
    if (!t) {
      this.tracks.set(conversationId, { delivered: seq, held: new Map(), highestSeen: seq });
      return [];
    }
    if (seq <= t.delivered) return [];
    t.delivered = seq;
    if (seq > t.highestSeen) t.highestSeen = seq;
    for (const s of [...t.held.keys()]) if (s <= seq) t.held.delete(s);
    return this.drain(t);
  }

  /**
   * Records that the server has messages up to `seq` (from a summary), so the
   * range after the delivered position counts as a gap to pull.
   */
  expect(conversationId: string, seq: number): void {
    const t = this.tracks.get(conversationId);
    if (t && seq > t.highestSeen) t.highestSeen = seq;
  }

  /**
   * After a gap fill covered everything up to `seq`: whatever is still
   * missing at or below it does not exist for this reader, so held items up to
   * `seq` are delivered in order across the holes, then the rest drains.
   */
  release(conversationId: string, seq: number): T[] {
    const t = this.tracks.get(conversationId);
    if (!t || seq <= t.delivered) return [];
    const out: T[] = [];
    const ready = [...t.held.keys()].filter((s) => s <= seq).sort((a, b) => a - b);
    for (const s of ready) {
      out.push(t.held.get(s)!);
      t.held.delete(s);
    }
    t.delivered = seq;
    if (seq > t.highestSeen) t.highestSeen = seq;
    out.push(...this.drain(t));
    return out;
  }

  /**
   * The range to pull for a conversation: from the next expected seq up to
   * the highest seq that is neither delivered nor held. Undefined: no gap.
   */
  gap(conversationId: string): Gap | undefined {
    const t = this.tracks.get(conversationId);
    if (!t || t.highestSeen <= t.delivered) return undefined;
    let top = t.highestSeen;
    while (top > t.delivered && t.held.has(top)) top--;
    if (top <= t.delivered) return undefined;
    return { conversationId, fromSeq: t.delivered + 1, toSeq: top };
  }

  gaps(): Gap[] {
    const out: Gap[] = [];
    for (const id of this.tracks.keys()) {
      const g = this.gap(id);
      if (g) out.push(g);
    }
    return out;
  }

  /** Every held item of every conversation (for cursor bookkeeping). */
  *heldItems(): Iterable<T> {
    for (const t of this.tracks.values()) yield* t.held.values();
  }

  heldCount(conversationId: string): number {
    return this.tracks.get(conversationId)?.held.size ?? 0;
  }

  /** Delivered positions of all known conversations. */
  positions(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [id, t] of this.tracks) out[id] = t.delivered;
    return out;
  }

  forget(conversationId: string): void {
    this.tracks.delete(conversationId);
  }

  clear(): void {
    this.tracks.clear();
  }

  private drain(t: Track<T>): T[] {
    const out: T[] = [];
    for (;;) {
      const next = t.held.get(t.delivered + 1);
      if (next === undefined) return out;
      t.held.delete(t.delivered + 1);
      t.delivered++;
      out.push(next);
    }
  }
}
