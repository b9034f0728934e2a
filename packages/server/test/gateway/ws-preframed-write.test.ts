/**
 * The WebSocket connection writes its binary messages pre-framed, around
 * `ws`'s Sender. Over real sockets: the bytes and their order against the
 * control frames `ws` still sends (ping, close), the outbound bound and the
 * slow-consumer close, messages above 64 KiB, and the fallback to ws.send when
 * deflate is negotiated or the Sender is busy. Also pins the `ws` internals
 * the bypass reads, so a `ws` upgrade that changes them fails here.
 */
import { createServer, type Server } from 'node:http';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { CloseCodes, decodeFrame, splitFrames, type Frame } from '@xinbox/protocol';
import type { Connection, ConnectionLimits, FlushSink } from '../../src/gateway/connection.js';
import { WsConnection, type WsSenderState } from '../../src/gateway/ws-connection.js';
import { WsWireClient } from '../support/ws-wire-client.js';

const OP = { BIN: 2, CLOSE: 8, PING: 9 };
const BIG = 1 << 24;

const limits = (maxOutboundBytes = 1 << 20): ConnectionLimits => ({
  maxOutboundBytes,
  maxOutboundFrames: 100_000,
  maxUnackedPushes: 100,
  pushRetryBaseMs: 60_000,
  pushRetries: 0,
  closeGraceMs: 2_000,
});
/** The test flushes by hand, so the scheduler needs to do nothing. */
const sink: FlushSink = { markDirty: (_c: Connection) => undefined, markRetry: (_c: Connection) => undefined };

/** A length-prefixed frame with an `n`-byte body of random bytes (the framing does not look inside). */
function frameOf(n: number): Uint8Array {
  const f = new Uint8Array(4 + n);
  new DataView(f.buffer).setUint32(0, n);
  f.set(randomBytes(n), 4);
  return f;
}

const concat = (parts: Uint8Array[]): Buffer => Buffer.concat(parts);
const senderOf = (ws: WebSocket): WsSenderState => (ws as unknown as { _sender: WsSenderState })._sender;

interface Side {
  conn: WsConnection;
  ws: WebSocket;
}

/** A `ws` server handing each connection to a WsConnection, as the gateway does. */
class Harness {
  private http!: Server;
  private wss!: WebSocketServer;
  private waiting: Array<(s: Side) => void> = [];
  url = '';

  async start(perMessageDeflate: false | object, maxOutboundBytes?: number): Promise<void> {
    this.http = createServer();
    // The gateway's WebSocketServer options for deflate (gateway.ts).
    this.wss = new WebSocketServer({ server: this.http, maxPayload: BIG, perMessageDeflate });
    let id = 1;
    this.wss.on('connection', (ws) => {
      ws.on('error', () => undefined);
      const conn = new WsConnection(id++, ws, false, '127.0.0.1', sink, limits(maxOutboundBytes), Date.now());
      this.waiting.shift()?.({ conn, ws });
    });
    await new Promise<void>((r) => this.http.listen(0, '127.0.0.1', r));
    this.url = `ws://127.0.0.1:${(this.http.address() as { port: number }).port}/`;
  }

  /** The server side of the next connection. */
  next(): Promise<Side> {
    return new Promise((r) => this.waiting.push(r));
  }

  async stop(): Promise<void> {
    for (const c of this.wss.clients) c.terminate();
    this.wss.close();
    await new Promise((r) => this.http.close(r));
  }
}

/** A `ws` client collecting whole binary messages. */
async function wsClient(url: string, perMessageDeflate = false): Promise<{ ws: WebSocket; messages: Buffer[]; closed: Promise<number> }> {
  const ws = new WebSocket(url, { perMessageDeflate, maxPayload: BIG });
  const messages: Buffer[] = [];
  ws.on('message', (d: Buffer) => messages.push(d));
  const closed = new Promise<number>((r) => ws.once('close', (code) => r(code)));
  await new Promise((r, j) => {
    ws.once('open', r);
    ws.once('error', j);
  });
  return { ws, messages, closed };
}

async function until(done: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('pre-framed binary writes (no deflate)', () => {
  const h = new Harness();
  const cleanup: Array<() => void> = [];
  beforeAll(() => h.start(false));
  afterEach(() => {
    for (const c of cleanup.splice(0)) c();
  });
  afterAll(() => h.stop());

  it('are taken on a plain connection; the ws internals they read are the reviewed ones', async () => {
    const side = h.next();
    const c = await wsClient(h.url);
    cleanup.push(() => c.ws.terminate());
    const { conn, ws } = await side;
    expect(conn.preFramesWrites).toBe(true);
    // Reviewed against ws 8 (lib/sender.js): a major upgrade must be re-read before it is trusted.
    const pkg = JSON.parse(readFileSync(createRequire(import.meta.url).resolve('ws/package.json'), 'utf8')) as { version: string };
    expect(pkg.version.split('.')[0]).toBe('8');
    const s = senderOf(ws);
    expect(s._socket).toBe((ws as unknown as { _socket: unknown })._socket);
    expect([s._state, s._queue.length, s._firstFragment]).toEqual([0, 0, true]);
    // `_state` leaves 0 while the Sender works asynchronously (here: reading a Blob) and queues behind it.
    ws.ping(new Blob([Buffer.from('blob')]));
    ws.send(Buffer.from('queued'));
    expect(s._state).not.toBe(0);
    expect(s._queue.length).toBe(1);
    await until(() => s._state === 0 && s._queue.length === 0, 'the Sender to go idle');
    // bufferedAmount is the socket's writable buffer (plus the Sender's queue): pre-framed writes count in it.
    const socket = (ws as unknown as { _socket: { writableLength: number } })._socket;
    expect(ws.bufferedAmount).toBe(socket.writableLength);
  });

  it('interleave with ws pings and the close frame in call order, and read back byte for byte', async () => {
    const side = h.next();
    const c = await WsWireClient.open(h.url, []);
    cleanup.push(() => c.destroy());
    const { conn, ws } = await side;
    const sent: Buffer[] = [];
    const flush = (sizes: number[]): void => {
      const fs = sizes.map(frameOf);
      sent.push(concat(fs));
      for (const f of fs) conn.enqueueReply(f);
      conn.flush();
    };
    flush([10]);
    ws.ping(Buffer.from('p1'));
    flush([100, 20_000, 3]);
    ws.ping(Buffer.from('p2'));
    flush([70_000]);
    flush([0]);
    conn.close(CloseCodes.DRAINING, 'bye');
    const closed = await c.closedWith();
    expect(closed.code).toBe(CloseCodes.DRAINING.code);
    expect(c.frames.map((f) => f.opcode)).toEqual([OP.BIN, OP.PING, OP.BIN, OP.PING, OP.BIN, OP.BIN, OP.BIN, OP.CLOSE]);
    expect(c.frames.every((f) => f.fin && !f.masked)).toBe(true);
    const bins = c.frames.filter((f) => f.opcode === OP.BIN).map((f) => f.payload);
    expect(bins.slice(0, 4).map((b, i) => b.equals(sent[i]!))).toEqual([true, true, true, true]);
    const kicked = decodeFrame(splitFrames(bins[4]!, BIG)[0]!) as Frame;
    expect(kicked.body.case).toBe('kicked');
    expect(c.frames.filter((f) => f.opcode === OP.PING).map((f) => f.payload.toString())).toEqual(['p1', 'p2']);
  });

  it('carry messages above 64 KiB (16- and 64-bit lengths) that a ws client reads intact', async () => {
    const side = h.next();
    const c = await wsClient(h.url);
    cleanup.push(() => c.ws.terminate());
    const { conn } = await side;
    const sent: Buffer[] = [];
    for (const sizes of [[65_531], [65_532], [65_533], [40_000, 40_000], Array.from({ length: 300 }, (_, i) => 1_000 + i)]) {
      const fs = sizes.map(frameOf);
      sent.push(concat(fs));
      for (const f of fs) conn.enqueueReply(f);
      conn.flush();
    }
    // 65,531-byte body + 4-byte prefix = 65,535 (16-bit form); +1, +2 cross into the 64-bit form.
    expect(sent.map((s) => s.length).slice(0, 3)).toEqual([65_535, 65_536, 65_537]);
    await until(() => c.messages.length === sent.length, 'all messages');
    expect(c.messages.map((m, i) => m.equals(sent[i]!))).toEqual(sent.map(() => true));
  });

  it('fall back to ws.send while the Sender is busy, keeping the order', async () => {
    const side = h.next();
    const c = await WsWireClient.open(h.url, []);
    cleanup.push(() => c.destroy());
    const { conn, ws } = await side;
    const a = frameOf(50);
    const b = frameOf(60);
    // A Blob ping keeps the Sender busy until the Blob is read: a direct write now would overtake it.
    ws.ping(new Blob([Buffer.from('blob ping')]));
    conn.enqueueReply(a);
    conn.flush();
    expect(senderOf(ws)._queue.length).toBe(1); // the message queued behind the ping, inside ws
    await until(() => senderOf(ws)._state === 0, 'the Sender to go idle');
    conn.enqueueReply(b);
    conn.flush();
    await c.until(() => c.frames.length === 3);
    expect(c.frames.map((f) => f.opcode)).toEqual([OP.PING, OP.BIN, OP.BIN]);
    expect(c.frames[0]!.payload.toString()).toBe('blob ping');
    expect(c.frames[1]!.payload.equals(Buffer.from(a))).toBe(true);
    expect(c.frames[2]!.payload.equals(Buffer.from(b))).toBe(true);
  });
});

describe('slow consumer at the outbound bound', () => {
  const BOUND = 256 * 1024;
  const h = new Harness();
  beforeAll(() => h.start(false, BOUND));
  afterAll(() => h.stop());

  it('counts pre-framed writes in bufferedAmount and closes 4005 when queued + buffered passes the bound', async () => {
    const side = h.next();
    const c = await wsClient(h.url);
    const { conn, ws } = await side;
    const socket = (ws as unknown as { _socket: { writableLength: number } })._socket;
    // The client stops reading: the kernel buffers fill, then the socket's writable buffer grows.
    (c.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    const BODY = 8 * 1024;
    let grewExactly = 0;
    for (let i = 0; i < 10_000; i++) {
      const f = frameOf(BODY);
      const before = ws.bufferedAmount;
      const mustClose = f.length + before > BOUND;
      conn.enqueue(f);
      if (mustClose) {
        expect(conn.state).toBe('closed');
        break;
      }
      expect(conn.state).not.toBe('closed');
      conn.flush();
      expect(ws.bufferedAmount).toBe(socket.writableLength);
      // Once the kernel takes nothing more, each message adds exactly its header and payload, as through ws.send.
      if (before > 0) {
        expect(ws.bufferedAmount - before).toBe(4 + f.length);
        grewExactly++;
      }
      // Let the kernel take what it will, so the buffer fills the way it does under real load.
      if (i % 8 === 0) await new Promise((r) => setImmediate(r));
    }
    expect(conn.state).toBe('closed');
    expect(grewExactly).toBeGreaterThan(0);
    (c.ws as unknown as { _socket: { resume(): void } })._socket.resume();
    expect(await c.closed).toBe(CloseCodes.SLOW_CONSUMER.code);
    // The Kicked notice went out last, after what was buffered.
    const last = decodeFrame(splitFrames(c.messages.at(-1)!, BIG)[0]!) as Frame;
    expect(last.body.case).toBe('kicked');
    c.ws.terminate();
  });
});

describe('with permessage-deflate negotiated', () => {
  const h = new Harness();
  // As the gateway configures it when wsPerMessageDeflate is on.
  beforeAll(() => h.start({ threshold: 256, serverNoContextTakeover: false }));
  afterAll(() => h.stop());

  it('sends through ws.send, so binary messages are compressed and read intact', async () => {
    const side = h.next();
    const c = await wsClient(h.url, true);
    const { conn, ws } = await side;
    expect(ws.extensions).toContain('permessage-deflate');
    expect(conn.preFramesWrites).toBe(false);
    const body = Buffer.from('compressible '.repeat(10_000));
    const f = new Uint8Array(4 + body.length);
    new DataView(f.buffer).setUint32(0, body.length);
    f.set(body, 4);
    conn.enqueueReply(f);
    conn.flush();
    await until(() => c.messages.length === 1, 'the message');
    expect(c.messages[0]!.equals(Buffer.from(f))).toBe(true);
    // Compressed on the wire: far fewer bytes than the message (a pre-framed write would send it all).
    const read = (c.ws as unknown as { _socket: { bytesRead: number } })._socket.bytesRead;
    expect(read).toBeLessThan(f.length / 10);
    c.ws.terminate();
  });

  it('keeps pre-framing connections whose client declined deflate', async () => {
    const side = h.next();
    const c = await wsClient(h.url, false);
    const { conn } = await side;
    expect(conn.preFramesWrites).toBe(true);
    c.ws.terminate();
  });
});
