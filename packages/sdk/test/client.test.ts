/**
 * XinboxClient behaviour that depends on what the server does to the
 * connection (close codes, lost acks, auth failures), driven by a scripted
 * gateway over real sockets. End-to-end flows against the real server are in
 * e2e.test.ts.
 */
import { CloseCodes, Errors, type Frame } from '@xinbox/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket as WsWebSocket } from 'ws';
import { XinboxClient } from '../src/client.js';
import type { XinboxClientOptions } from '../src/client-options.js';
import type { KickedEvent } from '../src/events.js';
import type { Session } from '../src/http-api.js';
import type { WebSocketConstructorLike } from '../src/transport-ws.js';
import { startHttpStub } from './support/http-stub.js';
import { autoSession, startScriptedGateway, type ScriptedGateway, type ScriptedSession } from './support/scripted-gateway.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(cond: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await sleep(10);
  }
}

const session = (token = 'good'): Session => ({
  userId: '7',
  deviceId: 'dev',
  accessToken: token,
  refreshToken: 'refresh-1',
  accessExpiresAt: Date.now() + 3_600_000,
  refreshExpiresAt: Date.now() + 86_400_000,
});

/** Answers the requests every client makes after connecting. */
function baseline(s: ScriptedSession, f: Frame): boolean {
  if (autoSession(s, f)) return true;
  if (f.body.case === 'sync') {
    s.send({ id: f.id, body: { case: 'syncResult', value: { nextCursor: f.body.value.cursor } } });
    return true;
  }
  if (f.body.case === 'listConversations') {
    s.send({ id: f.id, body: { case: 'conversationList', value: {} } });
    return true;
  }
  return f.body.case === 'pushAck';
}

async function gateway(script: (s: ScriptedSession, f: Frame) => void = () => undefined): Promise<ScriptedGateway> {
  const gw = await startScriptedGateway((s, f) => {
    if (!baseline(s, f)) script(s, f);
  });
  cleanups.push(() => gw.stop());
  return gw;
}

function client(gw: ScriptedGateway, extra: Partial<XinboxClientOptions> = {}): XinboxClient {
  const c = new XinboxClient({
    baseUrl: 'http://127.0.0.1:1',
    wsUrl: gw.wsUrl,
    accessUrl: false,
    deviceId: 'dev',
    session: session(),
    reconnect: { baseMs: 20, maxMs: 100 },
    WebSocket: WsWebSocket as unknown as WebSocketConstructorLike,
    ...extra,
  });
  c.on('error', () => undefined);
  cleanups.push(() => c.close());
  return c;
}

const authCount = (gw: ScriptedGateway) => gw.sessions.filter((s) => s.received[0]?.body.case === 'auth').length;

describe('XinboxClient reconnect policy', () => {
  it('reconnects with backoff after SERVER_ERROR and syncs from the cursor it reached', async () => {
    const gw = await gateway();
    const c = client(gw);
    const states: string[] = [];
    c.on('state', (s) => states.push(s));
    await c.connect();
    await until(() => gw.sessions[0]!.received.some((f) => f.body.case === 'sync'));
    gw.sessions[0]!.send({
      id: 0,
      body: { case: 'push', value: { syncSeq: 3, message: { id: '900', conversationId: '5', seq: 1, senderId: '8', content: { kind: { case: 'text', value: { text: 'hi' } } } } } },
    });
    await until(() => gw.sessions[0]!.received.some((f) => f.body.case === 'pushAck'));
    const ack = gw.sessions[0]!.received.find((f) => f.body.case === 'pushAck')!;
    expect(ack.body.value).toMatchObject({ syncSeq: 3 });
    gw.sessions[0]!.kick(CloseCodes.SERVER_ERROR.code, 'oops');
    await until(() => gw.sessions.length === 2 && gw.sessions[1]!.received.some((f) => f.body.case === 'sync'));
    const sync = gw.sessions[1]!.received.find((f) => f.body.case === 'sync')!;
    expect(sync.body.value).toMatchObject({ cursor: 3 });
    expect(states).toEqual(['connecting', 'connected', 'reconnecting', 'connected']);
  });

  it('does not reconnect after REPLACED and reports it', async () => {
    const gw = await gateway();
    const c = client(gw);
    const kicks: KickedEvent[] = [];
    c.on('kicked', (k) => kicks.push(k));
    await c.connect();
    gw.sessions[0]!.kick(CloseCodes.REPLACED.code, 'same device elsewhere');
    await until(() => c.state === 'closed');
    await sleep(200);
    expect(authCount(gw)).toBe(1);
    expect(kicks).toEqual([{ code: 4003, name: 'REPLACED', reason: 'same device elsewhere', reconnect: 'never' }]);
    // Later sends wait for an explicit connect(); close() fails them.
    const late = c.send('5', 'too late');
    let settled = false;
    late.catch(() => undefined).finally(() => (settled = true));
    await sleep(50);
    expect(settled).toBe(false);
    await c.close();
    await expect(late).rejects.toMatchObject({ code: Errors.UNAVAILABLE.code });
  });

  it('keeps retrying while no gateway is reachable and connects once one is', async () => {
    const gw = await gateway();
    let target = 'ws://127.0.0.1:1/ws';
    const http = await startHttpStub({ 'GET /v1/access': () => ({ status: 200, body: { endpoints: [{ ws: target, weight: 1 }], ttlMs: 0 } }) });
    cleanups.push(() => http.stop());
    const c = client(gw, { baseUrl: http.url, accessUrl: undefined, wsUrl: 'ws://127.0.0.1:2/ws', reconnect: { baseMs: 10, maxMs: 40 } });
    const connecting = c.connect();
    connecting.catch(() => undefined);
    await until(() => http.requests.length >= 3);
    expect(c.state).toBe('reconnecting');
    expect(authCount(gw)).toBe(0);
    target = gw.wsUrl; // the access service now names a live gateway
    await connecting;
    expect(c.state).toBe('connected');
    expect(http.requests.length).toBeGreaterThan(2);
  });

  it('DRAINING moves to the next gateway from the access list at once', async () => {
    const gw1 = await gateway();
    const gw2 = await gateway();
    const http = await startHttpStub({
      'GET /v1/access': () => ({ status: 200, body: { endpoints: [{ ws: gw1.wsUrl, weight: 2 }, { ws: gw2.wsUrl, weight: 1 }], ttlMs: 60_000 } }),
    });
    cleanups.push(() => http.stop());
    // A backoff window far longer than the test: only an immediate reconnect passes.
    const c = client(gw1, { baseUrl: http.url, accessUrl: undefined, wsUrl: 'ws://127.0.0.1:1/ws', reconnect: { baseMs: 20_000, maxMs: 20_000 } });
    await c.connect();
    expect(authCount(gw1)).toBe(1);
    gw1.sessions[0]!.kick(CloseCodes.DRAINING.code, 'restarting');
    await until(() => authCount(gw2) === 1, 2000);
    await until(() => c.state === 'connected');
    expect(http.requests.filter((r) => r.path === '/v1/access')).toHaveLength(1);
  });
});

describe('XinboxClient auth', () => {
  it('refreshes the token after TOKEN_EXPIRED and reconnects with the new one', async () => {
    const gw = await startScriptedGateway((s, f) => {
      if (f.body.case === 'auth' && f.body.value.token !== 'fresh') {
        s.send({ id: f.id, body: { case: 'error', value: { code: Errors.TOKEN_EXPIRED.code, name: 'TOKEN_EXPIRED', message: 'expired', retryable: false } } });
        s.close(CloseCodes.AUTH_FAILED.code, 'auth failed');
        return;
      }
      baseline(s, f);
    });
    cleanups.push(() => gw.stop());
    const http = await startHttpStub({
      'POST /v1/refresh': (b) =>
        (b as { refreshToken: string }).refreshToken === 'refresh-1'
          ? { status: 200, body: { ...session('fresh'), refreshToken: 'refresh-2' } }
          : { status: 401, body: { error: { code: 1105, name: 'REFRESH_INVALID', message: 'dead', retryable: false } } },
    });
    cleanups.push(() => http.stop());
    const c = client(gw, { baseUrl: http.url, session: session('stale') });
    const sessions: Array<Session | undefined> = [];
    c.on('session', (s) => sessions.push(s));
    await c.connect();
    expect(c.session?.accessToken).toBe('fresh');
    expect(sessions.map((s) => s?.refreshToken)).toEqual(['refresh-2']);
    expect(gw.sessions.map((s) => (s.received[0]!.body.value as { token: string }).token)).toEqual(['stale', 'fresh']);
  });

  it('gives up when the refresh token is dead', async () => {
    const gw = await startScriptedGateway((s, f) => {
      if (f.body.case === 'auth') {
        s.send({ id: f.id, body: { case: 'error', value: { code: Errors.TOKEN_REVOKED.code, name: 'TOKEN_REVOKED', message: 'revoked', retryable: false } } });
        s.close(CloseCodes.AUTH_FAILED.code);
      }
    });
    cleanups.push(() => gw.stop());
    const http = await startHttpStub({
      'POST /v1/refresh': () => ({ status: 401, body: { error: { code: 1105, name: 'REFRESH_INVALID', message: 'dead', retryable: false } } }),
    });
    cleanups.push(() => http.stop());
    const c = client(gw, { baseUrl: http.url });
    await expect(c.connect()).rejects.toMatchObject({ code: Errors.REFRESH_INVALID.code });
    expect(c.state).toBe('closed');
    expect(gw.sessions).toHaveLength(1);
  });
});

describe('XinboxClient sending', () => {
  it('resends a send whose ack was lost with the same client id; it resolves once and is emitted once', async () => {
    let firstSend: Frame | undefined;
    const gw = await gateway((s, f) => {
      if (f.body.case !== 'send') return;
      if (!firstSend) {
        firstSend = f;
        s.close(CloseCodes.SERVER_ERROR.code, 'crashed before acking'); // stored, ack lost
        return;
      }
      s.send({
        id: f.id,
        body: { case: 'sendAck', value: { messageId: '777', conversationId: f.body.value.conversationId, seq: 1, serverTime: 1, clientMsgId: f.body.value.clientMsgId, duplicate: true } },
      });
    });
    const c = client(gw);
    const messages: string[] = [];
    c.on('message', (m) => messages.push(`${m.id}:${m.seq}:${m.senderId}`));
    await c.connect();
    const ack = await c.send('5', 'only once');
    const sends = gw.sessions.flatMap((s) => s.received.filter((f) => f.body.case === 'send'));
    expect(sends).toHaveLength(2);
    const ids = sends.map((f) => (f.body.value as { clientMsgId: string }).clientMsgId);
    expect(ids[0]).toBe(ids[1]);
    expect(ack).toMatchObject({ messageId: '777', duplicate: true, clientMsgId: ids[0] });
    expect(messages).toEqual(['777:1:7']);
    expect(c.conversation('5')).toMatchObject({ lastSeq: 1, readSeq: 1, unread: 0 });
  });

  it('queues sends made while disconnected and sends them after connecting', async () => {
    const gw = await gateway((s, f) => {
      if (f.body.case === 'send') {
        s.send({ id: f.id, body: { case: 'sendAck', value: { messageId: String(100 + f.id), conversationId: '5', seq: f.id, clientMsgId: f.body.value.clientMsgId } } });
      }
    });
    const c = client(gw);
    const pending = c.send('5', 'early');
    expect(c.pendingSends).toBe(1);
    await c.connect();
    await expect(pending).resolves.toMatchObject({ conversationId: '5' });
    expect(c.pendingSends).toBe(0);
  });

  it('rejects sends that the server refuses for good', async () => {
    const gw = await gateway((s, f) => {
      if (f.body.case === 'send') s.send({ id: f.id, body: { case: 'error', value: { code: Errors.NOT_A_MEMBER.code, name: 'NOT_A_MEMBER', message: 'no', retryable: false } } });
    });
    const c = client(gw);
    await c.connect();
    await expect(c.send('5', 'x')).rejects.toMatchObject({ code: Errors.NOT_A_MEMBER.code });
  });
});
