import type { BenchConnection } from './connection.js';
import type { LiveStats, RunResult, RunSpec } from './messages.js';
import { PER_MESSAGE_KEY_SEQ_BITS } from './messages.js';
import { decodeStamp, decodeTextStamp, encodeStamp, encodeTextStamp } from './payload.js';
import type { PushPeek } from '@xinbox/protocol';
import { encodeHistogram, newLatencyHistogram, recordMs } from '../metrics/histogram.js';
import { nowMs } from '../time.js';

/**
 * One measured run inside a load process: the open-loop send schedule of this
 * process's senders and the receive-side accounting of its receivers.
 *
 * The schedule is by time, not by acks: message j of this process is due at
 * startAt + j / rate, and carries its due time as the stamp. If the process
 * (or the server) falls behind, the lateness lands in the latency figures.
 */
export class RunState {
  sent = 0;
  acked = 0;
  failed = 0;
  received = 0;
  receivedInWindow = 0;
  duplicates = 0;
  stale = 0;
  scheduleLagMaxMs = 0;
  readonly sendErrors: Record<string, number> = {};
  private readonly latency = newLatencyHistogram();
  private readonly ackLatency = newLatencyHistogram();
  /** receiver conn * 2^20 + senderIdx -> last seq seen (duplicate/reorder check). */
  private readonly lastSeq = new Map<number, number>();
  private readonly perMessage = new Map<number, number>();
  private next = 0;
  private readonly total: number;
  private readonly intervalMs: number;
  private readonly recordFrom: number;
  private readonly windowEnd: number;

  constructor(readonly spec: RunSpec, private readonly conns: readonly BenchConnection[]) {
    const rate = spec.senders.length > 0 ? spec.ratePerSec : 0;
    this.intervalMs = rate > 0 ? 1000 / rate : Number.POSITIVE_INFINITY;
    this.total = rate > 0 ? Math.floor((spec.durationMs * rate) / 1000) : 0;
    this.recordFrom = spec.startAt + spec.warmupMs;
    this.windowEnd = spec.startAt + spec.durationMs;
  }

  get done(): boolean {
    return this.next >= this.total;
  }

  /** Send everything due by now. Returns ms until the next message is due (Infinity when done). */
  tick(): number {
    const now = nowMs();
    const senders = this.spec.senders;
    const n = senders.length;
    while (this.next < this.total) {
      const dueAt = this.spec.startAt + this.next * this.intervalMs;
      if (dueAt > now) return dueAt - now;
      const s = senders[this.next % n]!;
      const seq = Math.floor(this.next / n);
      this.scheduleLagMaxMs = Math.max(this.scheduleLagMaxMs, now - dueAt);
      const conn = this.conns[s.conn];
      const stamp = { sentAt: dueAt, runId: this.spec.runId, senderIdx: s.senderIdx, seq };
      const clientMsgId = `b${this.spec.runId}-${s.senderIdx}-${seq}`;
      const ok = (this.spec.textPayload
        ? conn?.sendBenchText(s.conversationId, clientMsgId, encodeTextStamp(stamp), dueAt)
        : conn?.sendBench(s.conversationId, clientMsgId, encodeStamp(stamp), dueAt)) ?? false;
      if (ok) this.sent++;
      else this.countError('CONNECTION_CLOSED');
      this.next++;
    }
    return Number.POSITIVE_INFINITY;
  }

  onSendResult(scheduledAt: number, errorName: string | undefined): void {
    if (errorName) {
      this.countError(errorName);
      return;
    }
    this.acked++;
    if (scheduledAt >= this.recordFrom) recordMs(this.ackLatency, nowMs() - scheduledAt);
  }

  onPush(c: BenchConnection, push: PushPeek): void {
    if (push.senderId === c.spec.userId) return;
    const stamp = push.customData ? decodeStamp(push.customData) : push.textData ? decodeTextStamp(push.textData) : undefined;
    if (!stamp) return;
    if (stamp.runId !== this.spec.runId) {
      this.stale++;
      return;
    }
    const now = nowMs();
    const key = c.index * 1_048_576 + stamp.senderIdx;
    const last = this.lastSeq.get(key);
    if (last !== undefined && stamp.seq <= last) {
      this.duplicates++;
      return;
    }
    this.lastSeq.set(key, stamp.seq);
    this.received++;
    if (now <= this.windowEnd) this.receivedInWindow++;
    const latencyMs = now - stamp.sentAt;
    if (stamp.sentAt < this.recordFrom) return;
    recordMs(this.latency, latencyMs);
    if (this.spec.trackPerMessage) {
      const mk = stamp.senderIdx * PER_MESSAGE_KEY_SEQ_BITS + stamp.seq;
      const us = Math.round(latencyMs * 1000);
      if ((this.perMessage.get(mk) ?? -1) < us) this.perMessage.set(mk, us);
    }
  }

  live(): LiveStats {
    return { runId: this.spec.runId, sent: this.sent, acked: this.acked, failed: this.failed, received: this.received, scheduleLagMaxMs: round(this.scheduleLagMaxMs), done: this.done };
  }

  result(unacked: number, loopDelayMaxMs: number, loopDelayP99Ms: number): RunResult {
    const out: RunResult = {
      ...this.live(),
      sendErrors: this.sendErrors,
      unacked,
      receivedInWindow: this.receivedInWindow,
      duplicates: this.duplicates,
      stale: this.stale,
      latency: encodeHistogram(this.latency),
      ackLatency: encodeHistogram(this.ackLatency),
      perMessage: [...this.perMessage.entries()],
      loopDelayMaxMs,
      loopDelayP99Ms,
    };
    this.latency.destroy();
    this.ackLatency.destroy();
    return out;
  }

  private countError(name: string): void {
    this.failed++;
    this.sendErrors[name] = (this.sendErrors[name] ?? 0) + 1;
  }
}

const round = (x: number): number => Math.round(x * 100) / 100;
