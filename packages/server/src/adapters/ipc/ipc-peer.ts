import type { Socket } from 'node:net';
import { deserialize, serialize } from 'node:v8';
import { errorFromWire, errorToWire, type WireError } from '../sqlite/worker/wire.js';
import { FrameSocket } from './frame-socket.js';

/** Frame kinds on the link (see FrameSocket for the framing). */
export const enum IpcKind {
  /** [call id u32][v8: [service, method, args]] */
  Call = 1,
  /** [call id u32][v8: value] */
  Ok = 2,
  /** [call id u32][v8: WireError] */
  Err = 3,
  /** [topic length u16][topic UTF-8][payload]: a bus message, payload untouched (the cluster envelope). */
  Publish = 4,
}

/** Objects whose methods the other end may call, by service name. */
export type IpcServices = Record<string, object>;

interface Pending {
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: Error) => void;
}

/**
 * One end of the link between the primary and a gateway process: calls in
 * both directions (v8 serialization, so bigint, Uint8Array, Map and Date
 * cross as such, as with the storage thread's structured clone) and bus
 * messages, which travel as raw bytes because they are the hot path.
 * Calls are answered in the order the callee's methods settle; methods are
 * invoked in arrival order.
 */
export class IpcPeer {
  private readonly frames: FrameSocket;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private failure: Error | null = null;
  private readonly closeListeners = new Set<(error: Error) => void>();

  constructor(
    socket: Socket,
    private readonly services: IpcServices,
    private readonly onPublish: (topic: string, payload: Buffer) => void,
  ) {
    this.frames = new FrameSocket(socket, (kind, body) => this.onFrame(kind, body));
    socket.on('error', () => undefined);
    socket.on('close', () => this.fail(new Error('ipc link closed')));
  }

  get closed(): boolean {
    return this.failure !== null;
  }

  /** Calls sent and not yet answered. */
  get outstanding(): number {
    return this.pending.size;
  }

  call(service: string, method: string, args: readonly unknown[]): Promise<unknown> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    if (this.nextId > 0xffff_fff0) this.nextId = 1;
    const head = Buffer.allocUnsafe(4);
    head.writeUInt32BE(id, 0);
    const body = serialize([service, method, args]);
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.frames.send(IpcKind.Call, head, body);
    });
  }

  publish(topic: string, payload: Uint8Array): void {
    const t = Buffer.from(topic, 'utf8');
    const head = Buffer.allocUnsafe(2);
    head.writeUInt16BE(t.length, 0);
    this.frames.send(IpcKind.Publish, head, t, payload);
  }

  /** Called once when the link fails or closes (never if it already has). */
  onClose(listener: (error: Error) => void): () => void {
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  close(): void {
    this.frames.close();
  }

  destroy(): void {
    this.frames.destroy();
  }

  private onFrame(kind: number, body: Buffer): void {
    switch (kind) {
      case IpcKind.Publish: {
        const n = body.readUInt16BE(0);
        this.onPublish(body.toString('utf8', 2, 2 + n), body.subarray(2 + n));
        return;
      }
      case IpcKind.Call:
        this.serve(body.readUInt32BE(0), body.subarray(4));
        return;
      case IpcKind.Ok:
      case IpcKind.Err: {
        const id = body.readUInt32BE(0);
        const p = this.pending.get(id);
        if (!p) return;
        this.pending.delete(id);
        const value = deserialize(body.subarray(4)) as unknown;
        if (kind === IpcKind.Ok) p.resolve(value);
        else p.reject(errorFromWire(value as WireError));
        return;
      }
      default:
        this.frames.destroy();
    }
  }

  private serve(id: number, body: Buffer): void {
    const head = Buffer.allocUnsafe(4);
    head.writeUInt32BE(id, 0);
    let result: unknown;
    try {
      const [service, method, args] = deserialize(body) as [string, string, unknown[]];
      const target = Object.hasOwn(this.services, service) ? this.services[service] : undefined;
      const fn = target && method !== 'constructor' && !method.startsWith('_') ? (target as Record<string, unknown>)[method] : undefined;
      if (typeof fn !== 'function') throw new Error(`no ipc method ${service}.${method}`);
      result = (fn as (...a: unknown[]) => unknown).apply(target, args);
    } catch (e) {
      result = Promise.reject(e);
    }
    Promise.resolve(result).then(
      (value) => this.frames.send(IpcKind.Ok, head, serialize(value)),
      (error: unknown) => this.frames.send(IpcKind.Err, head, serialize(errorToWire(error))),
    );
  }

  private fail(error: Error): void {
    if (this.failure) return;
    this.failure = error;
    for (const p of this.pending.values()) p.reject(error);
    this.pending.clear();
    for (const l of [...this.closeListeners]) l(error);
    this.closeListeners.clear();
  }
}
