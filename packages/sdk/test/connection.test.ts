import { CloseCodes, Errors, Limits, XinboxError, type Frame } from '@xinbox/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket as WsWebSocket } from 'ws';
import { Connection, type ConnectionOptions } from '../src/connection.js';
import { ConnectionLostError } from '../src/errors.js';
import { openTcpTransport } from '../src/transport-tcp.js';
import { openWebSocketTransport, type WebSocketConstructorLike } from '../src/transport-ws.js';
import { autoSession, startScriptedGateway, type ScriptedGateway } from './support/scripted-gateway.js';

let gw: ScriptedGateway | undefined;
afterEach(async () => {
  await gw?.stop();
  gw = undefined;
});

type Kind = 'ws-proto' | 'ws-json' | 'tcp';

function open(g: ScriptedGateway, kind: Kind, extra: Partial<ConnectionOptions> = {}, pushes: Frame[] = []) {
  return Connection.open({
    token: 'tok',
    clientVersion: 'test',
    authTimeoutMs: 2000,
    requestTimeoutMs: 2000,
    onPush: (f) => pushes.push(f),
    openTransport: (h) =>
      kind === 'tcp'
        ? openTcpTransport({ host: '127.0.0.1', port: g.tcpPort, maxFrameBytes: Limits.maxFrameBytes, connectTimeoutMs: 2000 }, h)
        : openWebSocketTransport(
            { url: g.wsUrl, subprotocol: kind === 'ws-json' ? 'json' : 'proto', maxFrameBytes: Limits.maxFrameBytes, connectTimeoutMs: 2000, WebSocket: WsWebSocket as unknown as WebSocketConstructorLike },
            h,
          ),
    ...extra,
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.each<Kind>(['ws-proto', 'ws-json', 'tcp'])('Connection over %s', (kind) => {
  it('authenticates first, then matches replies to requests by id even out of order', async () => {
    const held: Frame[] = [];
    gw = await startScriptedGateway((s, f) => {
      if (autoSession(s, f)) return;
      if (f.body.case === 'typing') held.push(f);
      if (held.length === 2) {
        // Answer the second request first.
        const [a, b] = held.splice(0);
        s.send({ id: b!.id, body: { case: 'ok', value: {} } });
        s.send({ id: a!.id, body: { case: 'error', value: { code: Errors.NOT_A_MEMBER.code, name: 'NOT_A_MEMBER', message: 'nope', retryable: false } } });
      }
    });
    const conn = await open(gw, kind);
    expect(conn.authOk.userId).toBe('7');
    const first = gw.sessions[0]!.received[0]!;
    expect(first.body.case).toBe('auth');
    expect(first.body.value).toMatchObject({ token: 'tok', clientVersion: 'test' });
    const a = conn.call({ case: 'typing', value: { conversationId: '1', typing: true } }, 'ok');
    const b = conn.call({ case: 'typing', value: { conversationId: '2', typing: true } }, 'ok');
    await expect(b).resolves.toBeDefined();
    const err = await a.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(XinboxError);
    expect(err).toMatchObject({ code: Errors.NOT_A_MEMBER.code, errorName: 'NOT_A_MEMBER', message: 'nope', retryable: false });
    const ids = gw.sessions[0]!.received.map((f) => f.id);
    expect(ids.every((id) => id > 0)).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    conn.close();
  });

  it('delivers server pushes (id 0) in order, several per message', async () => {
    gw = await startScriptedGateway((s, f) => {
      if (autoSession(s, f)) return;
      if (f.body.case === 'typing') {
        s.send(
          { id: 0, body: { case: 'typingUpdate', value: { conversationId: '1', userId: '2', typing: true } } },
          { id: f.id, body: { case: 'ok', value: {} } },
          { id: 0, body: { case: 'typingUpdate', value: { conversationId: '1', userId: '3', typing: false } } },
        );
      }
    });
    const pushes: Frame[] = [];
    const conn = await open(gw, kind, {}, pushes);
    await conn.call({ case: 'typing', value: { conversationId: '1', typing: true } }, 'ok');
    await sleep(20);
    expect(pushes.map((p) => (p.body.value as { userId: string }).userId)).toEqual(['2', '3']);
    conn.close();
  });

  it('reports the Kicked close code and fails pending requests as connection loss', async () => {
    gw = await startScriptedGateway((s, f) => {
      if (autoSession(s, f)) return;
      if (f.body.case === 'typing') s.kick(CloseCodes.REPLACED.code, 'another login');
    });
    const conn = await open(gw, kind);
    const err = await conn.call({ case: 'typing', value: { conversationId: '1', typing: true } }, 'ok').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectionLostError);
    const closed = await conn.closed;
    expect(closed.code).toBe(CloseCodes.REPLACED.code);
    expect(closed.kicked?.reason).toBe('another login');
    expect(closed.byClient).toBe(false);
  });

  it('sends pings per AuthOk and closes itself after heartbeat silence', async () => {
    let answer = true;
    gw = await startScriptedGateway((s, f) => {
      if (f.body.case === 'ping' && !answer) return;
      autoSession(s, f, { pingIntervalMs: 60, heartbeatTimeoutMs: 300 });
    });
    const conn = await open(gw, kind);
    // Two pings at 60 ms take ~120 ms; wait for them rather than a fixed sleep a busy machine can outlast.
    const pings = () => gw!.sessions[0]!.received.filter((f) => f.body.case === 'ping').length;
    for (const deadline = Date.now() + 5000; pings() < 2 && Date.now() < deadline;) await sleep(20);
    expect(pings()).toBeGreaterThanOrEqual(2);
    expect(conn.isOpen).toBe(true);
    answer = false;
    const started = Date.now();
    const closed = await Promise.race([conn.closed, sleep(5000).then(() => undefined)]);
    expect(closed?.code).toBe(CloseCodes.HEARTBEAT_TIMEOUT.code);
    expect(closed?.byClient).toBe(true);
    conn.close();
    // Closed by the 300 ms heartbeat timeout, not by the 5 s guard (slack for a busy machine).
    expect(Date.now() - started).toBeLessThan(4000);
  });

  it('times out a request that gets no reply and ignores the late reply', async () => {
    const late: Frame[] = [];
    gw = await startScriptedGateway((s, f) => {
      if (autoSession(s, f)) return;
      if (f.body.case === 'typing') late.push(f);
    });
    const pushes: Frame[] = [];
    const conn = await open(gw, kind, { requestTimeoutMs: 100 }, pushes);
    await expect(conn.call({ case: 'typing', value: { conversationId: '1', typing: true } }, 'ok')).rejects.toMatchObject({ code: Errors.TIMEOUT.code });
    // On a loaded machine the request may time out before the gateway has even read it.
    for (const deadline = Date.now() + 5000; late.length === 0 && Date.now() < deadline;) await sleep(10);
    gw.sessions[0]!.send({ id: late[0]!.id, body: { case: 'ok', value: {} } });
    await sleep(30);
    expect(pushes).toEqual([]);
    expect(conn.isOpen).toBe(true);
    conn.close();
  });

  it('refuses an oversized frame without touching the connection', async () => {
    gw = await startScriptedGateway((s, f) => {
      if (autoSession(s, f)) return;
      if (f.body.case === 'typing') s.send({ id: f.id, body: { case: 'ok', value: {} } });
    });
    const conn = await open(gw, kind);
    const huge = 'x'.repeat(Limits.maxFrameBytes + 10);
    await expect(conn.call({ case: 'send', value: { conversationId: '1', clientMsgId: 'c', content: { kind: { case: 'text', value: { text: huge } } } } }, 'sendAck')).rejects.toMatchObject({
      code: Errors.FRAME_TOO_LARGE.code,
    });
    await expect(conn.call({ case: 'typing', value: { conversationId: '1', typing: true } }, 'ok')).resolves.toBeDefined();
    conn.close();
  });

  it('rejects the open with the server error when auth fails', async () => {
    gw = await startScriptedGateway((s, f) => {
      if (f.body.case === 'auth') {
        s.send({ id: f.id, body: { case: 'error', value: { code: Errors.TOKEN_EXPIRED.code, name: 'TOKEN_EXPIRED', message: 'expired', retryable: false } } });
        s.close(CloseCodes.AUTH_FAILED.code, 'auth failed');
      }
    });
    await expect(open(gw, kind)).rejects.toMatchObject({ code: Errors.TOKEN_EXPIRED.code });
  });
});

describe('Connection framing details', () => {
  it('coalesces the frames of one tick into one WebSocket message', async () => {
    gw = await startScriptedGateway((s, f) => {
      if (autoSession(s, f)) return;
      s.send({ id: f.id, body: { case: 'ok', value: {} } });
    });
    const conn = await open(gw, 'ws-proto');
    await Promise.all([1, 2, 3].map((i) => conn.call({ case: 'typing', value: { conversationId: String(i), typing: true } }, 'ok')));
    // Auth went alone; the three requests of one tick shared a message.
    expect(gw.sessions[0]!.messageFrameCounts).toEqual([1, 3]);
    conn.close();
  });

  it('closes with PROTOCOL_ERROR on undecodable bytes from the server', async () => {
    gw = await startScriptedGateway((s, f) => {
      if (autoSession(s, f)) return;
      s.sendRaw(new Uint8Array([0, 0, 0, 3, 0xff, 0xff, 0xff]));
    });
    const conn = await open(gw, 'ws-proto');
    void conn.call({ case: 'typing', value: { conversationId: '1', typing: true } }, 'ok').catch(() => undefined);
    const closed = await conn.closed;
    expect(closed.code).toBe(CloseCodes.PROTOCOL_ERROR.code);
  });

  it('reports the WebSocket close code when no Kicked frame came', async () => {
    gw = await startScriptedGateway((s, f) => {
      if (autoSession(s, f)) return;
      s.close(CloseCodes.DRAINING.code, 'bye');
    });
    const conn = await open(gw, 'ws-proto');
    void conn.call({ case: 'typing', value: { conversationId: '1', typing: true } }, 'ok').catch(() => undefined);
    expect(await conn.closed).toMatchObject({ code: CloseCodes.DRAINING.code, reason: 'bye', kicked: undefined });
  });

  it('fails to open when the server does not accept the subprotocol', async () => {
    const { WebSocketServer } = await import('ws');
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', handleProtocols: () => false });
    await new Promise<void>((r) => wss.once('listening', () => r()));
    const url = `ws://127.0.0.1:${(wss.address() as { port: number }).port}/ws`;
    await expect(
      openWebSocketTransport(
        { url, subprotocol: 'proto', maxFrameBytes: 1000, connectTimeoutMs: 1000, WebSocket: WsWebSocket as unknown as WebSocketConstructorLike },
        { onFrame: () => undefined, onClose: () => undefined },
      ),
    ).rejects.toThrow(/subprotocol/);
    await new Promise<void>((r) => wss.close(() => r()));
  });

  it('loads the ws package by itself when no WebSocket is given or global', async () => {
    expect((globalThis as { WebSocket?: unknown }).WebSocket).toBeUndefined();
    gw = await startScriptedGateway((s, f) => void autoSession(s, f));
    const conn = await Connection.open({
      token: 't',
      clientVersion: 'v',
      authTimeoutMs: 1000,
      requestTimeoutMs: 1000,
      onPush: () => undefined,
      openTransport: (h) => openWebSocketTransport({ url: gw!.wsUrl, subprotocol: 'proto', maxFrameBytes: 1000, connectTimeoutMs: 1000 }, h),
    });
    expect(conn.authOk.nodeId).toBe('scripted');
    conn.close();
  });

  it('connect failures reject quickly', async () => {
    await expect(
      openTcpTransport({ host: '127.0.0.1', port: 1, maxFrameBytes: 1000, connectTimeoutMs: 1000 }, { onFrame: () => undefined, onClose: () => undefined }),
    ).rejects.toThrow();
    await expect(
      openWebSocketTransport({ url: 'ws://127.0.0.1:1/ws', subprotocol: 'proto', maxFrameBytes: 1000, connectTimeoutMs: 1000 }, { onFrame: () => undefined, onClose: () => undefined }),
    ).rejects.toThrow();
  });
});
