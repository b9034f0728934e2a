/**
 * The SDK's search and live-room host controls against a real server (in
 * process, SQLite in a temp dir), as an application uses them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Errors, XinboxError, type RoomEvent, type RoomMessage } from '@xinbox/protocol';
import { startXinbox } from '@xinbox/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket as WsWebSocket } from 'ws';
import { XinboxClient } from '../src/client.js';
import { textOf } from '../src/content.js';
import { HttpApi } from '../src/http-api.js';
import type { WebSocketConstructorLike } from '../src/transport-ws.js';

type Node = Awaited<ReturnType<typeof startXinbox>>;
let node: Node;
let dataDir: string;
const clients: XinboxClient[] = [];

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'xinbox-sdk-host-'));
  node = await startXinbox({ host: '127.0.0.1', port: 0, tcpPort: -1, dataDir, logLevel: 'error', scryptCost: 4 });
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
let n = 0;
async function user(prefix: string): Promise<{ client: XinboxClient; userId: string; room: RoomMessage[]; events: RoomEvent[] }> {
  const name = `${prefix}${process.pid % 1000}${n++}`;
  await new HttpApi(node.httpUrl).register(name, 'pw-12345678');
  const client = new XinboxClient({ baseUrl: node.httpUrl, deviceId: 'd', platform: 'web', WebSocket: WsWebSocket as unknown as WebSocketConstructorLike });
  clients.push(client);
  const session = await client.login(name, 'pw-12345678');
  await client.connect();
  const room: RoomMessage[] = [];
  const events: RoomEvent[] = [];
  client.on('room', (m) => room.push(m));
  client.on('roomEvent', (e) => events.push(e));
  return { client, userId: session.userId, room, events };
}
async function refusal(p: Promise<unknown>): Promise<number> {
  try {
    await p;
  } catch (e) {
    if (e instanceof XinboxError) return e.code;
    throw e;
  }
  throw new Error('expected a refusal');
}

describe('SDK: search and live-room host controls', () => {
  it('searches what the user may read, with snippets and paging', async () => {
    const a = await user('sa');
    const b = await user('sb');
    const g = await a.client.createGroup('预算组', [b.userId]);
    const conv = g.group!.conversationId;
    for (const t of ['第一季度预算', '第二季度预算', 'unrelated']) await a.client.send(conv, t);
    const page1 = await b.client.search('季度预算', { limit: 1 });
    expect(page1.hits.map((h) => h.snippet)).toEqual(['第二季度预算']);
    const page2 = await b.client.search('季度预算', { limit: 1, cursor: page1.nextCursor });
    expect(page2.hits.map((h) => textOf(h.message!.content))).toEqual(['第一季度预算']);
    expect((await b.client.search('预算', { conversationId: conv })).hits).toHaveLength(2);
    expect(await refusal(b.client.search(' '))).toBe(Errors.SEARCH_QUERY_INVALID.code);
  });

  it('a host creates, pins, mutes, kicks and closes; a rate-limited viewer stays in the room', async () => {
    const host = await user('host');
    const viewer = await user('view');
    const other = await user('other');
    const roomId = `live-${Date.now()}`;
    await host.client.createRoom(roomId);
    await host.client.joinRoom(roomId);
    await host.client.pinInRoom(roomId, 'Welcome! 欢迎');
    const joined = await viewer.client.joinRoom(roomId);
    expect(textOf(joined.pinned?.content)).toBe('Welcome! 欢迎');
    await other.client.joinRoom(roomId);
    expect(await refusal(viewer.client.closeRoom(roomId))).toBe(Errors.PERMISSION_DENIED.code);

    // Flooding: the sixth message within a second is refused, the viewer is still in the room.
    const codes: number[] = [];
    for (let i = 0; i < 8; i++) codes.push(await viewer.client.sendRoom(roomId, `hi ${i}`).then(() => 0, (e: XinboxError) => e.code));
    expect(codes).toContain(Errors.RATE_LIMITED.code);
    expect(viewer.client.joinedRooms()).toContain(roomId);
    await host.client.sendRoom(roomId, 'host says hello');
    await until('viewer still receives', () => viewer.room.some((m) => textOf(m.content) === 'host says hello'));

    await host.client.muteInRoom(roomId, viewer.userId, Date.now() + 60_000);
    await sleep(1100); // the viewer's send budget refills
    expect(await refusal(viewer.client.sendRoom(roomId, 'muted?'))).toBe(Errors.MUTED.code);
    await host.client.unmuteInRoom(roomId, viewer.userId);
    await viewer.client.sendRoom(roomId, 'unmuted');

    await host.client.kickFromRoom(roomId, other.userId);
    await until('kicked event', () => other.events.some((e) => e.kind === 'kicked' && e.userId === other.userId));
    expect(await refusal(other.client.joinRoom(roomId))).toBe(Errors.ROOM_KICKED.code);

    await host.client.closeRoom(roomId);
    await until('closed event', () => viewer.events.some((e) => e.kind === 'closed'));
    expect(await refusal(viewer.client.sendRoom(roomId, 'after close'))).toBeGreaterThan(0);
  });
});
