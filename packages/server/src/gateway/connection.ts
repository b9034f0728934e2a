import { CloseCodes, type CloseSpec } from '@xinbox/protocol';
import type { Platform, UserId } from '../core/model.js';
import type { FlowControl, FlowTransport } from './inbound-flow.js';

export interface ConnectionLimits {
  readonly maxOutboundBytes: number;
  readonly maxOutboundFrames: number;
  readonly maxUnackedPushes: number;
  readonly pushRetryBaseMs: number;
  readonly pushRetries: number;
  /** After a close: how long the peer may take to finish closing before the socket is cut (closeGraceMs). */
  readonly closeGraceMs: number;
}

interface PendingPush {
  readonly syncSeq: number;
  readonly frame: Uint8Array;
  attempts: number;
  dueAt: number;
}

/** A read-fan-out push waiting for PushAck{messageIds}. */
interface PendingAudiencePush {
  readonly frame: Uint8Array;
  attempts: number;
  dueAt: number;
}

/** Placeholder for an acked slot, so the frame it held can be collected before the array is compacted. */
const ACKED: PendingPush = { syncSeq: 0, frame: new Uint8Array(0), attempts: 0, dueAt: 0 };

export type ConnectionState = 'auth' | 'open' | 'closed';

/** The flush scheduler a connection reports to when it has queued frames. */
export interface FlushSink {
  markDirty(c: Connection): void;
  markRetry(c: Connection): void;
}

/**
 * One client connection, transport-agnostic. Outbound frames queue up and are
 * written once per event-loop tick as one joined write (the write-batching
 * that makes fan-out fast). The queue is bounded: a consumer that cannot keep
 * up is disconnected with SLOW_CONSUMER instead of growing memory. Replies
 * are exempt from that bound: they are bounded by flow control instead (at
 * most maxInFlight requests unanswered, reading paused above a high-water
 * mark), so a client that reads is never closed because of its own replies.
 */
export abstract class Connection implements FlowTransport {
  state: ConnectionState = 'auth';
  userId: UserId = 0;
  deviceId = '';
  platform: Platform = 'other';
  /** The app (tenant, ADR 0013) of the authenticated user: the token's `app` claim, `default` when absent. */
  appId = 'default';
  sessionId = '';
  /** Auth.client_version as the client sent it (at most 64 characters); '' when not sent. */
  clientVersion = '';
  /** When the access token this connection authenticated with expires (ms). */
  expiresAt = Number.POSITIVE_INFINITY;
  /** Inbound flow control, set by the gateway. */
  flow: FlowControl | null = null;
  readonly openedAt: number;
  lastReceivedAt: number;

  private queue: Uint8Array[] = [];
  /** The previous flush's array, emptied, reused for the next queue (no array per flush). */
  private spare: Uint8Array[] | null = null;
  private queuedBytes = 0;
  private dirty = false;
  /** Unacked pushes in syncSeq order from index `pendingHead` (acks advance the head; no array per ack). */
  private pending: PendingPush[] = [];
  /** Read-fan-out pushes by message id, oldest first; bounded by maxUnackedPushes like `pending`. */
  private audience = new Map<string, PendingAudiencePush>();
  private pendingHead = 0;
  private closing = false;

  constructor(
    readonly id: number,
    readonly transport: 'ws' | 'tcp',
    readonly remoteAddress: string,
    protected readonly sink: FlushSink,
    protected readonly limits: ConnectionLimits,
    now: number,
  ) {
    this.openedAt = now;
    this.lastReceivedAt = now;
  }

  /** Bytes queued here or held by the transport, not yet handed to the kernel: 0 when the client is caught up. */
  get backlogBytes(): number {
    return this.queuedBytes + this.bufferedBytes();
  }

  /** Queue the reply to a request: bounded by flow control, never a reason to close. */
  enqueueReply(frame: Uint8Array): void {
    this.enqueue(frame, true);
  }

  /** Queue one length-prefixed frame for the next flush. */
  enqueue(frame: Uint8Array, reply = false): void {
    if (this.state === 'closed') return;
    this.queue.push(frame);
    this.queuedBytes += frame.length;
    if (!this.closing && !reply && (this.queue.length > this.limits.maxOutboundFrames || this.queuedBytes + this.bufferedBytes() > this.limits.maxOutboundBytes)) {
      this.close(CloseCodes.SLOW_CONSUMER);
      return;
    }
    if (!this.dirty) {
      this.dirty = true;
      this.sink.markDirty(this);
    }
  }

  /** Queue a timeline push and remember it until the device acks its sync seq. */
  enqueuePush(frame: Uint8Array, syncSeq: number, now: number): void {
    this.enqueue(frame);
    if (syncSeq <= 0 || this.limits.pushRetries === 0 || this.state === 'closed') return;
    if (this.timelineUnacked >= this.limits.maxUnackedPushes) this.pendingHead++; // oldest is left to sync
    this.pending.push({ syncSeq, frame, attempts: 0, dueAt: now + this.limits.pushRetryBaseMs });
    if (this.timelineUnacked === 1) this.sink.markRetry(this);
    this.compactPending();
  }

  /**
   * Queue a read-fan-out push (large groups: no sync seq) and remember it until
   * the device acks its message id; retransmitted like timeline pushes.
   */
  enqueueAudiencePush(frame: Uint8Array, messageId: string, now: number): void {
    this.enqueue(frame);
    if (!messageId || this.limits.pushRetries === 0 || this.state === 'closed') return;
    if (this.audience.size >= this.limits.maxUnackedPushes) this.audience.delete(this.audience.keys().next().value!); // oldest is left to PullRange
    this.audience.set(messageId, { frame, attempts: 0, dueAt: now + this.limits.pushRetryBaseMs });
    this.sink.markRetry(this);
  }

  /** PushAck{messageIds}: those read-fan-out pushes are delivered. */
  ackMessages(messageIds: readonly string[]): void {
    for (const id of messageIds) this.audience.delete(id);
  }

  /** Cumulative ack: every push with syncSeq <= seq is delivered. */
  ackPushes(syncSeq: number): void {
    const p = this.pending;
    let i = this.pendingHead;
    while (i < p.length && p[i]!.syncSeq <= syncSeq) p[i++] = ACKED;
    this.pendingHead = i;
    if (i === p.length) {
      p.length = 0;
      this.pendingHead = 0;
    }
  }

  /** Drop the acked prefix once it is most of the array (amortised O(1) per push). */
  private compactPending(): void {
    const head = this.pendingHead;
    if (head < 64 || head * 2 < this.pending.length) return;
    this.pending.copyWithin(0, head);
    this.pending.length -= head;
    this.pendingHead = 0;
  }

  /** Resend due pushes with exponential backoff; give up after pushRetries (sync recovers). Returns true while pushes remain. */
  retransmitDue(now: number): boolean {
    if (this.state !== 'open') return false;
    const keep: PendingPush[] = [];
    for (let i = this.pendingHead; i < this.pending.length; i++) {
      const p = this.pending[i]!;
      if (p.dueAt > now) {
        keep.push(p);
        continue;
      }
      if (p.attempts >= this.limits.pushRetries) continue;
      p.attempts++;
      p.dueAt = now + this.limits.pushRetryBaseMs * 2 ** p.attempts;
      this.enqueue(p.frame);
      keep.push(p);
    }
    this.pending = keep;
    this.pendingHead = 0;
    for (const [id, p] of this.audience) {
      if (p.dueAt > now) continue;
      if (p.attempts >= this.limits.pushRetries) {
        this.audience.delete(id);
        continue;
      }
      p.attempts++;
      p.dueAt = now + this.limits.pushRetryBaseMs * 2 ** p.attempts;
      this.enqueue(p.frame);
    }
    return keep.length > 0 || this.audience.size > 0;
  }

  private get timelineUnacked(): number {
    return this.pending.length - this.pendingHead;
  }

  /** Pushes sent and not acknowledged yet (timeline and read fan-out). */
  get unackedPushes(): number {
    return this.timelineUnacked + this.audience.size;
  }

  /** Called by the scheduler once per tick. */
  flush(): void {
    this.dirty = false;
    if (this.state === 'closed' || this.queue.length === 0) return;
    const frames = this.queue;
    const bytes = this.queuedBytes;
    // write() consumes the array synchronously (it joins the frames into one buffer), so
    // it can be emptied and reused; a nested flush during write() gets a fresh one.
    this.queue = this.spare ?? [];
    this.spare = null;
    this.queuedBytes = 0;
    this.write(frames, bytes);
    frames.length = 0;
    this.spare = frames;
    // The kernel often takes a write whole, and then no 'drain' follows: re-check here.
    if (this.flow?.isPaused) this.flow.maybeResume();
  }

  /** Flush what is queued, tell the client why, and close. */
  close(spec: CloseSpec, reason = spec.description): void {
    if (this.state === 'closed' || this.closing) return;
    this.closing = true;
    if (spec.code === CloseCodes.SLOW_CONSUMER.code) {
      // The backlog is what overflowed; drop it so the close notice goes out.
      this.queue = [];
      this.queuedBytes = 0;
    }
    this.flushBeforeClose(spec, reason);
    this.state = 'closed';
    this.queue = [];
    this.queuedBytes = 0;
    this.pending = [];
    this.audience.clear();
    this.pendingHead = 0;
    this.flow?.close();
    this.terminate(spec, reason);
  }

  abstract pauseReading(): void;
  abstract resumeReading(): void;
  abstract onceWritable(cb: () => void): void;

  /** Write frames (each length-prefixed) in as few transport writes as possible. */
  protected abstract write(frames: Uint8Array[], totalBytes: number): void;
  /** Bytes accepted by the transport but not yet on the wire. */
  protected abstract bufferedBytes(): number;
  protected abstract terminate(spec: CloseSpec, reason: string): void;
  protected abstract flushBeforeClose(spec: CloseSpec, reason: string): void;
}
