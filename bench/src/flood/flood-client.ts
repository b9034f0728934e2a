import WebSocket from 'ws';
import { SUBPROTOCOL_PROTO, decodeFrame, encodeFrame, splitFrames, withLengthPrefix, type Frame, type FrameInit } from '@xinbox/protocol';

type Body = NonNullable<FrameInit['body']>;

/**
 * A small protocol client for the flood workload: request/reply by id, pushes
 * to a callback, and raw pipelined writes for the flooders. Nothing retries:
 * the workload sees exactly what the server answers.
 */
export class FloodClient {
  private nextId = 1;
  private readonly waiting = new Map<number, (f: Frame) => void>();
  onPush: (f: Frame) => void = () => undefined;
  /** Replies that had no waiter (pipelined requests). */
  onReply: (f: Frame) => void = () => undefined;
  closeCode: number | null = null;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data: Buffer) => {
      for (const b of splitFrames(data, 1 << 24)) {
        const f = decodeFrame(b);
        if (f.id === 0) this.onPush(f);
        else {
          const w = this.waiting.get(f.id);
          if (w) {
            this.waiting.delete(f.id);
            w(f);
          } else this.onReply(f);
        }
      }
    });
    ws.on('close', (code) => (this.closeCode = code));
    ws.on('error', () => undefined);
  }

  static async open(url: string, token: string): Promise<FloodClient> {
    const ws = new WebSocket(url, SUBPROTOCOL_PROTO, { perMessageDeflate: false });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    const c = new FloodClient(ws);
    const ok = await c.request({ case: 'auth', value: { token } });
    if (ok.body.case !== 'authOk') throw new Error(`auth failed: ${JSON.stringify(ok.body.value)}`);
    return c;
  }

  request(body: Body, timeoutMs = 30_000): Promise<Frame> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        this.waiting.delete(id);
        reject(new Error(`no reply to ${body.case} in ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiting.set(id, (f) => {
        clearTimeout(t);
        resolve(f);
      });
      this.ws.send(withLengthPrefix(encodeFrame({ id, body })));
    });
  }

  /** A frame that gets no reply (PushAck). */
  send(body: Body): void {
    this.ws.send(withLengthPrefix(encodeFrame({ body })));
  }

  /** Many requests in one WebSocket message, replies to onReply. */
  pipeline(bodies: Body[]): void {
    const frames = bodies.map((body) => withLengthPrefix(encodeFrame({ id: this.nextId++, body })));
    this.ws.send(Buffer.concat(frames));
  }

  get bufferedAmount(): number {
    return this.ws.bufferedAmount;
  }

  close(): void {
    this.ws.terminate();
  }
}
