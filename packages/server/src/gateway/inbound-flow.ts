/**
 * Flow control of what a connection sends us (backpressure). A connection may
 * have at most `maxInFlight` requests read and not yet answered; beyond that,
 * or while its outbound backlog is above `outboundHighWater` (it is not
 * reading its replies), the gateway stops reading its socket. The kernel's
 * receive buffer then fills and the client's own writes block: a pipelining
 * client slows to the pace the server answers it, and nothing read waits
 * unanswered without bound. What one transport read already delivered is
 * held (at most one read: a TCP chunk or the WebSocket messages already
 * received) and runs first on resume.
 *
 * Held frames run at most `maxInFlight` per event-loop turn: requests answered
 * at once (a rate-limit refusal) would otherwise chain through microtasks and
 * run a whole read of a pipelining client before any other socket is served.
 */

export interface FlowLimits {
  /** Requests read and not yet answered, per connection. */
  readonly maxInFlight: number;
  /** Outbound bytes (queued + in the socket) above which reading stops. */
  readonly outboundHighWater: number;
}

/** What the flow needs from a connection's transport. */
export interface FlowTransport {
  readonly backlogBytes: number;
  pauseReading(): void;
  resumeReading(): void;
  /** Call `cb` once when the socket's write buffer has drained (or the socket closed). */
  onceWritable(cb: () => void): void;
}

/** Gateway-wide flow counters, exported in /v1/metrics. */
export class FlowStats {
  /** Connections whose reading is paused now. */
  pausedNow = 0;
  /** Times any connection was paused. */
  pauses = 0;
  /** Highest number of requests in flight seen on one connection. */
  inFlightPeak = 0;
  /** Highest number of frames held (read before the pause) on one connection. */
  heldPeak = 0;
  /** Requests started (answered later) on all connections. */
  requests = 0;

  snapshot(): Record<string, number> {
    return { pausedNow: this.pausedNow, pauses: this.pauses, inFlightPeak: this.inFlightPeak, heldPeak: this.heldPeak, requests: this.requests };
  }
}

/** A connection's flow control as the rest of the gateway sees it. */
export interface FlowControl {
  readonly inFlight: number;
  readonly isPaused: boolean;
  readonly blockedByClient: boolean;
  readonly pausedAt: number;
  started(): void;
  finished(): void;
  maybeResume(): void;
  close(): void;
}

export class InboundFlow<T> implements FlowControl {
  /** Requests read and not yet answered. */
  inFlight = 0;
  private paused = false;
  /** When reading was last paused (ms), for the sweep. */
  pausedAt = 0;
  private held: T[] = [];
  private waitingForDrain = false;
  private resumeScheduled = false;
  private closed = false;

  constructor(
    private readonly transport: FlowTransport,
    private readonly limits: FlowLimits,
    private readonly run: (item: T) => void,
    private readonly stats: FlowStats,
    private readonly clock: () => number,
  ) {}

  get isPaused(): boolean {
    return this.paused;
  }

  /** Paused because the client does not read what we send (as opposed to waiting for our own answers). */
  get blockedByClient(): boolean {
    return this.transport.backlogBytes > this.limits.outboundHighWater;
  }

  /** A frame arrived from the transport. */
  accept(item: T): void {
    if (this.closed) return;
    if (this.held.length > 0 || this.blocked()) {
      this.held.push(item);
      if (this.held.length > this.stats.heldPeak) this.stats.heldPeak = this.held.length;
      this.pause();
      return;
    }
    this.run(item);
  }

  /** A request will be answered later. */
  started(): void {
    this.stats.requests++;
    this.inFlight++;
    if (this.inFlight > this.stats.inFlightPeak) this.stats.inFlightPeak = this.inFlight;
  }

  /** Its reply was queued (or it failed). */
  finished(): void {
    this.inFlight--;
    if (this.paused) this.scheduleResume();
  }

  /** Re-check a paused connection on the next turn of the event loop (others' I/O first). */
  private scheduleResume(): void {
    if (this.resumeScheduled || this.closed) return;
    this.resumeScheduled = true;
    setImmediate(() => {
      this.resumeScheduled = false;
      this.maybeResume();
    });
  }

  /** Re-check a paused connection (socket drained, periodic sweep). */
  maybeResume(): void {
    if (!this.paused || this.closed) return;
    let budget = this.limits.maxInFlight;
    while (this.held.length > 0 && !this.blocked() && budget-- > 0) this.run(this.held.shift()!);
    if (this.held.length > 0 && !this.blocked()) return this.scheduleResume();
    if (this.held.length > 0 || this.blocked()) return this.waitForDrain();
    this.paused = false;
    this.stats.pausedNow--;
    this.transport.resumeReading();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.held = [];
    if (this.paused) this.stats.pausedNow--;
    this.paused = false;
  }

  private blocked(): boolean {
    return this.inFlight >= this.limits.maxInFlight || this.transport.backlogBytes > this.limits.outboundHighWater;
  }

  private pause(): void {
    if (this.paused) return;
    this.paused = true;
    this.pausedAt = this.clock();
    this.stats.pausedNow++;
    this.stats.pauses++;
    this.transport.pauseReading();
    this.waitForDrain();
  }

  private waitForDrain(): void {
    if (this.waitingForDrain || this.transport.backlogBytes <= this.limits.outboundHighWater) return;
    this.waitingForDrain = true;
    this.transport.onceWritable(() => {
      this.waitingForDrain = false;
      this.maybeResume();
    });
  }
}
