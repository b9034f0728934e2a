import { connect as tcpConnect, type Socket } from 'node:net';
import WebSocket from 'ws';
import {
  FrameStreamDecoder, SUBPROTOCOL_JSON, SUBPROTOCOL_PROTO, decodeFrame, encodeFrame, frameFromJson, frameToJson,
  splitFrames, withLengthPrefix, type Frame, type FrameInit,
} from '@xinbox/protocol';

type Body = NonNullable<FrameInit['body']>;
export type Transport = 'ws' | 'ws-json' | 'tcp';

/**
 * A bare protocol client for server tests: no retries, no dedupe, so tests see
 * exactly what the server sends. Auto-acks timeline pushes unless told not to.
 */
export class RawClient {
  readonly frames: Frame[] = [];
  closeCode: number | null = null;
  autoAck = true;
  private nextId = 1;
  private waiters: Array<{ match: (f: Frame) => boolean; resolve: (f: Frame) => void }> = [];
  private closeWaiters: Array<(code: number) => void> = [];

  private constructor(private readonly sendBytes: (b: Uint8Array | string) => void, private readonly end: () => void) {}

  static connect(transport: Transport, target: { wsUrl: string; tcpPort: number }, localAddress?: string): Promise<RawClient> {
    return transport === 'tcp' ? RawClient.tcp(target.tcpPort, localAddress) : RawClient.ws(target.wsUrl, transport === 'ws-json', localAddress);
  }

  static ws(url: string, json = false, localAddress?: string): Promise<RawClient> {
    const ws = new WebSocket(url, json ? SUBPROTOCOL_JSON : SUBPROTOCOL_PROTO, localAddress ? { localAddress } : {});
    ws.binaryType = 'nodebuffer';
    const client = new RawClient((b) => ws.send(b), () => ws.close());
    ws.on('message', (data: Buffer, isBinary) => {
      if (!isBinary) return client.receive(frameFromJson(data.toString('utf8')), json);
      for (const body of splitFrames(data, 1 << 24)) client.receive(decodeFrame(body), json);
    });
    ws.on('close', (code) => client.closed(code));
    ws.on('error', () => undefined);
    (client as { json: boolean }).json = json;
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(client));
      ws.once('error', reject);
    });
  }

  static tcp(port: number, localAddress?: string): Promise<RawClient> {
    const socket: Socket = tcpConnect({ port, host: '127.0.0.1', localAddress, noDelay: true });
    const decoder = new FrameStreamDecoder(1 << 24);
    const client = new RawClient((b) => socket.write(b as Uint8Array), () => socket.end());
    socket.on('data', (chunk) => {
      for (const body of decoder.push(chunk)) client.receive(decodeFrame(body), false);
    });
    socket.on('close', () => client.closed(client.lastKickCode ?? 1006));
    socket.on('error', () => undefined);
    return new Promise((resolve, reject) => {
      socket.once('connect', () => resolve(client));
      socket.once('error', reject);
    });
  }

  readonly json: boolean = false;
  private lastKickCode: number | null = null;

  /** Send a request and wait for the reply with the same id. */
  request(body: Body, timeoutMs = 10_000): Promise<Frame> {
    const id = this.nextId++;
    const reply = this.waitForNext((f) => f.id === id, timeoutMs);
    this.send({ id, body });
    return reply;
  }

  send(f: FrameInit): void {
    const bytes = encodeFrame(f);
    if (this.json) this.sendBytes(frameToJson(decodeFrame(bytes)));
    else this.sendBytes(withLengthPrefix(bytes));
  }

  sendRaw(bytes: Uint8Array | string): void {
    this.sendBytes(bytes);
  }

  /** The first frame already received, or the next to arrive, that matches. */
  waitFor(match: (f: Frame) => boolean, timeoutMs = 10_000): Promise<Frame> {
    const seen = this.frames.find(match);
    if (seen) return Promise.resolve(seen);
    return this.waitForNext(match, timeoutMs);
  }

  waitForNext(match: (f: Frame) => boolean, timeoutMs = 10_000): Promise<Frame> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w.resolve !== done);
        reject(new Error(`timed out waiting for a frame (got ${this.frames.map((f) => f.body.case).join(',')})`));
      }, timeoutMs);
      const done = (f: Frame) => {
        clearTimeout(timer);
        resolve(f);
      };
      this.waiters.push({ match, resolve: done });
    });
  }

  /** Pushes received so far (optionally for one conversation). */
  pushes(conversationId?: string): Frame[] {
    return this.frames.filter((f) => f.body.case === 'push' && (!conversationId || f.body.value.message?.conversationId === conversationId));
  }

  async waitForPushes(n: number, conversationId?: string, timeoutMs = 10_000): Promise<Frame[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.pushes(conversationId).length < n) {
      if (Date.now() > deadline) throw new Error(`expected ${n} pushes, got ${this.pushes(conversationId).length}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    return this.pushes(conversationId);
  }

  waitClosed(timeoutMs = 10_000): Promise<number> {
    if (this.closeCode !== null) return Promise.resolve(this.closeCode);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('connection did not close')), timeoutMs);
      this.closeWaiters.push((c) => {
        clearTimeout(t);
        resolve(c);
      });
    });
  }

  close(): void {
    this.end();
  }

  private receive(f: Frame, _json: boolean): void {
    this.frames.push(f);
    if (f.body.case === 'kicked') this.lastKickCode = f.body.value.closeCode;
    if (this.autoAck && f.body.case === 'push' && f.body.value.syncSeq > 0) {
      this.send({ body: { case: 'pushAck', value: { syncSeq: f.body.value.syncSeq } } });
    } else if (this.autoAck && f.body.case === 'push' && f.body.value.message) {
      // Read fan-out (large groups): acked by message id, as the SDK does.
      this.send({ body: { case: 'pushAck', value: { messageIds: [f.body.value.message.id] } } });
    }
    const matched = this.waiters.filter((w) => w.match(f));
    this.waiters = this.waiters.filter((w) => !w.match(f));
    for (const w of matched) w.resolve(f);
  }

  private closed(code: number): void {
    this.closeCode = code;
    for (const w of this.closeWaiters) w(code);
    this.closeWaiters = [];
  }
}

export interface Account {
  readonly userId: string;
  readonly username: string;
  readonly password: string;
  /** The user's app (ADR 0013); absent = `default`. */
  readonly appId?: string;
}

export interface Login {
  readonly userId: string;
  readonly deviceId: string;
  readonly accessToken: string;
  readonly refreshToken: string;
}

export async function postJson(httpUrl: string, path: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(httpUrl + path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

let seq = 0;
/** Registers a fresh user (in `appId`'s app when given: ADR 0013). */
export async function register(httpUrl: string, prefix = 'user', appId?: string): Promise<Account> {
  const username = `${prefix}${process.pid}${Date.now() % 100000}${seq++}`.toLowerCase().slice(0, 32);
  const password = 'correct horse battery';
  const r = await postJson(httpUrl, '/v1/register', { username, password, ...(appId ? { appId } : {}) });
  if (r.status !== 201) throw new Error(`register failed: ${JSON.stringify(r.json)}`);
  return { userId: String(r.json.userId), username, password, ...(appId ? { appId } : {}) };
}

export async function login(httpUrl: string, a: Account, deviceId: string, platform = 'other'): Promise<Login> {
  const r = await postJson(httpUrl, '/v1/login', { username: a.username, password: a.password, deviceId, platform, ...(a.appId ? { appId: a.appId } : {}) });
  if (r.status !== 200) throw new Error(`login failed: ${JSON.stringify(r.json)}`);
  return r.json as unknown as Login;
}

/** Connect and authenticate one device. */
export async function device(node: { httpUrl: string; wsUrl: string; tcpPort: number }, a: Account, deviceId: string, transport: Transport = 'ws'): Promise<RawClient> {
  const l = await login(node.httpUrl, a, deviceId);
  const c = await RawClient.connect(transport, node);
  const ok = await c.request({ case: 'auth', value: { token: l.accessToken } });
  if (ok.body.case !== 'authOk') throw new Error(`auth failed: ${JSON.stringify(ok.body.value)}`);
  return c;
}

export function text(t: string) {
  return { kind: { case: 'text' as const, value: { text: t } } };
}
