/**
 * ws-cost's `lean` variant (bench/src/ws-cost/lean-ws.ts) must be a real
 * WebSocket endpoint, or its CPU figure means nothing: over a real socket,
 * against the `ws` client, it joins fragments, answers pings, echoes the
 * client's close code, refuses an oversized message with 1009, and writes a
 * batch of frames as one binary message.
 */
import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { acceptLeanUpgrade, type LeanWebSocket } from '../src/ws-cost/lean-ws.js';

const MAX = 1024;
let http: Server;
let url = '';

beforeAll(async () => {
  http = createServer();
  http.on('upgrade', (req, socket, head) => {
    const lean = acceptLeanUpgrade(req, socket as Socket, head, { maxPayload: MAX, protocol: null, closeTimeoutMs: 1000 });
    if (lean) echo(lean);
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', () => r()));
  url = `ws://127.0.0.1:${(http.address() as { port: number }).port}/`;
});

afterAll(async () => {
  await new Promise<void>((r) => http.close(() => r()));
});

/** Echo each message back, twice, as one batch: [len][msg][len][msg] in one binary message. */
function echo(lean: LeanWebSocket): void {
  lean.onMessage = (data) => {
    const framed = Buffer.alloc(4 + data.length);
    framed.writeUInt32BE(data.length);
    framed.set(data, 4);
    lean.sendFrames([framed, framed], framed.length * 2);
  };
}

function open(): Promise<WebSocket> {
  const ws = new WebSocket(url);
  ws.binaryType = 'nodebuffer';
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

const nextMessage = (ws: WebSocket): Promise<Buffer> => new Promise((r) => ws.once('message', (d: Buffer) => r(d)));
const closed = (ws: WebSocket): Promise<number> => new Promise((r) => ws.once('close', (code: number) => r(code)));

describe('ws-cost lean framer', () => {
  it('joins fragments, answers a ping between them, and writes a batch as one message', async () => {
    const ws = await open();
    const pong = new Promise<Buffer>((r) => ws.once('pong', (d: Buffer) => r(d)));
    const got = nextMessage(ws);
    ws.send(Buffer.from('hello '), { fin: false });
    ws.ping(Buffer.from('p1'));
    ws.send(Buffer.from('world'), { fin: true });
    expect((await pong).toString()).toBe('p1');
    const msg = await got;
    expect(msg.length).toBe(2 * (4 + 11));
    expect(msg.subarray(4, 15).toString()).toBe('hello world');
    expect(msg.subarray(19).toString()).toBe('hello world');
    const code = closed(ws);
    ws.close(4000, 'bye');
    expect(await code).toBe(4000);
  });

  it('sends 16-bit lengths', async () => {
    const ws = await open();
    const got = nextMessage(ws);
    ws.send(Buffer.alloc(500, 7));
    expect((await got).length).toBe(2 * 504);
    ws.terminate();
  });

  it('closes with 1009 on a message above maxPayload', async () => {
    const ws = await open();
    ws.on('error', () => undefined);
    const code = closed(ws);
    ws.send(Buffer.alloc(MAX + 1));
    expect(await code).toBe(1009);
  });
});
