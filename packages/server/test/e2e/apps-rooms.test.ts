/**
 * Live rooms per app (ADR 0013) over real sockets and HTTP: one real server
 * (SQLite), raw clients of the default app and of app B, so the tests see
 * exactly the frames the server sends. Both apps create a room with the same
 * id; each audience sees only its own room, every id on the wire (RoomJoined,
 * RoomPush, RoomEvent, RoomPullResult, server API replies) is the plain id the
 * clients used, and nothing a client of one app sends reaches the other
 * app's room: it does not exist for them (ROOM_NOT_FOUND, as before).
 */
import { Errors, RoomAdminAction, type RoomMessage } from '@xinbox/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_ADMIN_TOKEN } from '../support/admin.js';
import { RawClient, postJson } from '../support/raw-client.js';
import { startTestNode } from '../support/server.js';
import {
  ack, admin, createRoom, errorName, join, joined, roomEvents, roomMessages, send, textOf, waitForEvent, waitForMessages,
} from '../rooms/support/room-client.js';

const DEFAULT_SECRET = 'default-app-secret-rooms-0123456789abcdef';
const APP_B = 'rooms-b';
const PASSWORD = 'pw-apps-rooms-123';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Node = Awaited<ReturnType<typeof startTestNode>>;

/** Every room message any frame carried (pushes, pulls, joins), whatever its room id. */
function allRoomMessages(c: RawClient): RoomMessage[] {
  const out: RoomMessage[] = [];
  for (const f of c.frames) {
    if (f.body.case === 'roomPush') out.push(...f.body.value.messages);
    if (f.body.case === 'roomPullResult') out.push(...f.body.value.messages);
    if (f.body.case === 'roomJoined' && f.body.value.pinned) out.push(f.body.value.pinned);
  }
  return out;
}

/** Every room id that reached this client, in any room frame. */
function wireRoomIds(c: RawClient): Set<string> {
  const ids = new Set<string>(allRoomMessages(c).map((m) => m.roomId));
  for (const f of c.frames) if (f.body.case === 'roomEvent' || f.body.case === 'roomJoined') ids.add(f.body.value.roomId);
  return ids;
}

describe('apps: live rooms are per app', () => {
  let node: Node;
  let secretB = '';
  const clients: RawClient[] = [];
  const c: Record<'hostA' | 'viewerA' | 'hostB' | 'viewerB', RawClient> = {} as never;
  const ids: Record<string, string> = {};

  const user = async (name: string, appId?: string): Promise<RawClient> => {
    const username = `${name}-${process.pid}`.slice(0, 32);
    const app = appId ? { appId } : {};
    const r = await postJson(node.httpUrl, '/v1/register', { username, password: PASSWORD, ...app });
    if (r.status !== 201) throw new Error(`register ${name}: ${JSON.stringify(r.json)}`);
    ids[name] = String(r.json.userId);
    return connect(username, appId);
  };
  const connect = async (username: string, appId?: string): Promise<RawClient> => {
    const l = await postJson(node.httpUrl, '/v1/login', { username, password: PASSWORD, deviceId: `d-${clients.length}`, platform: 'other', ...(appId ? { appId } : {}) });
    if (l.status !== 200) throw new Error(`login ${username}: ${JSON.stringify(l.json)}`);
    const client = await RawClient.connect('ws', node);
    clients.push(client);
    const ok = await client.request({ case: 'auth', value: { token: String(l.json.accessToken) } });
    if (ok.body.case !== 'authOk') throw new Error(`auth failed: ${JSON.stringify(ok.body.value)}`);
    return client;
  };
  const serverApi = async (method: string, path: string, secret: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> => {
    const r = await fetch(`${node.httpUrl}/v1/server${path}`, {
      method, headers: { authorization: `Bearer ${secret}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const t = await r.text();
    return { status: r.status, json: t ? (JSON.parse(t) as Record<string, unknown>) : {} };
  };
  const adminApi = async (method: string, path: string): Promise<{ status: number; json: Record<string, unknown> }> => {
    const r = await fetch(`${node.httpUrl}/v1/admin${path}`, { method, headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` } });
    const t = await r.text();
    return { status: r.status, json: t ? (JSON.parse(t) as Record<string, unknown>) : {} };
  };

  beforeAll(async () => {
    node = await startTestNode({ serverApiSecrets: DEFAULT_SECRET });
    secretB = (await node.apps.create(APP_B, 'Rooms B')).secret;
    c.hostA = await user('host-a');
    c.viewerA = await user('viewer-a');
    c.hostB = await user('host-b', APP_B);
    c.viewerB = await user('viewer-b', APP_B);
  }, 60_000);
  afterAll(async () => {
    for (const client of clients) client.close();
    await node?.cleanup();
  });

  it('lets two apps create a room with the same id; each audience sees only its own room, under the plain id', async () => {
    await createRoom(c.hostA, 'lobby');
    // Before rooms were per app this was PERMISSION_DENIED "room id lobby is taken".
    await createRoom(c.hostB, 'lobby');
    for (const k of ['hostA', 'viewerA', 'hostB', 'viewerB'] as const) {
      const j = await joined(c[k], 'lobby');
      expect(j.roomId).toBe('lobby');
      expect(j.lastSeq).toBe(0);
    }
    expect((await send(c.hostA, 'lobby', 'a-hello')).body.case).toBe('ok');
    expect((await send(c.hostB, 'lobby', 'b-hello')).body.case).toBe('ok');
    const giftA = await send(c.hostA, 'lobby', 'a-gift', { reliable: true, clientMsgId: 'g1' });
    const giftB = await send(c.hostB, 'lobby', 'b-gift', { reliable: true, clientMsgId: 'g1' });
    // Two rooms, two seq counters: both gifts are seq 1 (the same clientMsgId is no duplicate across apps).
    expect(giftA.body.case === 'sendAck' && [giftA.body.value.seq, giftA.body.value.duplicate]).toEqual([1, false]);
    expect(giftB.body.case === 'sendAck' && [giftB.body.value.seq, giftB.body.value.duplicate]).toEqual([1, false]);
    await waitForMessages(c.viewerA, 'lobby', 'A\'s messages', (l) => l.length >= 2);
    await waitForMessages(c.viewerB, 'lobby', 'B\'s messages', (l) => l.length >= 2);
    await sleep(150); // anything misrouted would have arrived by now
    for (const [k, app] of [['hostA', 'a'], ['viewerA', 'a'], ['hostB', 'b'], ['viewerB', 'b']] as const) {
      expect(roomMessages(c[k], 'lobby').map(textOf).sort()).toEqual([`${app}-gift`, `${app}-hello`]);
      // Only the plain id ever reaches a client, never the server's key.
      expect([...wireRoomIds(c[k])]).toEqual(['lobby']);
    }
    // Pulls read the caller's own room.
    const pullB = await c.viewerB.request({ case: 'roomPull', value: { roomId: 'lobby', afterSeq: 0, limit: 0 } });
    expect(pullB.body.case === 'roomPullResult' && pullB.body.value.messages.map((m) => [m.roomId, textOf(m)])).toEqual([['lobby', 'b-gift']]);
    const pullA = await c.viewerA.request({ case: 'roomPull', value: { roomId: 'lobby', afterSeq: 0, limit: 0 } });
    expect(pullA.body.case === 'roomPullResult' && pullA.body.value.messages.map((m) => [m.roomId, textOf(m)])).toEqual([['lobby', 'a-gift']]);
  });

  it('keeps pins, catch-up on join and host notices within the app, under the plain id', async () => {
    expect((await admin(c.hostB, 'lobby', RoomAdminAction.PIN, { text: 'b-pin' })).body.case).toBe('ok');
    await waitForEvent(c.viewerB, 'lobby', 'pinned');
    expect((await admin(c.hostB, 'lobby', RoomAdminAction.MUTE, { userId: ids['viewer-b'], until: 0 })).body.case).toBe('ok');
    await waitForEvent(c.viewerB, 'lobby', 'muted');
    expect(errorName(await send(c.viewerB, 'lobby', 'muted?'))).toBe('MUTED');
    // App A's room is untouched: no pin, no notice, and its viewer still talks.
    await sleep(150);
    expect(roomEvents(c.viewerA, 'lobby').filter((e) => e.kind !== 'audience')).toEqual([]);
    expect((await send(c.viewerA, 'lobby', 'a-still-here')).body.case).toBe('ok');
    await waitForMessages(c.hostA, 'lobby', 'A\'s viewer', (l) => l.some((m) => textOf(m) === 'a-still-here'));
    expect(roomMessages(c.hostB, 'lobby').some((m) => textOf(m) === 'a-still-here')).toBe(false);

    // A late viewer of B, joining after seq 1, gets the pin and seq 2 (the pin) as catch-up, with the plain id.
    const late = await connect(`viewer-b-${process.pid}`.slice(0, 32), APP_B);
    const j = await joined(late, 'lobby', 1);
    expect([j.roomId, j.lastSeq, j.pinned?.roomId, j.pinned && textOf(j.pinned)]).toEqual(['lobby', 2, 'lobby', 'b-pin']);
    const missed = await waitForMessages(late, 'lobby', 'catch-up', (l) => l.length >= 1);
    expect(missed.map((m) => [m.roomId, m.seq, textOf(m)])).toEqual([['lobby', 2, 'b-pin']]);
    // And A's late viewer sees A's room: seq 1 only, no pin.
    const lateA = await connect(`viewer-a-${process.pid}`.slice(0, 32));
    const jA = await joined(lateA, 'lobby', 0);
    expect([jA.roomId, jA.lastSeq, jA.pinned]).toEqual(['lobby', 1, undefined]);
    expect([...wireRoomIds(late), ...wireRoomIds(lateA)]).toEqual(['lobby', 'lobby']);
  });

  it('refuses every room request of app B on a room only app A has, as for a room that does not exist', async () => {
    await createRoom(c.hostA, 'only-a');
    await joined(c.hostA, 'only-a');
    await joined(c.viewerA, 'only-a');
    const notFound = Errors.ROOM_NOT_FOUND.name;
    expect(errorName(await join(c.viewerB, 'only-a'))).toBe(notFound);
    expect(errorName(await send(c.viewerB, 'only-a', 'x'))).toBe(notFound);
    expect(errorName(await send(c.hostB, 'only-a', 'x', { reliable: true, clientMsgId: 'x' }))).toBe(notFound);
    expect(errorName(await c.viewerB.request({ case: 'roomPull', value: { roomId: 'only-a', afterSeq: 0, limit: 0 } }))).toBe(notFound);
    for (const action of [RoomAdminAction.CLOSE, RoomAdminAction.PIN, RoomAdminAction.MUTE, RoomAdminAction.KICK, RoomAdminAction.UNMUTE]) {
      expect(errorName(await admin(c.hostB, 'only-a', action, { userId: ids['viewer-a'], until: 0, text: 'x' }))).toBe(notFound);
    }
    // An ack or leave for it changes nothing and gets no error (acks have no reply; leave is idempotent).
    ack(c.viewerB, 'only-a', 5);
    expect((await c.viewerB.request({ case: 'roomLeave', value: { roomId: 'only-a' } })).body.case).toBe('ok');
    // The server's key form is no client id: the separator is not a room-id character.
    for (const raw of [`${APP_B}~lobby`, 'default~only-a', '~only-a']) {
      expect(errorName(await join(c.viewerA, raw))).toBe('INVALID_ARGUMENT');
      expect(errorName(await join(c.viewerB, raw))).toBe('INVALID_ARGUMENT');
    }
    // A's room is unharmed and app B may take the id for its own room.
    expect((await send(c.hostA, 'only-a', 'a-alive')).body.case).toBe('ok');
    await waitForMessages(c.viewerA, 'only-a', 'A alive', (l) => l.some((m) => textOf(m) === 'a-alive'));
    await createRoom(c.hostB, 'only-a');
    expect((await joined(c.viewerB, 'only-a')).lastSeq).toBe(0);
  });

  it('serves the server API per app: same room id for two apps, replies with the plain id, B\'s secret closes B\'s room only', async () => {
    const hostA = ids['host-a']!;
    const hostB = ids['host-b']!;
    const created = [
      await serverApi('POST', '/rooms', DEFAULT_SECRET, { roomId: 'api-room', hostId: hostA }),
      await serverApi('POST', '/rooms', secretB, { roomId: 'api-room', hostId: hostB }),
    ];
    expect(created.map((r) => [r.status, r.json.roomId, r.json.hostId])).toEqual([[201, 'api-room', hostA], [201, 'api-room', hostB]]);
    // The key form is refused at the server API too.
    expect((await serverApi('POST', '/rooms', DEFAULT_SECRET, { roomId: `${APP_B}~api-room`, hostId: hostA })).status).toBe(400);
    await joined(c.viewerA, 'api-room');
    await joined(c.viewerB, 'api-room');
    const sent = await serverApi('POST', '/messages', secretB, { to: { roomId: 'api-room' }, content: { text: { text: 'b-api' } }, clientMsgId: 'api-1' });
    expect([sent.status, sent.json.roomId, sent.json.seq]).toEqual([200, 'api-room', 1]);
    const got = await waitForMessages(c.viewerB, 'api-room', 'server API message', (l) => l.length >= 1);
    expect(got.map((m) => [m.roomId, m.seq, textOf(m)])).toEqual([['api-room', 1, 'b-api']]);
    // Closing with B's secret closes B's room; A's viewers hear nothing and A's room stays open.
    expect((await serverApi('DELETE', '/rooms/api-room', secretB)).status).toBe(204);
    const closed = await waitForEvent(c.viewerB, 'api-room', 'closed');
    expect(closed.roomId).toBe('api-room');
    await sleep(150);
    expect(roomMessages(c.viewerA, 'api-room')).toEqual([]);
    expect(roomEvents(c.viewerA, 'api-room', 'closed')).toEqual([]);
    expect(errorName(await join(c.viewerB, 'api-room'))).toBe(Errors.ROOM_NOT_FOUND.name);
    expect((await joined(c.viewerA, 'api-room')).roomId).toBe('api-room');
    // B's closed room stays B's: B may not reuse the id, A's room is still there for the default secret.
    expect((await serverApi('POST', '/rooms', secretB, { roomId: 'api-room', hostId: hostB })).status).toBe(400);
    const toA = await serverApi('POST', '/messages', DEFAULT_SECRET, { to: { roomId: 'api-room' }, content: { text: { text: 'a-api' } }, clientMsgId: 'api-1' });
    expect([toA.status, toA.json.roomId, toA.json.seq]).toEqual([200, 'api-room', 1]);
  });

  it('lists every app\'s live rooms to the operator by key, with the app and the plain id; the operator closes by key', async () => {
    await createRoom(c.hostB, 'ops-room');
    await joined(c.viewerB, 'ops-room');
    await createRoom(c.hostA, 'ops-room');
    await joined(c.viewerA, 'ops-room');
    const list = (await adminApi('GET', '/rooms')).json.rooms as Array<{ roomId: string; appId: string; clientRoomId: string; localViewers: number }>;
    const ops = list.filter((r) => r.clientRoomId === 'ops-room').map((r) => [r.roomId, r.appId, r.localViewers]).sort();
    expect(ops).toEqual([['ops-room', 'default', 1], [`${APP_B}~ops-room`, APP_B, 1]]);
    expect((await adminApi('POST', `/rooms/${APP_B}~ops-room/close`)).json).toEqual({ ok: true });
    expect((await waitForEvent(c.viewerB, 'ops-room', 'closed')).roomId).toBe('ops-room');
    await sleep(150);
    expect(roomEvents(c.viewerA, 'ops-room', 'closed')).toEqual([]);
    expect((await send(c.viewerA, 'ops-room', 'a-ops')).body.case).toBe('ok');
    // A default-app room is closed by its plain id, as before; a malformed key is a 400.
    expect((await adminApi('POST', '/rooms/ops-room/close')).json).toEqual({ ok: true });
    expect((await waitForEvent(c.viewerA, 'ops-room', 'closed')).roomId).toBe('ops-room');
    expect((await adminApi('POST', '/rooms/default~ops-room/close')).status).toBe(400);
    expect((await adminApi('POST', `/rooms/no-such-app~ops-room/close`)).status).toBe(404);
    // No client ever saw a key.
    for (const client of clients) for (const id of wireRoomIds(client)) expect(id).not.toContain('~');
  });
});
