/**
 * Collects push acknowledgements and sends them as one PushAck per tick: a
 * cumulative sync seq for timeline pushes plus the message ids of read
 * fan-out pushes. A burst of pushes then costs one ack frame, not one each.
 */
export interface PushAckPayload {
  readonly syncSeq: number;
  readonly messageIds: string[];
}

export class PushAckBatcher {
  private syncSeq = 0;
  private lastSentSyncSeq = 0;
  private ids: string[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly send: (ack: PushAckPayload) => void,
    private readonly delayMs = 0,
  ) {}

  ackSyncSeq(syncSeq: number): void {
    if (syncSeq <= this.syncSeq) return;
    this.syncSeq = syncSeq;
    this.schedule();
  }

  ackMessageId(id: string): void {
    this.ids.push(id);
    this.schedule();
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const seq = this.syncSeq > this.lastSentSyncSeq ? this.syncSeq : 0;
    if (seq === 0 && this.ids.length === 0) return;
    const ids = this.ids;
    this.ids = [];
    if (seq) this.lastSentSyncSeq = seq;
    this.send({ syncSeq: seq, messageIds: ids });
  }

  /** A new connection: its server side has not seen any of our acks. */
  reset(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.syncSeq = 0;
    this.lastSentSyncSeq = 0;
    this.ids = [];
  }

  private schedule(): void {
    this.timer ??= setTimeout(() => this.flush(), this.delayMs);
  }
}
