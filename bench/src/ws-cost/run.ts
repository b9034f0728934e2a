/**
 * ws-cost: server CPU per 1:1 message for each way of moving W1's frames
 * through a socket (variants in ./server.ts), over real loopback sockets.
 * The server runs pinned to CPU 0 (taskset), this process (the clients) should
 * run on CPU 1: `taskset -c 1 node ...`. W1's shape: --pairs pairs, the `a`
 * end of each sends at a total of --rate messages/s (paced every 2 ms); each
 * message costs the server one frame read (the Send), two frame writes (ack,
 * push) and, every 50 ms per receiver, one more read (a PushAck).
 * CPU per message is the server's utime + stime (/proc/<pid>/stat) over the
 * measured seconds divided by the acks received in them. Variants run in
 * turn, --rounds times, so drift hits them alike.
 *
 *   taskset -c 1 node --conditions=@xinbox/source --import tsx bench/src/ws-cost/run.ts \
 *     [--variants ws,ws-oneframe,lean,tcp] [--rate 12000] [--pairs 500] [--seconds 8] [--rounds 2] [--client ws|lean] [--work 40]
 *
 * --work N: the server spins N µs per Send, standing in for Xinbox's own
 * logic. Without it the server idles between messages, and the cost of going
 * to sleep and being woken (per message at low load) swamps the framing; with
 * it the loop is as busy as a loaded server's, where one wake-up serves many
 * sockets. The work is subtracted in the 'minus work' column.
 *
 * --client lean: the clients frame by hand (masked binary frames written with
 * one socket.write) instead of through `ws`, to see whether the load
 * generator's own framing limits the measurement.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';
import { FrameStreamDecoder, Limits } from '@xinbox/protocol';
import { VARIANTS, type Variant } from './variants.js';

const arg = (name: string, dflt: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : dflt;
};
const variants = arg('variants', VARIANTS.join(',')).split(',') as Variant[];
const RATE = Number(arg('rate', '12000'));
const PAIRS = Number(arg('pairs', '500'));
const SECONDS = Number(arg('seconds', '8'));
const ROUNDS = Number(arg('rounds', '2'));
const WARMUP_S = Number(arg('warmup', '3'));
const CLIENT = arg('client', 'ws');
const WORK_US = Number(arg('work', '0'));
const SEND_BYTES = 72;
const TICK = Number(process.env.CLK_TCK ?? 100);

interface Client {
  send(body: Buffer): void;
  close(): void;
}

let acks = 0;
let pushes = 0;

function cpuTicks(pid: number | 'self'): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(f[11]) + Number(f[12]); // utime, stime (fields 14, 15)
}
function cpuSplit(pid: number): [number, number] {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return [Number(f[11]), Number(f[12])];
}

/** Count whole length-prefixed frames in a binary message (each is an ack or a push). */
function countFrames(buf: Buffer): number {
  let n = 0;
  for (let at = 0; at + 4 <= buf.length; at += 4 + buf.readUInt32BE(at)) n++;
  return n;
}

function prefixed(body: Buffer): Buffer {
  const out = Buffer.allocUnsafe(4 + body.length);
  out.writeUInt32BE(body.length, 0);
  body.copy(out, 4);
  return out;
}

/** A hand-framed client: masked binary frames, one socket.write each; reads only counts frames. */
function leanClient(port: number, path: string, onFrames: (n: number) => void): Promise<Client> {
  return new Promise((resolve, reject) => {
    const socket: Socket = connect(port, '127.0.0.1');
    socket.setNoDelay(true);
    const key = randomBytes(16).toString('base64');
    socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`);
    let handshake = true;
    let rest: Buffer = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      let buf: Buffer = rest.length ? Buffer.concat([rest, chunk]) : chunk;
      if (handshake) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) {
          rest = buf;
          return;
        }
        handshake = false;
        buf = buf.subarray(end + 4);
        resolve(client);
      }
      let at = 0;
      while (buf.length - at >= 2) {
        const l7 = buf[at + 1]! & 0x7f;
        const h = l7 < 126 ? 2 : l7 === 126 ? 4 : 10;
        if (buf.length - at < h) break;
        const len = l7 < 126 ? l7 : l7 === 126 ? buf.readUInt16BE(at + 2) : buf.readUInt32BE(at + 6);
        if (buf.length - at < h + len) break;
        onFrames(countFrames(buf.subarray(at + h, at + h + len)));
        at += h + len;
      }
      rest = buf.subarray(at);
    });
    socket.on('error', reject);
    const mask = randomBytes(4);
    const client: Client = {
      send(body) {
        const n = 4 + body.length;
        const out = Buffer.allocUnsafe(6 + n + (n >= 126 ? 2 : 0));
        let h = 2;
        out[0] = 0x82;
        if (n < 126) out[1] = 0x80 | n;
        else {
          out[1] = 0x80 | 126;
          out.writeUInt16BE(n, 2);
          h = 4;
        }
        mask.copy(out, h);
        h += 4;
        out.writeUInt32BE(body.length, h);
        body.copy(out, h + 4);
        for (let i = 0; i < n; i++) out[h + i] = out[h + i]! ^ mask[i & 3]!;
        socket.write(out);
      },
      close: () => socket.destroy(),
    };
  });
}

async function wsClient(port: number, path: string, onFrames: (n: number) => void): Promise<Client> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`, { perMessageDeflate: false, maxPayload: Limits.maxFrameBytes * 256 });
  ws.binaryType = 'nodebuffer';
  ws.on('message', (d: Buffer) => onFrames(countFrames(d)));
  ws.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return { send: (body) => ws.send(prefixed(body)), close: () => ws.terminate() };
}

async function tcpClient(port: number, pair: number, role: string, onFrames: (n: number) => void): Promise<Client> {
  const socket = connect(port, '127.0.0.1');
  socket.setNoDelay(true);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  const decoder = new FrameStreamDecoder(Limits.maxFrameBytes);
  socket.on('data', (chunk: Buffer) => onFrames(decoder.push(chunk).length));
  socket.write(prefixed(Buffer.from(`${pair},${role}`, 'latin1')));
  return { send: (body) => void socket.write(prefixed(body)), close: () => socket.destroy() };
}

function startServer(variant: Variant): Promise<{ child: ChildProcess; port: number }> {
  // WS_COST_SERVER_NODE_ARGS: extra node flags for the server (e.g. --perf-basic-prof for perf).
  const extra = (process.env.WS_COST_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn('taskset', ['-c', '0', process.execPath, ...extra, '--conditions=@xinbox/source', '--import', 'tsx', new URL('./server.ts', import.meta.url).pathname, variant, '0', String(WORK_US)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      const m = /ready (\d+)/.exec(d.toString());
      if (m) resolve({ child, port: Number(m[1]) });
    });
    child.once('exit', (code) => reject(new Error(`server exited ${code}`)));
  });
}

async function runOne(variant: Variant): Promise<string> {
  const { child, port } = await startServer(variant);
  const senders: Client[] = [];
  const receivers: Client[] = [];
  const recvPushes = new Array<number>(PAIRS).fill(0);
  for (let p = 0; p < PAIRS; p++) {
    const mk = (role: string, onFrames: (n: number) => void): Promise<Client> => {
      if (variant === 'tcp') return tcpClient(port, p, role, onFrames);
      const path = `/ws?pair=${p}&role=${role}`;
      return CLIENT === 'lean' ? leanClient(port, path, onFrames) : wsClient(port, path, onFrames);
    };
    receivers.push(await mk('b', (n) => {
      pushes += n;
      recvPushes[p]! += n;
    }));
    senders.push(await mk('a', (n) => (acks += n)));
  }
  const body = randomBytes(SEND_BYTES);
  let next = 0;
  const start = performance.now();
  let sent = 0;
  const pace = setInterval(() => {
    const due = Math.floor(((performance.now() - start) / 1000) * RATE);
    for (; sent < due; sent++) {
      body.writeUInt32BE(sent, 0);
      senders[next]!.send(body);
      next = next === PAIRS - 1 ? 0 : next + 1;
    }
  }, 2);
  // Receivers' cumulative PushAcks: one small frame per 50 ms when something arrived.
  const ackBody = randomBytes(12);
  const acked = new Array<number>(PAIRS).fill(0);
  const ackTimer = setInterval(() => {
    for (let p = 0; p < PAIRS; p++) {
      if (recvPushes[p] === acked[p]) continue;
      acked[p] = recvPushes[p]!;
      receivers[p]!.send(ackBody);
    }
  }, 50);
  await new Promise((r) => setTimeout(r, WARMUP_S * 1000));
  const a0 = acks;
  const p0 = pushes;
  const s0 = cpuSplit(child.pid!);
  const c0 = cpuTicks('self');
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, SECONDS * 1000));
  const s1 = cpuSplit(child.pid!);
  const c1 = cpuTicks('self');
  const t1 = performance.now();
  const n = acks - a0;
  const np = pushes - p0;
  clearInterval(pace);
  clearInterval(ackTimer);
  const secs = (t1 - t0) / 1000;
  const us = (ticks: number): number => ((ticks / TICK) * 1e6) / n;
  const line = [
    variant.padEnd(12),
    `${Math.round(n / secs)}/s acked`.padStart(14),
    `${Math.round(np / secs)}/s pushed`.padStart(15),
    `server user ${us(s1[0] - s0[0]).toFixed(1)}`,
    `sys ${us(s1[1] - s0[1]).toFixed(1)}`,
    `total ${us(s1[0] + s1[1] - s0[0] - s0[1]).toFixed(1)} µs/msg`,
    `minus work ${(us(s1[0] + s1[1] - s0[0] - s0[1]) - WORK_US).toFixed(1)}`,
    `(${((((s1[0] + s1[1] - s0[0] - s0[1]) / TICK) / secs) * 100).toFixed(0)} % core)`,
    `client ${us(c1 - c0).toFixed(1)} µs/msg (${((((c1 - c0) / TICK) / secs) * 100).toFixed(0)} % core)`,
  ].join('  ');
  for (const c of [...senders, ...receivers]) c.close();
  child.kill();
  await new Promise((r) => child.once('exit', r));
  return line;
}

console.log(`ws-cost: ${PAIRS} pairs, ${RATE}/s, ${SEND_BYTES}-byte sends, ${WORK_US} µs work per send, ${WARMUP_S}+${SECONDS} s, client ${CLIENT}, ${new Date().toISOString()}`);
for (let r = 0; r < ROUNDS; r++) for (const v of variants) console.log(await runOne(v));
