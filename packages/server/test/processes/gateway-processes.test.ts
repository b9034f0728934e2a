/**
 * `npm start` with gateway processes (gatewayProcesses = 2): the primary runs
 * logic + SQLite + api and hands connections to two forked gateway processes,
 * over real sockets. Clients on different processes see one system; a gateway
 * process that dies is restarted and its clients recover by sync.
 */
import type { Frame } from '@xinbox/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminGet } from '../support/admin.js';
import { body } from '../support/frames.js';
import { device, register, RawClient, text, type Account } from '../support/raw-client.js';
import { startTestNode } from '../support/server.js';
import { waitFor } from '../support/wait-for.js';
import { get, noisePng, sha256, user } from '../media/media-support.js';
import { createRoom, joined, roomMessages, send as roomSend, textOf, roomName } from '../rooms/support/room-client.js';

type Node = Awaited<ReturnType<typeof startTestNode>>;

interface ProcessMetrics {
  nodeId: string;
  connections: number;
}

async function perProcess(node: Node): Promise<ProcessMetrics[]> {
  const m = (await (await adminGet(node.httpUrl, '/v1/metrics')).json()) as { gatewayProcesses: ProcessMetrics[] };
  return m.gatewayProcesses;
}

/** Connects a device and says which gateway process took it (the one whose connection count rose). */
async function deviceWhere(node: Node, a: Account, deviceId: string): Promise<{ c: RawClient; nodeId: string }> {
  const count = async () => new Map((await perProcess(node)).map((p) => [p.nodeId, p.connections]));
  const before = await count();
  const c = await device(node, a, deviceId);
  const after = await count();
  const nodeId = [...after].find(([id, n]) => n > (before.get(id) ?? 0))?.[0];
  if (!nodeId) throw new Error('no process took the connection');
  return { c, nodeId };
}

/** Two devices on different gateway processes (reconnecting the second while it lands with the first). */
async function onBoth(node: Node, first: [Account, string], second: [Account, string]): Promise<[RawClient, RawClient]> {
  const x = await deviceWhere(node, ...first);
  let y = await deviceWhere(node, ...second);
  for (let i = 0; i < 5 && y.nodeId === x.nodeId; i++) {
    y.c.close();
    y = await deviceWhere(node, ...second);
  }
  expect(y.nodeId).not.toBe(x.nodeId);
  return [x.c, y.c];
}

/** Connects a device, retrying while a restarted process is still coming up (the SDK does the same). */
async function connect(node: Node, a: Account, deviceId: string): Promise<RawClient> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await device(node, a, deviceId);
    } catch (e) {
      if (attempt >= 50) throw e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

async function openDirect(c: RawClient, peer: Account): Promise<string> {
  return body(await c.request({ case: 'openDirect', value: { userId: peer.userId } }), 'conversationInfo').conversation!.conversationId;
}

async function syncAll(c: RawClient, conv: string): Promise<number[]> {
  const seqs: number[] = [];
  let cursor = 0;
  for (;;) {
    const page = body(await c.request({ case: 'sync', value: { cursor, limit: 500 } }), 'syncResult');
    for (const e of page.entries) if (e.message!.conversationId === conv) seqs.push(e.message!.seq);
    cursor = page.nextCursor;
    if (!page.hasMore) return seqs;
  }
}

const seqOf = (f: Frame) => (f.body.value as unknown as { message: { seq: number } }).message.seq;

describe('gateway processes (gatewayProcesses=2)', () => {
  let node: Node;
  const clients: RawClient[] = [];
  const track = (c: RawClient): RawClient => {
    clients.push(c);
    return c;
  };
  beforeAll(async () => {
    node = await startTestNode({ gatewayProcesses: 2, presenceRefreshMs: 500, heartbeatTimeoutMs: 60_000 });
  }, 120_000);
  afterAll(async () => {
    for (const c of clients) c.close();
    await node?.cleanup();
  });

  it('runs two gateway processes behind one port; the HTTP API answers through either', async () => {
    expect(node.gatewayProcesses!.processes.map((p) => p.ready)).toEqual([true, true]);
    // connection: close makes every request a new connection, handed to the processes in turn.
    for (let i = 0; i < 4; i++) {
      const res = await fetch(`${node.httpUrl}/healthz`, { headers: { connection: 'close' } });
      expect(res.status).toBe(200);
    }
    const a = await register(node.httpUrl, 'gp');
    expect(a.userId).toMatch(/^\d+$/);
    // Catalog errors come through unchanged.
    const bad = await fetch(`${node.httpUrl}/v1/login`, { method: 'POST', headers: { 'content-type': 'application/json', connection: 'close' }, body: '{"username":1}' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { name: string } }).error.name).toBe('INVALID_ARGUMENT');
    // Metrics: the primary's, with each gateway process's; Prometheus series of every process in one scrape.
    const prom = await (await adminGet(node.httpUrl, '/metrics')).text();
    for (const p of node.gatewayProcesses!.processes) expect(prom).toContain(`node="${p.nodeId}"`);
    expect(prom).toContain(`node="${node.nodeId}"`);
  });

  it('delivers messages in order exactly once between users on different processes', async () => {
    const a = await register(node.httpUrl, 'gpa');
    const b = await register(node.httpUrl, 'gpb');
    const [ca, cb] = (await onBoth(node, [a, 'a1'], [b, 'b1'])).map(track) as [RawClient, RawClient];
    const conv = await openDirect(ca, b);
    const n = 50;
    for (let i = 0; i < n; i++) ca.send({ body: { case: 'send', value: { conversationId: conv, clientMsgId: `m${i}`, content: text(`m${i}`) } } });
    const pushes = await cb.waitForPushes(n, conv, 20_000);
    expect(pushes.map(seqOf)).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    await new Promise((r) => setTimeout(r, 200));
    expect(cb.pushes(conv)).toHaveLength(n);
  });

  it('fans a group message out to members on both processes, and shows presence across processes', async () => {
    const [owner, m1, m2] = await Promise.all([register(node.httpUrl, 'gpo'), register(node.httpUrl, 'gpm'), register(node.httpUrl, 'gpn')]);
    const co = track(await device(node, owner!, 'o'));
    const [c1, c2] = (await onBoth(node, [m1!, 'm1'], [m2!, 'm2'])).map(track) as [RawClient, RawClient];
    const r = await co.request({ case: 'groupCreate', value: { name: 'across', memberIds: [m1!.userId, m2!.userId] } });
    const conv = body(r, 'groupInfo').group!.conversationId;
    body(await co.request({ case: 'send', value: { conversationId: conv, clientMsgId: 'g1', content: text('hello all') } }), 'sendAck');
    // The group may push its own notices too (creation); the message itself arrives once on each process.
    const hello = (c: RawClient) => c.pushes(conv).filter((f) => JSON.stringify((f.body.value as { message?: unknown }).message ?? {}).includes('hello all'));
    for (const c of [c1, c2]) await waitFor('the group message', () => hello(c).length >= 1 || undefined, 10_000, 10);
    await new Promise((r) => setTimeout(r, 200));
    for (const c of [c1, c2]) expect(hello(c)).toHaveLength(1);
    // Presence across processes.
    body(await c2.request({ case: 'presenceSubscribe', value: { userIds: [m1!.userId] } }), 'ok');
    const p = body(await c2.request({ case: 'presenceQuery', value: { userIds: [m1!.userId] } }), 'presenceResult');
    expect(p.users[0]!.online).toBe(true);
    c1.close();
    const update = await c2.waitFor((f) => f.body.case === 'presenceUpdate' && body(f, 'presenceUpdate').user!.userId === m1!.userId && !body(f, 'presenceUpdate').user!.online);
    expect(update).toBeTruthy();
  });

  it('broadcasts a live room to viewers on both processes', async () => {
    const roomId = roomName('gp');
    const [h, v] = await Promise.all([register(node.httpUrl, 'gph'), register(node.httpUrl, 'gpv')]);
    const [host, viewer] = (await onBoth(node, [h!, 'h'], [v!, 'v'])).map(track) as [RawClient, RawClient];
    await createRoom(host, roomId);
    await joined(host, roomId);
    await joined(viewer, roomId);
    expect((await roomSend(host, roomId, 'from host')).body.case).toBe('ok');
    expect((await roomSend(viewer, roomId, 'from viewer')).body.case).toBe('ok');
    for (const c of [host, viewer]) {
      const got = await waitFor('room messages', () => {
        const list = roomMessages(c, roomId).map(textOf);
        return list.length >= 2 ? list : undefined;
      }, 10_000, 10);
      expect([...got].sort()).toEqual(['from host', 'from viewer']);
    }
  });

  it('takes a chunked media upload and serves the download through the gateway processes', async () => {
    const alice = await user(node, 'gpmedia');
    try {
      const png = await noisePng(300, 200);
      const ref = await alice.upload(png, { name: 'p.png', chunkBytes: 16 * 1024 });
      expect(ref).toMatchObject({ kind: 'image', size: png.length, sha256: sha256(png) });
      const seen = await alice.describeMedia(ref.mediaId);
      const original = await get(seen.urls.original!);
      expect(original.status).toBe(200);
      expect(sha256(original.body)).toBe(sha256(png));
    } finally {
      await alice.close();
    }
  });

  it('restarts a killed gateway process; its clients reconnect and sync with nothing lost or duplicated', async () => {
    const a = await register(node.httpUrl, 'gka');
    const b = await register(node.httpUrl, 'gkb');
    const r = await deviceWhere(node, b, 'kb');
    let receiver = track(r.c);
    // The sender on the other process (connections go out in turn; try again if it landed on the same one).
    let s = await deviceWhere(node, a, 'ka');
    for (let i = 0; i < 5 && s.nodeId === r.nodeId; i++) {
      s.c.close();
      s = await deviceWhere(node, a, 'ka');
    }
    expect(s.nodeId).not.toBe(r.nodeId);
    const sender = track(s.c);
    const conv = await openDirect(sender, b);
    const total = 60;
    let sent = 0;
    const sendSome = async (k: number) => {
      for (let i = 0; i < k; i++, sent++) {
        for (let attempt = 0; ; attempt++) {
          const f = await sender.request({ case: 'send', value: { conversationId: conv, clientMsgId: `k${sent}`, content: text(`k${sent}`) } }).catch(() => null);
          if (f?.body.case === 'sendAck') break;
          if (attempt > 50) throw new Error(`send k${sent} failed`);
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    };
    await sendSome(20);
    await receiver.waitForPushes(20, conv);
    const victim = node.gatewayProcesses!.processes.find((p) => p.nodeId === r.nodeId)!;
    process.kill(victim.pid!, 'SIGKILL');
    await receiver.waitClosed(10_000);
    // Messages keep flowing while the receiver is away (the sender reconnects if its process was the one killed).
    await sendSome(20);
    expect(sender.closeCode).toBeNull();
    await waitFor('restart', () => {
      const now = node.gatewayProcesses!.processes[victim.index]!;
      return now.ready && now.restarts === victim.restarts + 1 ? now : undefined;
    }, 60_000, 50);
    receiver = track(await connect(node, b, 'kb'));
    await sendSome(total - sent);
    const seqs = await syncAll(receiver, conv);
    expect(seqs).toEqual(Array.from({ length: total }, (_, i) => i + 1));
  });
});
