import type { BenchConnection } from './connection.js';
import type { RoomPushBatch } from '@xinbox/protocol';
import type { RoomLiveStats, RoomPhase, RoomRunResult, RoomRunSpec } from './messages.js';
import { encodeStamp, isStamp, stampRunId, stampSentAt } from './payload.js';
import { encodeHistogram, newLatencyHistogram, recordMs, type LatencyHistogram } from '../metrics/histogram.js';
import { nowMs } from '../time.js';

interface PhaseState {
  readonly phase: RoomPhase;
  ordinarySent: number;
  ordinaryAcked: number;
  reliableSent: number;
  reliableAcked: number;
  ordinaryReceived: number;
  arrivedInWindow: number;
  readonly latency: LatencyHistogram;
}

/**
 * One W4 room run inside a load process: the precomputed RoomSend schedule
 * of this process's senders (open loop: each message carries its scheduled
 * time), and the receive-side accounting of every connection here that
 * joined the room. RoomPush frames carry several messages; each one counts.
 *
 * Reliable messages are counted once per connection (retransmissions are
 * duplicates); the connection itself acks them with RoomPushAck.
 */
export class RoomRun {
  sent = 0;
  acked = 0;
  reliableAcked = 0;
  failed = 0;
  ordinaryReceived = 0;
  reliableReceived = 0;
  reliableDuplicates = 0;
  stale = 0;
  scheduleLagMaxMs = 0;
  readonly sendErrors: Record<string, number> = {};
  private next = 0;
  private readonly phases: PhaseState[];
  private readonly reliableLatency = newLatencyHistogram();
  private readonly reliableAckLatency = newLatencyHistogram();
  private readonly reliableByConn: Uint32Array;
  private readonly ordinaryByConn: Uint32Array;
  private readonly recordFrom: number;
  private readonly roomEventsBefore: number;

  constructor(readonly spec: RoomRunSpec, private readonly conns: readonly BenchConnection[]) {
    this.phases = spec.phases.map((phase) => ({
      phase, ordinarySent: 0, ordinaryAcked: 0, reliableSent: 0, reliableAcked: 0, ordinaryReceived: 0, arrivedInWindow: 0, latency: newLatencyHistogram(),
    }));
    this.reliableByConn = new Uint32Array(conns.length);
    this.ordinaryByConn = new Uint32Array(conns.length);
    this.recordFrom = spec.startAt + spec.warmupMs;
    this.roomEventsBefore = conns.reduce((n, c) => n + c.roomEvents, 0);
  }

  /** Send everything due by now. Returns ms until the next send is due (Infinity when done). */
  tick(): number {
    const now = nowMs();
    const sends = this.spec.sends;
    while (this.next < sends.length) {
      const s = sends[this.next]!;
      if (s.at > now) return s.at - now;
      this.scheduleLagMaxMs = Math.max(this.scheduleLagMaxMs, now - s.at);
      const data = encodeStamp({ sentAt: s.at, runId: this.spec.runId, senderIdx: s.senderIdx, seq: s.seq });
      const ok = this.conns[s.conn]?.sendRoom(this.spec.roomId, s.reliable, `w4-${this.spec.runId}-${s.senderIdx}-${s.seq}`, data, s.at) ?? false;
      const p = this.phaseOf(s.at);
      if (p) {
        if (s.reliable) p.reliableSent++;
        else p.ordinarySent++;
      }
      if (ok) this.sent++;
      else this.countError('CONNECTION_CLOSED');
      this.next++;
    }
    return Number.POSITIVE_INFINITY;
  }

  onSendResult(scheduledAt: number, reliable: boolean, errorName: string | undefined): void {
    if (errorName) {
      this.countError(errorName);
      return;
    }
    this.acked++;
    if (reliable) this.reliableAcked++;
    const p = this.phaseOf(scheduledAt);
    if (p) {
      if (reliable) p.reliableAcked++;
      else p.ordinaryAcked++;
    }
    if (reliable && scheduledAt >= this.recordFrom) recordMs(this.reliableAckLatency, nowMs() - scheduledAt);
  }

  onMessages(c: BenchConnection, messages: RoomPushBatch): void {
    const now = nowMs();
    const arrival = this.phaseOf(now);
    const v = messages.view;
    const runId = this.spec.runId;
    for (let i = 0; i < messages.count; i++) {
      const at = messages.dataAt[i]!;
      if (at < 0 || !isStamp(messages.dataLen[i]!)) continue;
      if (stampRunId(v, at) !== runId) {
        this.stale++;
        continue;
      }
      const sentAt = stampSentAt(v, at);
      if (messages.seq[i]! > 0) {
        if (messages.duplicate[i]) {
          this.reliableDuplicates++;
          continue;
        }
        this.reliableReceived++;
        this.reliableByConn[c.index] = (this.reliableByConn[c.index] ?? 0) + 1;
        if (sentAt >= this.recordFrom) recordMs(this.reliableLatency, now - sentAt);
      } else {
        this.ordinaryReceived++;
        this.ordinaryByConn[c.index] = (this.ordinaryByConn[c.index] ?? 0) + 1;
        const p = this.phaseOf(sentAt);
        if (p) {
          p.ordinaryReceived++;
          if (sentAt >= this.recordFrom) recordMs(p.latency, now - sentAt);
        }
      }
      if (arrival) arrival.arrivedInWindow++;
    }
  }

  live(): RoomLiveStats {
    return { runId: this.spec.runId, sent: this.sent, acked: this.acked, reliableAcked: this.reliableAcked, failed: this.failed, ordinaryReceived: this.ordinaryReceived, reliableReceived: this.reliableReceived };
  }

  result(loopDelayMaxMs: number, loopDelayP99Ms: number): RoomRunResult {
    const reliablePerConn: Record<string, number> = {};
    let joined = 0;
    let ordMin = Number.POSITIVE_INFINITY;
    let ordMax = 0;
    let roomEvents = 0;
    let unacked = 0;
    for (const c of this.conns) {
      unacked += c.takeRoomUnacked();
      roomEvents += c.roomEvents;
      if (!c.inRoom(this.spec.roomId) || c.state !== 'open') continue;
      joined++;
      const k = String(this.reliableByConn[c.index] ?? 0);
      reliablePerConn[k] = (reliablePerConn[k] ?? 0) + 1;
      const o = this.ordinaryByConn[c.index] ?? 0;
      ordMin = Math.min(ordMin, o);
      ordMax = Math.max(ordMax, o);
    }
    const phases: RoomRunResult['phases'] = {};
    for (const p of this.phases) {
      phases[p.phase.name] = {
        ordinarySent: p.ordinarySent, ordinaryAcked: p.ordinaryAcked, reliableSent: p.reliableSent, reliableAcked: p.reliableAcked,
        ordinaryReceived: p.ordinaryReceived, arrivedInWindow: p.arrivedInWindow, latency: encodeHistogram(p.latency),
      };
      p.latency.destroy();
    }
    const out: RoomRunResult = {
      ...this.live(),
      sendErrors: this.sendErrors,
      unacked,
      reliableDuplicates: this.reliableDuplicates,
      stale: this.stale,
      phases,
      reliableLatency: encodeHistogram(this.reliableLatency),
      reliableAckLatency: encodeHistogram(this.reliableAckLatency),
      joined,
      reliablePerConn,
      ordinaryPerConnMin: joined > 0 ? ordMin : 0,
      ordinaryPerConnMax: ordMax,
      roomEvents: roomEvents - this.roomEventsBefore,
      scheduleLagMaxMs: Math.round(this.scheduleLagMaxMs * 100) / 100,
      loopDelayMaxMs,
      loopDelayP99Ms,
    };
    this.reliableLatency.destroy();
    this.reliableAckLatency.destroy();
    return out;
  }

  private phaseOf(t: number): PhaseState | undefined {
    for (const p of this.phases) if (t >= p.phase.from && t < p.phase.to) return p;
    return undefined;
  }

  private countError(name: string): void {
    this.failed++;
    this.sendErrors[name] = (this.sendErrors[name] ?? 0) + 1;
  }
}
