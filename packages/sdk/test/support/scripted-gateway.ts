/**
 * A tiny scripted gateway for connection-level tests: real WebSocket (both
 * subprotocols) and TCP listeners that decode client frames and hand them to
 * a test-provided script, which answers through the session. It lets tests
 * produce situations the real server rarely does on demand (silence, kicks
 * with any code, replies out of order, garbage bytes).
 */
import { createServer, type Server, type Socket } from 'node:net';
import {
  FrameStreamDecoder,
  Limits,
  SUBPROTOCOL_JSON,
  SUBPROTOCOL_PROTO,
  decodeFrame,
  encodeFrame,
  frame,
  frameFromJson,
  frameToJson,
  joinChunks,
  splitFrames,
  withLengthPrefix,
  type Frame,
  type FrameInit,
} from '@xinbox/protocol';
import { WebSocketServer, type WebSocket } from 'ws';

export interface ScriptedSession {
  readonly transport: 'ws-proto' | 'ws-json' | 'tcp';
  /** Every frame received, in order. */
  readonly received: Frame[];
  /** Client WebSocket messages (or TCP chunks) and how many frames each held. */
  readonly messageFrameCounts: number[];
  /** Sends frames; for ws-proto and tcp all in one message / one write. */
  send(...frames: FrameInit[]): void;
  sendRaw(data: Uint8Array | string): void;
  /** Close with a WebSocket code (TCP: just end). */
  close(code?: number, reason?: string): void;
  /** Kicked frame, then close with the same code. */
  kick(code: number, reason?: string): void;
  readonly closed: Promise<void>;
}

export type Script = (s: ScriptedSession, f: Frame) => void;

/** Answers Auth with AuthOk and Ping with Pong; returns true when it handled the frame. */
export function autoSession(s: ScriptedSession, f: Frame, authOk: { pingIntervalMs?: number; heartbeatTimeoutMs?: number } = {}): boolean {
  if (f.body.case === 'auth') {
    s.send({
      id: f.id,
      body: { case: 'authOk', value: { userId: '7', deviceId: 'd', serverTime: Date.now(), pingIntervalMs: authOk.pingIntervalMs ?? 25_000, heartbeatTimeoutMs: authOk.heartbeatTimeoutMs ?? 60_000, syncSeq: 0, nodeId: 'scripted' } },
    });
    return true;
  }
  if (f.body.case === 'ping') {
    s.send({ id: f.id, body: { case: 'pong', value: { serverTime: Date.now() } } });
    return true;
  }
  return false;
}

export interface ScriptedGateway {
  readonly wsUrl: string;
  readonly tcpPort: number;
  readonly sessions: ScriptedSession[];
  script: Script;
  stop(): Promise<void>;
}

export async function startScriptedGateway(script: Script): Promise<ScriptedGateway> {
  const sessions: ScriptedSession[] = [];
  const wss = new WebSocketServer({
    port: 0,
    host: '127.0.0.1',
    handleProtocols: (p) => (p.has(SUBPROTOCOL_PROTO) ? SUBPROTOCOL_PROTO : p.has(SUBPROTOCOL_JSON) ? SUBPROTOCOL_JSON : false),
  });
  await new Promise<void>((r) => wss.once('listening', () => r()));
  const gw: ScriptedGateway = {
    wsUrl: `ws://127.0.0.1:${(wss.address() as { port: number }).port}/ws`,
    tcpPort: 0,
    sessions,
    script,
    stop: async () => {
      for (const c of wss.clients) c.terminate();
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => wss.close(() => r()));
      await new Promise<void>((r) => tcp.close(() => r()));
    },
  };

  wss.on('connection', (ws: WebSocket) => {
    const json = ws.protocol === SUBPROTOCOL_JSON;
    let done!: () => void;
    const closed = new Promise<void>((r) => (done = r));
    const s: ScriptedSession = {
      transport: json ? 'ws-json' : 'ws-proto',
      received: [],
      messageFrameCounts: [],
      send: (...frames) => {
        if (json) for (const f of frames) ws.send(frameToJson(frame(f)));
        else ws.send(joinChunks(frames.map((f) => withLengthPrefix(encodeFrame(f)))));
      },
      sendRaw: (d) => ws.send(d),
      close: (code = 1000, reason = '') => ws.close(code, reason),
      kick: (code, reason = 'kicked') => {
        s.send({ body: { case: 'kicked', value: { closeCode: code, reason } } });
        ws.close(code, reason);
      },
      closed,
    };
    sessions.push(s);
    ws.on('close', () => done());
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      const frames = isBinary ? splitFrames(new Uint8Array(data), Limits.maxFrameBytes).map(decodeFrame) : [frameFromJson(data.toString('utf8'))];
      s.messageFrameCounts.push(frames.length);
      for (const f of frames) {
        s.received.push(f);
        gw.script(s, f);
      }
    });
  });

  const sockets = new Set<Socket>();
  const tcp: Server = createServer((sock) => {
    sockets.add(sock);
    const decoder = new FrameStreamDecoder(Limits.maxFrameBytes);
    let done!: () => void;
    const closed = new Promise<void>((r) => (done = r));
    const s: ScriptedSession = {
      transport: 'tcp',
      received: [],
      messageFrameCounts: [],
      send: (...frames) => void sock.write(joinChunks(frames.map((f) => withLengthPrefix(encodeFrame(f))))),
      sendRaw: (d) => void sock.write(d),
      close: () => void sock.end(),
      kick: (code, reason = 'kicked') => {
        s.send({ body: { case: 'kicked', value: { closeCode: code, reason } } });
        sock.end();
      },
      closed,
    };
    sessions.push(s);
    sock.on('close', () => {
      sockets.delete(sock);
      done();
    });
    sock.on('error', () => undefined);
    sock.on('data', (chunk: Buffer) => {
      const frames = decoder.push(new Uint8Array(chunk)).map(decodeFrame);
      s.messageFrameCounts.push(frames.length);
      for (const f of frames) {
        s.received.push(f);
        gw.script(s, f);
      }
    });
  });
  await new Promise<void>((r) => tcp.listen(0, '127.0.0.1', () => r()));
  (gw as { tcpPort: number }).tcpPort = (tcp.address() as { port: number }).port;
  return gw;
}
