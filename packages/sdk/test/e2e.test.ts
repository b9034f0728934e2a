/**
 * The SDK against the real server (in process, SQLite in a temp dir): two
 * users with two devices each, over WebSocket (binary and JSON framing) and
 * TCP. Every assertion is about what the application sees through the SDK's
 * public API and events.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloseCodes, Errors, type Message } from '@xinbox/protocol';
import { startXinbox } from '@xinbox/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket as WsWebSocket } from 'ws';
import { XinboxClient } from '../src/client.js';
import type { XinboxClientOptions } from '../src/client-options.js';
import { textOf } from '../src/content.js';
import { FileCursorStore, MemoryCursorStore } from '../src/cursor-store.js';
import type { KickedEvent, ReadEvent } from '../src/events.js';
import { HttpApi, type Session } from '../src/http-api.js';
import type { WebSocketConstructorLike } from '../src/transport-ws.js';

type Node = Awaited<ReturnType<typeof startXinbox>>;
let node: Node;
let dataDir: string;
const clients: XinboxClient[] = [];

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'xinbox-sdk-e2e-'));
  node = await startXinbox({ host: '127.0.0.1', port: 0, tcpPort: 0, dataDir, logLevel: 'error', scryptCost: 4, largeGroupThreshold: 3 });
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await node?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(what: string, cond: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for: ${what}`);
    await sleep(10);
  }
}

type Transport = 'ws' | 'ws-json' | 'tcp';

/** A client plus everything it emitted, as an app would observe it. */
class Device {
  readonly client: XinboxClient;
  readonly messages: Message[] = [];
  readonly reads: ReadEvent[] = [];
  readonly kicks: KickedEvent[] = [];
  readonly unread: number[] = [];
  readonly errors: Error[] = [];

  constructor(readonly name: string, transport: Transport, extra: Partial<XinboxClientOptions> = {}) {
    this.client = new XinboxClient({
      baseUrl: node.httpUrl,
      deviceId: name,
      platform: transport === 'tcp' ? 'desktop' : 'web',
      transport: transport === 'tcp' ? 'tcp' : 'ws',
      subprotocol: transport === 'ws-json' ? 'json' : 'proto',
      tcp: { host: '127.0.0.1', port: node.tcpPort },
      reconnect: { baseMs: 50, maxMs: 500 },
      WebSocket: WsWebSocket as unknown as WebSocketConstructorLike,
      ...extra,
    });
    clients.push(this.client);
    this.client.on('message', (m) => this.messages.push(m));
    this.client.on('read', (r) => this.reads.push(r));
    this.client.on('kicked', (k) => this.kicks.push(k));
    this.client.on('unread', (n) => this.unread.push(n));
    this.client.on('error', (e) => this.errors.push(e));
  }

  in(conversationId: string): Message[] {
    return this.messages.filter((m) => m.conversationId === conversationId);
  }

  texts(conversationId: string): string[] {
    return this.in(conversationId).map((m) => textOf(m.content) ?? '?');
  }
}

/** Exactly once and in order: seqs strictly increase, ids are unique. */
function expectOnceInOrder(list: Message[]): void {
  const seqs = list.map((m) => m.seq);
  expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
  expect(new Set(seqs).size).toBe(seqs.length);
  expect(new Set(list.map((m) => m.id)).size).toBe(list.length);
}

async function account(name: string): Promise<void> {
  await new HttpApi(node.httpUrl).register(name, `pw-${name}-12345`);
}

async function online(d: Device, user: string): Promise<Device> {
  await d.client.login(user, `pw-${user}-12345`);
  await d.client.connect();
  await new Promise<void>((r) => d.client.once('synced', () => r()));
  return d;
}

describe('two users, two devices each, over WebSocket and TCP', () => {
  let a1: Device; // alice, WebSocket (binary)
  let a2: Device; // alice, TCP
  let b1: Device; // bob, WebSocket (JSON)
  let b2: Device; // bob, TCP
  let conv = '';
  let bobId = '';

  beforeAll(async () => {
    await account('alice');
    await account('bob');
    a1 = await online(new Device('alice-web', 'ws'), 'alice');
    a2 = await online(new Device('alice-desk', 'tcp', { cursorStore: new FileCursorStore(join(dataDir, 'alice-desk-state')) }), 'alice');
    b1 = await online(new Device('bob-web', 'ws-json'), 'bob');
    b2 = await online(new Device('bob-desk', 'tcp'), 'bob');
    bobId = b1.client.userId!;
    conv = (await a1.client.openDirect({ username: 'bob' })).conversationId;
  });

  it('messages flow both ways and reach every device of both users once, in order', async () => {
    for (let i = 0; i < 5; i++) {
      await a1.client.send(conv, `a${i}`);
      await b2.client.send(conv, `b${i}`);
    }
    const expected = ['a0', 'b0', 'a1', 'b1', 'a2', 'b2', 'a3', 'b3', 'a4', 'b4'];
    for (const d of [a1, a2, b1, b2]) {
      await until(`${d.name} has 10 messages`, () => d.in(conv).length >= 10);
      expect(d.texts(conv)).toEqual(expected);
      expectOnceInOrder(d.in(conv));
      expect(d.in(conv).map((m) => m.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    }
    // The other device of the sender got the sender's own messages as well.
    expect(a2.in(conv).filter((m) => m.senderId === a1.client.userId)).toHaveLength(5);
    await sleep(300);
    for (const d of [a1, a2, b1, b2]) expect(d.in(conv)).toHaveLength(10);
  });

  it('unread counts follow messages and reads across devices; receipts reach the sender', async () => {
    // Bob's last message read the conversation for him (seq 10).
    for (const d of [b1, b2]) await until(`${d.name} unread 0`, () => d.client.conversation(conv)?.unread === 0);
    for (let i = 0; i < 3; i++) await a2.client.send(conv, `unread-${i}`);
    for (const d of [b1, b2]) {
      await until(`${d.name} sees 3 unread`, () => d.client.conversation(conv)?.unread === 3);
      expect(d.client.totalUnread).toBe(3);
      expect(d.unread.at(-1)).toBe(3);
    }
    // Alice sent them, so they are read for both of her devices.
    for (const d of [a1, a2]) await until(`${d.name} unread 0`, () => d.client.conversation(conv)?.unread === 0);

    const update = await b1.client.markRead(conv);
    expect(update).toMatchObject({ conversationId: conv, readSeq: 13, unread: 0, totalUnread: 0 });
    // The other device of the reader follows...
    await until('bob-desk sees the read', () => b2.client.conversation(conv)?.unread === 0);
    expect(b2.client.totalUnread).toBe(0);
    expect(b2.reads.some((r) => r.self && r.readSeq === 13)).toBe(true);
    // ...and the peer gets a receipt.
    for (const d of [a1, a2]) {
      await until(`${d.name} gets the receipt`, () => d.reads.some((r) => !r.self && r.userId === bobId && r.readSeq === 13));
      expect(d.client.conversation(conv)?.peerReadSeq).toBe(13);
    }
  });

  it('an offline device catches up exactly once, in order, after a restart', async () => {
    const session = a2.client.session!;
    const before = a2.in(conv).length;
    await a2.client.close();
    for (let i = 0; i < 15; i++) await a1.client.send(conv, `offline-a${i}`);
    for (let i = 0; i < 5; i++) await b1.client.send(conv, `offline-b${i}`);

    // A new client instance on the same device and state file: a restart.
    const restarted = new Device('alice-desk', 'tcp', { cursorStore: new FileCursorStore(join(dataDir, 'alice-desk-state')) });
    restarted.client.setSession(session);
    await restarted.client.connect();
    await until('catch-up of 20 messages', () => restarted.in(conv).length >= 20);
    await sleep(300);
    const got = restarted.in(conv);
    expect(got).toHaveLength(20);
    expectOnceInOrder(got);
    expect(got[0]!.seq).toBe(before + 1);
    expect(restarted.texts(conv)).toEqual([...Array.from({ length: 15 }, (_, i) => `offline-a${i}`), ...Array.from({ length: 5 }, (_, i) => `offline-b${i}`)]);
    a2 = restarted;
  });

  it('a dropped connection resumes from its cursor without duplicates or losses', async () => {
    const before = b2.in(conv).length;
    const synced = new Promise<{ cursor: number }>((r) => b2.client.once('synced', r));
    b2.client.reconnect();
    // Messages sent while bob-desk is reconnecting.
    const sends = Array.from({ length: 10 }, (_, i) => a1.client.send(conv, `during-drop-${i}`));
    const { cursor } = await synced;
    expect(cursor).toBeGreaterThan(0);
    await Promise.all(sends);
    await until('bob-desk has the 10 new messages', () => b2.in(conv).length >= before + 10);
    await sleep(300);
    expect(b2.in(conv)).toHaveLength(before + 10);
    expectOnceInOrder(b2.in(conv));
    expect(b2.texts(conv).slice(-10)).toEqual(Array.from({ length: 10 }, (_, i) => `during-drop-${i}`));
  });

  it('sends queued while offline go out after reconnect, once', async () => {
    await b1.client.close();
    const queued = [b1.client.send(conv, 'queued-1'), b1.client.send(conv, 'queued-2')];
    expect(b1.client.pendingSends).toBe(2);
    await b1.client.connect();
    const acks = await Promise.all(queued);
    expect(acks.map((a) => a.duplicate)).toEqual([false, false]);
    expect(acks[1]!.seq).toBe(acks[0]!.seq + 1);
    for (const d of [a1, a2, b2]) await until(`${d.name} got the queued messages`, () => d.texts(conv).includes('queued-2'));
    expect(a1.texts(conv).filter((t) => t.startsWith('queued-'))).toEqual(['queued-1', 'queued-2']);
  });

  it('history and pullRange page through the conversation', async () => {
    const last = a1.client.conversation(conv)!.lastSeq;
    const page = await a1.client.history(conv, { limit: 5 });
    expect(page.messages.map((m) => m.seq)).toEqual([last, last - 1, last - 2, last - 3, last - 4]);
    expect(page.hasMore).toBe(true);
    const older = await a1.client.history(conv, { beforeSeq: last - 4, limit: 5 });
    expect(older.messages[0]!.seq).toBe(last - 5);
    const range = await a1.client.pullRange(conv, 2, 4);
    expect(range.messages.map((m) => m.seq)).toEqual([2, 3, 4]);
  });

  it('typing and presence reach the peer', async () => {
    const typing = new Promise<{ userId: string; typing: boolean }>((r) => b2.client.once('typing', r));
    await a1.client.typing(conv, true);
    expect(await typing).toMatchObject({ conversationId: conv, userId: a1.client.userId, typing: true });
    const presence = await b1.client.queryPresence([a1.client.userId!]);
    expect(presence[0]).toMatchObject({ userId: a1.client.userId, online: true });
  });

  it('a request error arrives as XinboxError from the catalog', async () => {
    await expect(a1.client.openDirect({ username: 'nobody-here' })).rejects.toMatchObject({ code: Errors.NOT_FOUND.code });
    await expect(a1.client.history('999999', {})).rejects.toHaveProperty('errorName');
  });
});

describe('groups, including read fan-out', () => {
  it('a large group delivers to every member once, and an offline member catches up', async () => {
    for (const n of ['carol', 'dave', 'erin', 'frank']) await account(n);
    const carol = await online(new Device('carol-1', 'ws'), 'carol');
    const dave = await online(new Device('dave-1', 'tcp'), 'dave');
    const erin = await online(new Device('erin-1', 'ws-json'), 'erin');
    const frank = await online(new Device('frank-1', 'ws'), 'frank');
    const ids = [dave, erin, frank].map((d) => d.client.userId!);
    const info = await carol.client.createGroup('big', ids);
    const g = info.group!.conversationId;
    expect(info.group!.large).toBe(true); // 4 members > threshold 3

    for (let i = 0; i < 5; i++) await carol.client.send(g, `g${i}`, { mentions: i === 4 ? [ids[0]!] : [] });
    for (const d of [dave, erin, frank]) {
      await until(`${d.name} has the group messages`, () => d.texts(g).filter((t) => t.startsWith('g')).length >= 5);
      expectOnceInOrder(d.in(g));
    }
    await until('dave sees the mention', () => dave.client.conversation(g)?.mentions === 1);

    await frank.client.close();
    for (let i = 0; i < 7; i++) await erin.client.send(g, `while-away-${i}`);
    await frank.client.connect();
    await until('frank caught up', () => frank.texts(g).filter((t) => t.startsWith('while-away')).length >= 7);
    await sleep(300);
    expectOnceInOrder(frank.in(g));
    expect(frank.texts(g).filter((t) => t.startsWith('while-away'))).toEqual(Array.from({ length: 7 }, (_, i) => `while-away-${i}`));
    const members = await carol.client.groupMembers(g);
    expect(members.members.map((m) => m.userId).sort()).toEqual([carol.client.userId!, ...ids].sort());
  });
});

describe('server-initiated closes', () => {
  it('REPLACED: the old connection of a device is kicked and stays down', async () => {
    await account('gina');
    const first = await online(new Device('gina-phone', 'ws'), 'gina');
    const second = new Device('gina-phone', 'tcp');
    second.client.setSession(first.client.session as Session);
    await second.client.connect();
    await until('first is closed', () => first.client.state === 'closed');
    expect(first.kicks[0]).toMatchObject({ code: CloseCodes.REPLACED.code, reconnect: 'never' });
    await sleep(300);
    expect(first.client.state).toBe('closed');
    expect(second.client.state).toBe('connected');
  });

  it('LOGGED_OUT: revoking the session closes its connection for good', async () => {
    await account('hank');
    const d = await online(new Device('hank-1', 'tcp'), 'hank');
    await new HttpApi(node.httpUrl).logout(d.client.session!.accessToken);
    await until('closed', () => d.client.state === 'closed');
    expect(d.kicks[0]).toMatchObject({ code: CloseCodes.LOGGED_OUT.code, reconnect: 'never' });
    await expect(d.client.connect()).rejects.toBeDefined();
  });

  it('logout() from the SDK ends the session', async () => {
    await account('ivy');
    const d = await online(new Device('ivy-1', 'ws', { cursorStore: new MemoryCursorStore() }), 'ivy');
    await d.client.logout();
    expect(d.client.state).toBe('closed');
    expect(d.client.session).toBeUndefined();
  });
});
