import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { MIGRATIONS, openSqliteWorkerAdapters, type SqliteWorkerAdapters } from '../../src/adapters/sqlite/index.js';
import { DuplicateClientMsgIdError, SeqConflictError } from '../../src/core/ports/message-store.js';
import { RoomUnavailableError } from '../../src/core/ports/room-store.js';
import {
  appendItem, createUsers, describeConversationStoreContract,
  describeSocialStoreContract, describeModerationStoreContract, describeCommerceContract,
  describeIdentityStoreContract, describeMessageStoreContract, describeNodeLeaseStoreContract, describePushTokenStoreContract, describeWebhookOutboxContract, makeMessage,
  describeMessageWebhookEventsContract,
} from '../contracts/index.js';
import { describeRoomStoreContract } from '../rooms/room-store.contract.js';

/**
 * The storage-thread adapter (ADR 0007) against the same port contracts as
 * the in-thread SQLite adapters. One worker serves every test (opening a
 * thread per test would dominate the run); a peer is a second worker, i.e.
 * a second connection on the same file, as another process would have.
 */
const dir = mkdtempSync(join(tmpdir(), 'xinbox-sqlite-worker-'));
const sharedPath = join(dir, 'contracts.db');
// Each worker is opened once and kept for the whole file (a thread start costs ~0.1-0.5 s of CPU).
const opened = new Map<string, Promise<SqliteWorkerAdapters>>();
const worker = (name: string, path: string, synchronous?: 'normal' | 'full') => {
  let w = opened.get(name);
  if (!w) {
    w = openSqliteWorkerAdapters({ path, synchronous });
    opened.set(name, w);
  }
  return w;
};
afterAll(async () => {
  for (const w of opened.values()) await (await w).close();
  rmSync(dir, { recursive: true, force: true });
});

const kept = async (w: Promise<SqliteWorkerAdapters>) => {
  const stores = await w;
  return {
    identity: stores.identity,
    messages: stores.messages,
    conversations: stores.conversations,
    leases: stores.leases,
    rooms: stores.rooms,
    webhooks: stores.webhooks,
    social: stores.social,
    moderation: stores.moderation,
    pushTokens: stores.pushTokens,
    service: stores.service,
    items: stores.items,
    close: async () => undefined,
  };
};
const openShared = async () => ({
  ...(await kept(worker('shared', sharedPath))),
  // The peer is a second thread with its own connection on the same file, as another process would have.
  openPeer: () => kept(worker('peer', sharedPath)),
});

describeIdentityStoreContract('sqlite worker', openShared);
describeWebhookOutboxContract('sqlite worker', openShared);
describePushTokenStoreContract('sqlite worker', openShared);
describeMessageStoreContract('sqlite worker', openShared);
describeMessageWebhookEventsContract('sqlite worker', openShared);
describeConversationStoreContract('sqlite worker', openShared);
describeNodeLeaseStoreContract('sqlite worker', openShared);
describeRoomStoreContract('sqlite worker', openShared);
describeSocialStoreContract('sqlite worker', openShared);
describeCommerceContract('sqlite worker', openShared);
describeModerationStoreContract('sqlite worker', openShared);
describeMessageStoreContract('sqlite worker synchronous=full', () => kept(worker('full', join(dir, 'full.db'), 'full')));

describe('sqlite storage worker', () => {
  it('carries the domain errors across the thread with their class and fields', async () => {
    const s = await openShared();
    const [a, b] = await createUsers(s.identity, 2, 100);
    const conv = (await s.conversations.getOrCreateDirect(a!, b!, 1)).conversation.id;
    const m = makeMessage(conv, 1, a!, { clientMsgId: `w-${Date.now()}` });
    await s.messages.append([appendItem(m, [a!, b!])]);
    const seqClash = await s.messages.append([appendItem(makeMessage(conv, 1, a!), [])]).catch((e: unknown) => e);
    expect(seqClash).toBeInstanceOf(SeqConflictError);
    expect(seqClash).toMatchObject({ conversationId: conv, seq: 1 });
    const dup = await s.messages.append([appendItem({ ...makeMessage(conv, 2, a!), clientMsgId: m.clientMsgId }, [])]).catch((e: unknown) => e);
    expect(dup).toBeInstanceOf(DuplicateClientMsgIdError);
    expect(dup).toMatchObject({ senderId: a, clientMsgId: m.clientMsgId });
    const room = await s.rooms.append(`no-such-room-${Date.now()}`, {
      id: m.id, senderId: a!, clientMsgId: 'r', serverTime: 1, content: new Uint8Array([1]),
    }).catch((e: unknown) => e);
    expect(room).toBeInstanceOf(RoomUnavailableError);
    const stored = await s.messages.getRange(conv, 1, 1, 10);
    expect(stored[0]!.content).toBeInstanceOf(Uint8Array);
    expect(stored[0]!.id).toBe(m.id);
  });

  it('refuses to open a database migrated by a newer server, with the reason', async () => {
    const path = join(dir, 'newer.db');
    const db = new Database(path);
    db.pragma(`user_version = ${MIGRATIONS.length + 1}`);
    db.close();
    await expect(openSqliteWorkerAdapters({ path })).rejects.toThrow(/newer/);
  });

  it('reports a dead thread to the owner once and fails later calls instead of hanging', async () => {
    const failures: Error[] = [];
    const s = await openSqliteWorkerAdapters({ path: join(dir, 'dies.db') }, (e) => failures.push(e));
    const [a] = await createUsers(s.identity, 1, 100);
    // A method that does not exist is a clear error, not a crash.
    await expect((s.identity as unknown as { nope(): Promise<void> }).nope()).rejects.toThrow(/no store method identity.nope/);
    await s.close();
    await expect(s.identity.getUsers([a!])).rejects.toThrow(/storage worker/);
    expect(failures).toEqual([]);
  });
});
