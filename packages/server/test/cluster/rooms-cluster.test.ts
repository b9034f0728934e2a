/**
 * Live rooms across gateway processes (issue #7, "with several gateway
 * processes"): one logic node and three gateways, real processes on real
 * Redis + PostgreSQL. Each gateway runs its own RoomService; a room tick goes
 * out once on the bus and every gateway fans it out to its local audience,
 * while reliable seqs come from the shared PostgreSQL room store.
 *
 * Room state (restrictions, closed, lastSeq) is cached per gateway for up to
 * stateCacheMs (1 s); another gateway's gifts and admin notices update that
 * cache as they arrive, so the tests expect e.g. a user told 'muted' to be
 * refused at once. Audience counts are announced every 2 s: those tests poll.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RoomAdminAction, type RoomMessage } from '@xinbox/protocol';
import { LocalCluster } from '../support/local-cluster.js';
import type { ProcessNode } from '../support/process-node.js';
import { RawClient, device, postJson, register, type Account } from '../support/raw-client.js';
import { createClient } from '../../src/adapters/postgres/client.js';
import { PostgresAppStore } from '../../src/adapters/postgres/app-store.js';
import { body } from '../support/frames.js';
import { requireServices } from '../support/services.js';
import { waitFor } from '../support/wait-for.js';
import {
  ack, admin, createRoom, errorName, join, joined, roomEvents, roomMessages, roomName, send, textOf, waitForEvent, waitForMessages,
} from '../rooms/support/room-client.js';

requireServices('postgres', 'redis');

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const APP_B = 'rooms-cluster-b';

/** One member of the room: a user's device connected to one gateway. */
interface Member {
  readonly name: string;
  readonly gateway: string;
  readonly account: Account;
  c: RawClient;
}

const seqsOf = (list: readonly RoomMessage[]) => new Set(list.filter((m) => m.seq > 0).map((m) => m.seq));
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('rooms across gateway processes on Redis + PostgreSQL', () => {
  const cluster = new LocalCluster();
  const roomId = roomName('live');
  const members = new Map<string, Member>();
  const extra: RawClient[] = [];
  let gifts = 0;
  const m = (name: string) => members.get(name)!;
  const gw = (id: string): ProcessNode => cluster.node(id);

  const connect = async (gateway: string, account: Account, deviceId = 'phone'): Promise<RawClient> => {
    const c = await device(gw(gateway), account, deviceId);
    extra.push(c);
    return c;
  };

  beforeAll(async () => {
    await cluster.startServices();
    await Promise.all([
      cluster.start({ id: 'logic-1', roles: 'logic' }),
      cluster.start({ id: 'gw-1', roles: 'gateway,api,access' }),
      cluster.start({ id: 'gw-2', roles: 'gateway,api,access' }),
      cluster.start({ id: 'gw-3', roles: 'gateway,api,access' }),
    ]);
    // host and a on gw-1; b and the muted one on gw-2; c and the kicked one on gw-3.
    const layout: Array<[string, string]> = [['host', 'gw-1'], ['a', 'gw-1'], ['b', 'gw-2'], ['mute', 'gw-2'], ['c', 'gw-3'], ['kick', 'gw-3']];
    for (const [name, gateway] of layout) {
      const account = await register(gw('gw-1').httpUrl, `rc${name}`);
      members.set(name, { name, gateway, account, c: await connect(gateway, account) });
    }
    await createRoom(m('host').c, roomId);
    for (const member of members.values()) await joined(member.c, roomId);
  }, 120_000);
  afterAll(async () => {
    for (const c of extra) c.close();
    await cluster.stop();
  }, 60_000);

  it('delivers every ordinary message, sent from any gateway, exactly once to every member on every gateway', async () => {
    // Three senders on three gateways, about 3 messages a second each: below
    // the per-user (5/s) and per-room caps, so nothing may be thinned.
    const senders = ['host', 'b', 'c'];
    const texts = senders.flatMap((s) => range(1, 5).map((i) => `ord-${s}-${i}`));
    await Promise.all(senders.map(async (s) => {
      for (let i = 1; i <= 5; i++) {
        expect(body(await send(m(s).c, roomId, `ord-${s}-${i}`), 'ok')).toBeDefined();
        await sleep(300);
      }
    }));
    for (const member of members.values()) {
      const got = await waitForMessages(member.c, roomId, `all ordinary messages at ${member.name}@${member.gateway}`,
        (l) => texts.every((t) => l.some((x) => textOf(x) === t)), 5_000);
      const ordinary = got.filter((x) => x.seq === 0 && textOf(x).startsWith('ord-')).map(textOf);
      expect(ordinary.sort()).toEqual([...texts].sort()); // each exactly once
    }
  });

  it('numbers gifts sent from three gateways 1, 2, 3, ... and delivers each to every member', async () => {
    const senders = ['a', 'b', 'c'];
    const acks = (await Promise.all(senders.map(async (s) => {
      const seqs: number[] = [];
      for (let i = 1; i <= 4; i++) {
        seqs.push(body(await send(m(s).c, roomId, `gift-${s}-${i}`, { reliable: true, clientMsgId: `gift-${s}-${i}` }), 'sendAck').seq);
        await sleep(100);
      }
      return seqs;
    }))).flat();
    gifts = acks.length;
    expect([...acks].sort((x, y) => x - y)).toEqual(range(1, gifts)); // one room seq, no gap, no duplicate
    // A retried gift (same clientMsgId) on another gateway is the same gift.
    const retry = body(await send(m('c').c, roomId, 'gift-c-1', { reliable: true, clientMsgId: 'gift-c-1' }), 'sendAck');
    expect(retry).toMatchObject({ duplicate: true });
    for (const member of members.values()) {
      await waitForMessages(member.c, roomId, `gifts at ${member.name}@${member.gateway}`, (l) => range(1, gifts).every((s) => seqsOf(l).has(s)), 5_000);
      ack(member.c, roomId, gifts);
    }
  });

  it('gives a viewer that dropped during a reliable push the missed gifts within 3 s of rejoining on another gateway', async () => {
    const account = await register(gw('gw-1').httpUrl, 'rcdrop');
    const viewer = await connect('gw-3', account);
    // gw-3 reads the room now (its cache then holds for 1 s); a gift from gw-1 follows.
    body(await send(m('c').c, roomId, 'gw-3 is here'), 'ok');
    const first = body(await send(m('a').c, roomId, 'gift-before-drop', { reliable: true, clientMsgId: 'before-drop' }), 'sendAck').seq;
    await waitForMessages(m('c').c, roomId, 'gift from gw-1 at gw-3', (l) => seqsOf(l).has(first));
    // A join at gw-3 counts the gift gw-3 has already fanned out, though gw-3 did not store it.
    expect((await joined(viewer, roomId)).lastSeq).toBe(first);
    const warm = body(await send(m('a').c, roomId, 'gift-after-join', { reliable: true, clientMsgId: 'after-join' }), 'sendAck').seq;
    await waitForMessages(viewer, roomId, 'gift after the join', (l) => seqsOf(l).has(warm));
    expect([...seqsOf(roomMessages(viewer, roomId))]).toEqual([warm]); // nothing from before the join
    ack(viewer, roomId, warm);

    // The network drops while the next gift is being pushed; more arrive while it is away.
    const inFlight = send(m('b').c, roomId, 'gift-during-drop', { reliable: true, clientMsgId: 'during-drop' });
    viewer.close();
    const missed = [body(await inFlight, 'sendAck').seq];
    await viewer.waitClosed();
    missed.push(body(await send(m('host').c, roomId, 'gift-away-1', { reliable: true, clientMsgId: 'away-1' }), 'sendAck').seq);
    missed.push(body(await send(m('c').c, roomId, 'gift-away-2', { reliable: true, clientMsgId: 'away-2' }), 'sendAck').seq);
    expect(missed).toEqual(range(warm + 1, warm + 3));
    gifts = warm + 3;

    // It comes back through gw-2 (the SDK tries the next gateway) and rejoins after its last seq.
    const started = Date.now();
    const back = await connect('gw-2', account, 'phone');
    const rejoined = await joined(back, roomId, warm);
    expect(rejoined.lastSeq).toBe(gifts);
    const got = await waitForMessages(back, roomId, 'missed gifts', (l) => missed.every((s) => seqsOf(l).has(s)), 3_000);
    expect(Date.now() - started).toBeLessThan(3_000);
    const bySeq = new Map(got.filter((x) => x.seq > 0).map((x) => [x.seq, textOf(x)]));
    expect([...bySeq].sort(([x], [y]) => x - y)).toEqual([[warm + 1, 'gift-during-drop'], [warm + 2, 'gift-away-1'], [warm + 3, 'gift-away-2']]);
    for (const member of members.values()) ack(member.c, roomId, gifts);
    back.close();
  });

  it('reports the audience of the whole room, not of one gateway, to members on every gateway', async () => {
    const total = members.size;
    // Counts are announced every 2 s; the latest one each member got must become the room's total.
    const everyoneSees = (n: number) => Promise.all([...members.values()].map((member) =>
      waitFor(`audience ${n} at ${member.name}@${member.gateway}`, () => roomEvents(member.c, roomId, 'audience').at(-1)?.audience === n, 8_000, 50)));
    await everyoneSees(total);
    // A joiner is told the room's audience, counting the members on the other gateways.
    const account = await register(gw('gw-1').httpUrl, 'rclate');
    const late = await connect('gw-3', account);
    expect((await joined(late, roomId)).audience).toBe(total + 1);
    await everyoneSees(total + 1);
    // Leaving counts too, on every gateway.
    late.close();
    await everyoneSees(total);
  });

  it('enforces a mute set on gw-1 for a member on gw-2, and a kick for a member on gw-3 on every gateway', async () => {
    const host = m('host').c;
    const muted = m('mute');
    const kicked = m('kick');
    expect(body(await send(muted.c, roomId, 'before the mute'), 'ok')).toBeDefined();

    expect(body(await admin(host, roomId, RoomAdminAction.MUTE, { userId: muted.account.userId, until: 0 }), 'ok')).toBeDefined();
    expect((await waitForEvent(muted.c, roomId, 'muted')).userId).toBe(muted.account.userId);
    // Told it is muted, the member's gateway refuses it at once.
    expect(errorName(await send(muted.c, roomId, 'while muted'))).toBe('MUTED');
    expect(errorName(await send(muted.c, roomId, 'gift while muted', { reliable: true, clientMsgId: 'muted-gift' }))).toBe('MUTED');
    // Only the muted user was told.
    for (const other of ['host', 'a', 'b', 'c']) expect(roomEvents(m(other).c, roomId, 'muted')).toEqual([]);
    // A second device of the muted user on another gateway is refused too.
    const mutedElsewhere = await connect('gw-3', muted.account, 'tablet');
    await joined(mutedElsewhere, roomId);
    expect(errorName(await send(mutedElsewhere, roomId, 'from the tablet'))).toBe('MUTED');
    mutedElsewhere.close();

    expect(body(await admin(host, roomId, RoomAdminAction.KICK, { userId: kicked.account.userId, until: 0 }), 'ok')).toBeDefined();
    expect((await waitForEvent(kicked.c, roomId, 'kicked')).userId).toBe(kicked.account.userId);
    expect(errorName(await join(kicked.c, roomId))).toBe('ROOM_KICKED');
    for (const gateway of ['gw-1', 'gw-2']) {
      const again = await connect(gateway, kicked.account, `rejoin-${gateway}`);
      expect(errorName(await join(again, roomId))).toBe('ROOM_KICKED');
      again.close();
    }
    // The kicked member no longer receives the room; the muted one still does.
    await send(m('b').c, roomId, 'after the kick');
    await waitForMessages(muted.c, roomId, 'message after the kick', (l) => l.some((x) => textOf(x) === 'after the kick'));
    await waitForMessages(m('c').c, roomId, 'message after the kick', (l) => l.some((x) => textOf(x) === 'after the kick'));
    expect(roomMessages(kicked.c, roomId).map(textOf)).not.toContain('after the kick');
    expect(roomMessages(m('host').c, roomId).map(textOf)).not.toContain('while muted');

    expect(body(await admin(host, roomId, RoomAdminAction.UNMUTE, { userId: muted.account.userId }), 'ok')).toBeDefined();
    await waitForEvent(muted.c, roomId, 'unmuted');
    expect(body(await send(muted.c, roomId, 'after the unmute'), 'ok')).toBeDefined();
    await waitForMessages(m('c').c, roomId, 'message after the unmute', (l) => l.some((x) => textOf(x) === 'after the unmute'));
  });

  it('closes the room for members on every gateway', async () => {
    expect(body(await admin(m('host').c, roomId, RoomAdminAction.CLOSE), 'ok')).toBeDefined();
    const open = [...members.values()].filter((x) => x.name !== 'kick');
    for (const member of open) await waitForEvent(member.c, roomId, 'closed');
    for (const member of open) {
      expect(errorName(await send(member.c, roomId, 'anyone?'))).toBe('ROOM_NOT_FOUND');
      expect(errorName(await join(member.c, roomId))).toBe('ROOM_NOT_FOUND');
    }
  });

  it('keeps rooms per app across gateways: two apps\' rooms of one id, each audience on both gateways sees its own under the plain id', async () => {
    // App B in the shared PostgreSQL AppStore (the admin routes that create apps are another branch's).
    const sql = createClient({ url: cluster.pg.url, poolSize: 1 });
    await new PostgresAppStore(sql).create({
      id: APP_B, name: 'Rooms B', createdAt: Date.now(), secretDigests: ['0'.repeat(64)], webhook: null, push: {}, limits: {},
    });
    await sql.end();
    const inApp = async (gateway: string, name: string, appId?: string): Promise<RawClient> => {
      const username = `${name}${process.pid}`.slice(0, 32);
      const app = appId ? { appId } : {};
      const url = gw(gateway).httpUrl;
      expect((await postJson(url, '/v1/register', { username, password: 'pw-cluster-apps', ...app })).status).toBe(201);
      const l = await postJson(url, '/v1/login', { username, password: 'pw-cluster-apps', deviceId: 'phone', platform: 'other', ...app });
      const c = await RawClient.connect('ws', gw(gateway));
      extra.push(c);
      expect((await c.request({ case: 'auth', value: { token: String(l.json.accessToken) } })).body.case).toBe('authOk');
      return c;
    };
    // Each app has a host on one gateway and a viewer on the other.
    const hostA = await inApp('gw-1', 'cahost');
    const viewerA = await inApp('gw-2', 'caview');
    const hostB = await inApp('gw-2', 'cbhost', APP_B);
    const viewerB = await inApp('gw-1', 'cbview', APP_B);
    const lobby = roomName('applobby');
    await createRoom(hostA, lobby);
    await createRoom(hostB, lobby);
    for (const c of [hostA, viewerA, hostB, viewerB]) expect((await joined(c, lobby)).roomId).toBe(lobby);
    expect(body(await send(hostA, lobby, 'a-hi'), 'ok')).toBeDefined();
    expect(body(await send(hostB, lobby, 'b-hi'), 'ok')).toBeDefined();
    expect(body(await send(hostA, lobby, 'a-gift', { reliable: true, clientMsgId: 'g' }), 'sendAck').seq).toBe(1);
    expect(body(await send(hostB, lobby, 'b-gift', { reliable: true, clientMsgId: 'g' }), 'sendAck').seq).toBe(1);
    await waitForMessages(viewerA, lobby, 'A on gw-2', (l) => l.length >= 2);
    await waitForMessages(viewerB, lobby, 'B on gw-1', (l) => l.length >= 2);
    await sleep(300);
    for (const [c, app] of [[hostA, 'a'], [viewerA, 'a'], [hostB, 'b'], [viewerB, 'b']] as const) {
      expect(roomMessages(c, lobby).map(textOf).sort()).toEqual([`${app}-gift`, `${app}-hi`]);
      for (const f of c.frames) {
        if (f.body.case === 'roomPush') for (const x of f.body.value.messages) expect(x.roomId).toBe(lobby);
        if (f.body.case === 'roomEvent') expect(f.body.value.roomId).toBe(lobby);
      }
    }
    // A host notice crosses the bus to the app's own viewer only.
    expect(body(await admin(hostB, lobby, RoomAdminAction.CLOSE), 'ok')).toBeDefined();
    expect((await waitForEvent(viewerB, lobby, 'closed')).roomId).toBe(lobby);
    await sleep(300);
    expect(roomEvents(viewerA, lobby, 'closed')).toEqual([]);
    expect(body(await send(viewerA, lobby, 'a-still-open'), 'ok')).toBeDefined();
    await waitForMessages(hostA, lobby, 'A still open', (l) => l.some((x) => textOf(x) === 'a-still-open'));
    // App B's viewer cannot reach A's room on either gateway.
    expect(errorName(await join(viewerB, lobby))).toBe('ROOM_NOT_FOUND');
    const only = roomName('onlya');
    await createRoom(hostA, only);
    expect(errorName(await join(hostB, only))).toBe('ROOM_NOT_FOUND');
  });
});
