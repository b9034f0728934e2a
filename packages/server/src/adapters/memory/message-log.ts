import type { StoredMessage } from '../../core/model.js';

/**
 * The messages of one conversation, kept sorted by seq. Appends almost always
 * arrive in seq order (push at the end); a late lower seq is inserted in place.
 */
export class MessageLog {
  private readonly messages: StoredMessage[] = [];
  private readonly bySeq = new Map<number, StoredMessage>();

  has(seq: number): boolean {
    return this.bySeq.has(seq);
  }

  get(seq: number): StoredMessage | undefined {
    return this.bySeq.get(seq);
  }

  /** Swap a stored message for a new version of it (same seq), e.g. a recall's redaction. */
  replace(message: StoredMessage): void {
    if (!this.bySeq.has(message.seq)) return;
    this.messages[this.firstIndexAtLeast(message.seq)] = message;
    this.bySeq.set(message.seq, message);
  }

  insert(message: StoredMessage): void {
    const at = this.firstIndexAtLeast(message.seq);
    if (at === this.messages.length) this.messages.push(message);
    else this.messages.splice(at, 0, message);
    this.bySeq.set(message.seq, message);
  }

  /** fromSeq <= seq <= toSeq, ascending, at most `limit`. */
  range(fromSeq: number, toSeq: number, limit: number): StoredMessage[] {
    const out: StoredMessage[] = [];
    for (let i = this.firstIndexAtLeast(fromSeq); i < this.messages.length && out.length < limit; i++) {
      const message = this.messages[i]!;
      if (message.seq > toSeq) break;
      out.push(message);
    }
    return out;
  }

  /** seq < beforeSeq (0 = no bound), descending, at most `limit`. */
  before(beforeSeq: number, limit: number): StoredMessage[] {
    const out: StoredMessage[] = [];
    const end = beforeSeq > 0 ? this.firstIndexAtLeast(beforeSeq) : this.messages.length;
    for (let i = end - 1; i >= 0 && out.length < limit; i--) out.push(this.messages[i]!);
    return out;
  }

  private firstIndexAtLeast(seq: number): number {
    let lo = 0;
    let hi = this.messages.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.messages[mid]!.seq < seq) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
