/**
 * The server half of ws-cost (see ./run.ts): W1's socket work with no IM
 * logic. Each connection is one end of a pair (?pair=N&role=a|b). A frame
 * from `a` (a length-prefixed "Send") is answered with an ack to `a` and a
 * push to `b`; frames from `b` (its cumulative PushAcks) are read and
 * dropped. Outbound frames are queued and flushed once per event-loop turn
 * as one joined buffer, as the gateway does (flush-scheduler.ts). Only how
 * the bytes cross the socket differs between variants:
 *  - ws: the `ws` library as the gateway uses it (ws.send of the joined buffer);
 *  - ws-oneframe: `ws` reads; the server writes one pre-framed buffer
 *    (WebSocket header reserved in front of the joined frames) with one socket.write;
 *  - lean: a lean RFC 6455 server framer of our own (./lean-ws.ts) over the upgraded socket;
 *  - tcp: the gateway's raw TCP transport (length-prefixed frames, no WebSocket), the floor.
 *
 *   node --conditions=@xinbox/source --import tsx bench/src/ws-cost/server.ts <variant> <port> [<work µs per Send>]
 */
import { createServer, type IncomingMessage } from 'node:http';
import { createServer as createTcpServer, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { FrameStreamDecoder, joinChunks, Limits, splitFrames } from '@xinbox/protocol';
import { LeanWebSocket, acceptLeanUpgrade } from './lean-ws.js';
import { VARIANTS, type Variant } from './variants.js';


const ACK_BYTES = 40;
const PUSH_EXTRA = 30;

interface Peer {
  queue: Uint8Array[];
  bytes: number;
  send(frames: Uint8Array[], bytes: number): void;
  other: Peer | undefined;
}

const variant = process.argv[2] as Variant;
const port = Number(process.argv[3] ?? 0);
/** Busy work per Send (µs), standing in for Xinbox's own logic so the loop is as busy as a loaded server's. */
const workUs = Number(process.argv[4] ?? 0);
if (!VARIANTS.includes(variant)) throw new Error(`variant: one of ${VARIANTS.join(', ')}`);

const pairs = new Map<number, { a?: Peer; b?: Peer }>();
let dirty: Peer[] = [];
let scheduled = false;
const flushAll = (): void => {
  scheduled = false;
  const list = dirty;
  dirty = [];
  for (const p of list) {
    const q = p.queue;
    p.queue = [];
    const n = p.bytes;
    p.bytes = 0;
    p.send(q, n);
  }
};
const enqueue = (p: Peer, frame: Uint8Array): void => {
  if (p.queue.length === 0) {
    dirty.push(p);
    if (!scheduled) {
      scheduled = true;
      setImmediate(flushAll);
    }
  }
  p.queue.push(frame);
  p.bytes += frame.length;
};

/** A "Send" body: ack it to the sender (echoing its first 8 bytes) and push it, a little longer, to the peer. */
const onSend = (p: Peer, body: Uint8Array): void => {
  if (workUs > 0) {
    const until = performance.now() + workUs / 1000;
    while (performance.now() < until);
  }
  const ack = new Uint8Array(4 + ACK_BYTES);
  new DataView(ack.buffer).setUint32(0, ACK_BYTES);
  ack.set(body.subarray(0, 8), 4);
  enqueue(p, ack);
  const other = p.other;
  if (!other) return;
  const push = new Uint8Array(4 + body.length + PUSH_EXTRA);
  new DataView(push.buffer).setUint32(0, body.length + PUSH_EXTRA);
  push.set(body, 4 + PUSH_EXTRA);
  enqueue(other, push);
};

/** Header bytes of an unmasked server frame carrying `n` bytes. */
const headerBytes = (n: number): number => (n < 126 ? 2 : n < 65536 ? 4 : 10);

function preFramed(frames: Uint8Array[], bytes: number): Buffer {
  const h = headerBytes(bytes);
  const out = Buffer.allocUnsafe(h + bytes);
  out[0] = 0x82;
  if (h === 2) out[1] = bytes;
  else if (h === 4) {
    out[1] = 126;
    out.writeUInt16BE(bytes, 2);
  } else {
    out[1] = 127;
    out.writeUInt32BE(0, 2);
    out.writeUInt32BE(bytes, 6);
  }
  let at = h;
  for (const f of frames) {
    out.set(f, at);
    at += f.length;
  }
  return out;
}

function register(url: string, send: Peer['send']): { peer: Peer; role: string } {
  const q = new URL(url, 'http://x');
  const pair = Number(q.searchParams.get('pair'));
  const role = q.searchParams.get('role') ?? 'a';
  const peer: Peer = { queue: [], bytes: 0, send, other: undefined };
  const slot = pairs.get(pair) ?? {};
  pairs.set(pair, slot);
  if (role === 'a') slot.a = peer;
  else slot.b = peer;
  if (slot.a && slot.b) slot.a.other = slot.b;
  return { peer, role };
}

const max = Limits.maxFrameBytes;

if (variant === 'tcp') {
  const server = createTcpServer({ noDelay: true }, (socket: Socket) => {
    // First frame: "pair,role" as ASCII.
    const decoder = new FrameStreamDecoder(max);
    let peer: Peer | undefined;
    let role = 'a';
    socket.on('data', (chunk: Buffer) => {
      for (const body of decoder.push(chunk)) {
        if (!peer) {
          const [pair, r] = Buffer.from(body).toString('latin1').split(',');
          ({ peer, role } = register(`/?pair=${pair}&role=${r}`, (f, n) => void socket.write(joinChunks(f, n))));
          continue;
        }
        if (role === 'a') onSend(peer, body);
      }
    });
    socket.on('error', () => socket.destroy());
  });
  server.listen(port, '127.0.0.1', () => console.log(`ready ${(server.address() as { port: number }).port}`));
} else {
  const http = createServer();
  const wss = new WebSocketServer({ noServer: true, maxPayload: max * 4, perMessageDeflate: false });
  http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (variant === 'lean') {
      const lean = acceptLeanUpgrade(req, socket as Socket, head, { maxPayload: max * 4, protocol: null });
      if (!lean) return;
      onLean(lean, req.url ?? '');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => onWs(ws, req.url ?? ''));
  });
  http.listen(port, '127.0.0.1', () => console.log(`ready ${(http.address() as { port: number }).port}`));
}

function onWs(ws: WebSocket, url: string): void {
  const sock = (ws as unknown as { _socket: Socket })._socket;
  const send: Peer['send'] = variant === 'ws-oneframe'
    ? (f, n) => void sock.write(preFramed(f, n))
    : (f, n) => ws.send(joinChunks(f, n), { binary: true });
  const { peer, role } = register(url, send);
  ws.on('message', (data: Buffer) => {
    if (role !== 'a') return;
    for (const body of splitFrames(data, max)) onSend(peer, body);
  });
  ws.on('error', () => undefined);
}

function onLean(lean: LeanWebSocket, url: string): void {
  const { peer, role } = register(url, (f, n) => lean.sendFrames(f, n));
  lean.onMessage = (data: Uint8Array) => {
    if (role !== 'a') return;
    for (const body of splitFrames(data, max)) onSend(peer, body);
  };
}
