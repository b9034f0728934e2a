import { Errors, XinboxError } from '@xinbox/protocol';
import type { Bus } from '../core/ports/bus.js';
import { EnvelopeType, Topics, encodeEnvelope } from './envelope.js';

export interface RequestHeader {
  /** Request id, unique per sending node. */
  readonly r: number;
  /** Reply to this node. */
  readonly from: string;
  readonly u: number;
  readonly d: string;
}

/**
 * Sends client requests to the node that executes them and matches replies.
 * Bounded: at most `maxPending` requests in flight, each with a timeout, so a
 * dead node costs a timely UNAVAILABLE (retryable) instead of memory.
 */
export class RpcClient {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (b: Uint8Array) => void; reject: (e: unknown) => void; timer: NodeJS.Timeout }>();

  /** Requests waiting for their reply (metrics: queue depth). */
  get inFlight(): number {
    return this.pending.size;
  }

  constructor(private readonly bus: Bus, private readonly nodeId: string, private readonly timeoutMs = 5_000, private readonly maxPending = 100_000) {}

  /** Send one encoded client frame for execution as (userId, deviceId); resolves with the length-prefixed reply frame. */
  call(target: string, userId: number, deviceId: string, frame: Uint8Array): Promise<Uint8Array> {
    if (this.pending.size >= this.maxPending) return Promise.reject(new XinboxError(Errors.UNAVAILABLE, 'too many requests in flight'));
    const r = this.nextId++;
    const header: RequestHeader = { r, from: this.nodeId, u: userId, d: deviceId };
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(r);
        reject(new XinboxError(Errors.UNAVAILABLE, `node ${target} did not answer`));
      }, this.timeoutMs);
      this.pending.set(r, { resolve, reject, timer });
      this.bus.publish(Topics.node(target), encodeEnvelope(EnvelopeType.Request, header, frame)).catch((e) => {
        clearTimeout(timer);
        this.pending.delete(r);
        reject(new XinboxError(Errors.UNAVAILABLE, `bus publish failed: ${(e as Error).message}`));
      });
    });
  }

  /** A Reply envelope arrived. */
  settle(requestId: number, reply: Uint8Array): void {
    const p = this.pending.get(requestId);
    if (!p) return; // timed out already
    clearTimeout(p.timer);
    this.pending.delete(requestId);
    p.resolve(reply);
  }

  close(): void {
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(new XinboxError(Errors.UNAVAILABLE, 'node stopping'));
    }
    this.pending.clear();
  }
}
