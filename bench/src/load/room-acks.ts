/**
 * The reliable seqs one connection has of one room, as a room client keeps
 * them: RoomPushAck is cumulative, so the connection acks the highest seq
 * below which it has everything; seqs above a gap wait in a set until the
 * gap is filled (the server retransmits everything above the ack).
 */
export class RoomAckTracker {
  /** Every seq up to this one was delivered (starts at RoomJoined.lastSeq: older ones are not owed). */
  contiguous: number;
  /** The highest cumulative ack sent to the server. */
  sent: number;
  private readonly above = new Set<number>();

  constructor(start: number) {
    this.contiguous = start;
    this.sent = start;
  }

  /** Records a delivered seq; false when the connection already had it (a retransmission). */
  note(seq: number): boolean {
    if (seq <= this.contiguous || this.above.has(seq)) return false;
    if (seq !== this.contiguous + 1) {
      this.above.add(seq);
      return true;
    }
    this.contiguous = seq;
    while (this.above.delete(this.contiguous + 1)) this.contiguous++;
    return true;
  }

  get ackDue(): boolean {
    return this.contiguous > this.sent;
  }
}
