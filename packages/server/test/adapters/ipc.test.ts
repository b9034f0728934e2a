/**
 * The local IPC adapters (adapters/ipc: a gateway process's ports over a unix
 * domain socket to the primary) against the shared port contracts. The hub
 * serves what `npm start` serves it in process mode: the SQLite stores of a
 * storage thread and the in-memory presence, routes and rate limiter. Each
 * fixture is a real client connection; a peer is a second connection, as a
 * second gateway process would open.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createMemoryAdapters } from '../../src/adapters/memory/index.js';
import { openSqliteWorkerAdapters, type SqliteWorkerAdapters } from '../../src/adapters/sqlite/index.js';
import { IpcClient, IpcHub, openIpcAdapters, servedPorts, type IpcAdapters } from '../../src/adapters/ipc/index.js';
import { DuplicateClientMsgIdError, SeqConflictError } from '../../src/core/ports/message-store.js';
import {
  appendItem, createUsers, describeBusContract, describeConversationStoreContract, describeIdentityStoreContract, describeMediaCatalogContract,
  describeMessageStoreContract, describeModerationStoreContract, describeNodeLeaseStoreContract, describePresenceContract,
  describeRateLimiterContract, describeRouteRegistryContract, describePushTokenStoreContract, describeEventLogContract, describeCommerceContract, describeSocialStoreContract, describeWebhookOutboxContract, describeAppStoreContract, makeMessage,
  describeMessageWebhookEventsContract,
} from '../contracts/index.js';
import { describeMembershipContract } from '../contracts/membership.contract.js';
import { describeOutboxContract } from '../contracts/outbox.contract.js';
import { describeRoomStoreContract } from '../rooms/room-store.contract.js';
import { clusterOutboxFixture } from '../support/outbox-fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'xinbox-ipc-'));
let hubs = 0;
const started: Array<{ hub: IpcHub; sqlite: SqliteWorkerAdapters | null }> = [];

/** A hub serving a storage thread's stores and memory presence/routes/limiter, as the primary does. */
async function startHub(options: { sqlite?: boolean; membershipTtlMs?: number } = {}): Promise<IpcHub> {
  const memory = createMemoryAdapters({ presenceTtlMs: 30_000 });
  const sqlite = options.sqlite === false ? null : await openSqliteWorkerAdapters({ path: join(dir, `hub-${++hubs}.db`) });
  const stores = sqlite ?? memory;
  // What the primary serves: its storage's ports, with memory presence, routes and limiter (primary.ts uses servedPorts the same way).
  const hub = new IpcHub(servedPorts({ ...stores, presence: memory.presence, routes: memory.routes, limiter: memory.limiter }), { path: join(dir, `hub-${hubs}.sock`), membershipTtlMs: options.membershipTtlMs ?? 10_000 });
  await hub.listen();
  started.push({ hub, sqlite });
  return hub;
}

let shared: Promise<IpcHub> | null = null;
const sharedHub = () => (shared ??= startHub());
afterAll(async () => {
  for (const { hub, sqlite } of started) {
    await hub.close();
    await sqlite?.close();
  }
  rmSync(dir, { recursive: true, force: true });
});

let clients = 0;
const connect = async (hub: IpcHub): Promise<IpcAdapters> => openIpcAdapters(hub.path, `ipc-node-${++clients}`);
/** A fresh connection to the shared hub, with a peer connection on the same hub. */
const open = async () => {
  const hub = await sharedHub();
  return { ...(await connect(hub)), presenceTtlMs: 30_000, openPeer: () => connect(hub) };
};

describeIdentityStoreContract('ipc', open);
describeMessageStoreContract('ipc', open);
describeMessageWebhookEventsContract('ipc', open);
describeConversationStoreContract('ipc', open);
describeNodeLeaseStoreContract('ipc', open);
describeRoomStoreContract('ipc', open);
describeWebhookOutboxContract('ipc', open);
describeSocialStoreContract('ipc', open);
describeModerationStoreContract('ipc', open);
describeMediaCatalogContract('ipc', open);
describePushTokenStoreContract('ipc', open);
describeAppStoreContract('ipc', open);
describeEventLogContract('ipc', open);
describeCommerceContract('ipc', open);
describePresenceContract('ipc', open);
describeRouteRegistryContract('ipc (routes of the primary, no expiry)', open);
describeRateLimiterContract('ipc', open);
describeBusContract('ipc', open);
describeOutboxContract('ClusterOutbox over the ipc bus and routes', async () => {
  const hub = await sharedHub();
  return clusterOutboxFixture(async (nodeId) => openIpcAdapters(hub.path, nodeId));
});
describeMembershipContract('ipc', async () => {
  const hub = await startHub({ sqlite: false, membershipTtlMs: 300 });
  const created: IpcAdapters[] = [];
  return {
    async create(nodeId) {
      const a = await openIpcAdapters(hub.path, nodeId);
      created.push(a);
      return a.membership;
    },
    async close() {
      await Promise.all(created.map((a) => a.close()));
    },
  };
});

describe('ipc link', () => {
  it('carries domain errors with their class and fields, and binary values intact', async () => {
    const s = await open();
    const [a, b] = await createUsers(s.identity, 2, 100);
    const conv = (await s.conversations.getOrCreateDirect(a!, b!, 1)).conversation.id;
    const m = makeMessage(conv, 1, a!, { clientMsgId: `ipc-${Date.now()}` });
    await s.messages.append([appendItem(m, [a!, b!])]);
    await expect(s.messages.append([appendItem(makeMessage(conv, 1, a!), [])])).rejects.toBeInstanceOf(SeqConflictError);
    const dup = await s.messages.append([appendItem({ ...makeMessage(conv, 2, a!), clientMsgId: m.clientMsgId }, [])]).catch((e: unknown) => e);
    expect(dup).toBeInstanceOf(DuplicateClientMsgIdError);
    const stored = await s.messages.getRange(conv, 1, 1, 10);
    expect(stored[0]!.content).toBeInstanceOf(Uint8Array);
    expect(stored[0]!.id).toBe(m.id);
    await expect((s.identity as unknown as { nope(): Promise<void> }).nope()).rejects.toThrow(/no ipc method identity.nope/);
    await s.close();
  });

  it('fails outstanding and later calls when the primary goes away, and takes the process\'s node out of the membership', async () => {
    const hub = await startHub({ sqlite: false });
    const watcher = await openIpcAdapters(hub.path, 'watcher');
    const dying = await openIpcAdapters(hub.path, 'dying');
    await dying.membership.join();
    expect(await watcher.membership.members()).toEqual(['dying']);
    dying.client.peer.destroy();
    await expect(dying.identity.getUsers([1])).rejects.toThrow(/ipc link closed/);
    for (let i = 0; i < 100 && (await watcher.membership.members()).length > 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(await watcher.membership.members()).toEqual([]);
    const survivor = await IpcClient.connect(hub.path);
    await hub.close();
    await expect(survivor.port<{ members(): Promise<string[]> }>('$control').members()).rejects.toThrow(/ipc link closed/);
    await watcher.close();
  });

  it('lets the primary call every process (metrics)', async () => {
    const hub = await startHub({ sqlite: false });
    const a = await openIpcAdapters(hub.path, 'a', { metrics: { snapshot: () => ({ node: 'a', n: 1n }) } });
    const b = await openIpcAdapters(hub.path, 'b', { metrics: { snapshot: async () => ({ node: 'b', n: 2n }) } });
    const answers = await hub.callEach('metrics', 'snapshot');
    expect(answers.map((x) => (x.status === 'fulfilled' ? x.value : x.reason)).sort((x, y) => String((x as { node: string }).node).localeCompare((y as { node: string }).node)))
      .toEqual([{ node: 'a', n: 1n }, { node: 'b', n: 2n }]);
    await a.close();
    await b.close();
  });
});
