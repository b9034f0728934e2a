/**
 * Outgoing messages waiting for their SendAck. Each message gets its client
 * message id when it is enqueued and keeps it through every retry, so the
 * server's (sender, clientMsgId) idempotency turns a resend after a lost ack
 * into the original ack instead of a second message.
 */
import type { ContentInit } from './frame-types.js';

export interface OutgoingSend {
  readonly conversationId: string;
  readonly clientMsgId: string;
  readonly content: ContentInit;
  readonly mentions: readonly string[];
  readonly mentionAll: boolean;
  readonly visibleTo: readonly string[];
}

export type OutgoingInput = Omit<OutgoingSend, 'clientMsgId'> & { clientMsgId?: string };

/**
 * What to do after a failed transmit:
 * - 'requeue': the connection went away; send again once resumed (not an attempt).
 * - 'retry': a retryable server answer; send again after a delay.
 * - 'fail': a final answer; reject the caller's promise.
 */
/** Wait before resending a requeued message while the queue still runs. */
const REQUEUE_DELAY_MS = 100;

export type FailureAction = 'requeue' | 'retry' | 'fail';

export interface SendQueueOptions<A> {
  /** Most messages waiting or in flight; enqueue beyond it is refused. */
  readonly limit: number;
  /** Most messages transmitted and not yet answered at once. */
  readonly maxInFlight: number;
  readonly transmit: (msg: OutgoingSend) => Promise<A>;
  readonly classify: (err: unknown) => FailureAction;
  /** Retries of 'retry' failures before giving up. */
  readonly maxRetries?: number;
  /** Delay before retry number n (from 1). */
  readonly retryDelayMs?: (attempt: number) => number;
  /** A wait the server asked for (RATE_LIMITED retryAfterMs); > 0: wait that long, and the retry is not counted. */
  readonly retryAfterMs?: (err: unknown) => number;
  /** Builds the error for an enqueue on a full queue. */
  readonly fullError: (limit: number) => Error;
  readonly newId: () => string;
}

interface Entry<A> {
  readonly msg: OutgoingSend;
  readonly promise: Promise<A>;
  readonly resolve: (ack: A) => void;
  readonly reject: (err: unknown) => void;
  inFlight: boolean;
  retries: number;
  notBefore: number;
}

export class SendQueue<A> {
  private readonly entries: Entry<A>[] = [];
  private running = false;
  private inFlight = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly opts: SendQueueOptions<A>) {}

  /**
   * Queues a message and returns the promise of its ack. Enqueuing a
   * clientMsgId that is still pending returns the pending promise.
   */
  enqueue(input: OutgoingInput): { clientMsgId: string; ack: Promise<A> } {
    const clientMsgId = input.clientMsgId ?? this.opts.newId();
    const existing = this.entries.find((e) => e.msg.clientMsgId === clientMsgId);
    if (existing) return { clientMsgId, ack: existing.promise };
    if (this.entries.length >= this.opts.limit) {
      return { clientMsgId, ack: Promise.reject(this.opts.fullError(this.opts.limit)) };
    }
    let resolve!: (ack: A) => void;
    let reject!: (err: unknown) => void;
    const promise = new Promise<A>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    const msg: OutgoingSend = { ...input, clientMsgId };
    this.entries.push({ msg, promise, resolve, reject, inFlight: false, retries: 0, notBefore: 0 });
    this.pump();
    return { clientMsgId, ack: promise };
  }

  /** The connection is up: transmit everything waiting, oldest first. */
  resume(): void {
    this.running = true;
    this.pump();
  }

  /** The connection is down: hold new transmissions until resume(). */
  pause(): void {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Rejects every pending message (the client is closing for good). */
  failAll(err: unknown): void {
    this.pause();
    const all = this.entries.splice(0);
    for (const e of all) e.reject(err);
  }

  get size(): number {
    return this.entries.length;
  }

  get inFlightCount(): number {
    return this.inFlight;
  }

  pending(): OutgoingSend[] {
    return this.entries.map((e) => e.msg);
  }

  private pump(): void {
    if (!this.running) return;
    const now = Date.now();
    let wakeAt = Infinity;
    for (const e of this.entries) {
      if (this.inFlight >= this.opts.maxInFlight) break;
      if (e.inFlight) continue;
      if (e.notBefore > now) {
        wakeAt = Math.min(wakeAt, e.notBefore);
        continue;
      }
      this.transmit(e);
    }
    if (wakeAt !== Infinity && !this.timer) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.pump();
      }, wakeAt - now);
    }
  }

  private transmit(e: Entry<A>): void {
    e.inFlight = true;
    this.inFlight++;
    let result: Promise<A>;
    try {
      result = this.opts.transmit(e.msg);
    } catch (err) {
      result = Promise.reject(err);
    }
    result.then(
      (ack) => {
        this.settle(e);
        e.resolve(ack);
      },
      (err: unknown) => {
        const action = this.opts.classify(err);
        const told = action === 'retry' ? (this.opts.retryAfterMs?.(err) ?? 0) : 0;
        if (action === 'fail' || (action === 'retry' && told === 0 && e.retries >= (this.opts.maxRetries ?? 5))) {
          this.settle(e);
          e.reject(err);
          return;
        }
        e.inFlight = false;
        this.inFlight--;
        if (told > 0) {
          // The server said when: a rate limit is not a failure, so it does not use up retries.
          e.notBefore = Date.now() + told;
        } else if (action === 'retry') {
          e.retries++;
          e.notBefore = Date.now() + (this.opts.retryDelayMs?.(e.retries) ?? 0);
        } else if (this.running) {
          // Connection loss reported before pause(): do not spin on a dead link.
          e.notBefore = Date.now() + REQUEUE_DELAY_MS;
        }
        this.pump();
      },
    );
  }

  private settle(e: Entry<A>): void {
    const i = this.entries.indexOf(e);
    if (i >= 0) this.entries.splice(i, 1);
    if (e.inFlight) {
      e.inFlight = false;
      this.inFlight--;
    }
    this.pump();
  }
}
