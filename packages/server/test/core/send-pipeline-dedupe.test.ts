import { describe, expect, it } from 'vitest';
import { MemoryConversationStore, MemoryIdentityStore, MemoryMessageStore, MemoryTables } from '../../src/adapters/memory/index.js';
import { SnowflakeGenerator } from '../../src/core/ids/snowflake.js';
import { ConversationCache } from '../../src/core/messaging/conversation-cache.js';
import { RecentSends } from '../../src/core/messaging/recent-sends.js';
import { SendPipeline, type SendPipelineOptions } from '../../src/core/messaging/send-pipeline.js';
import type { Caller, SendAckInfo, SendRequest } from '../../src/core/messaging/send-types.js';
import type { ConversationId, UserId } from '../../src/core/model.js';
import { LocalSessions } from '../../src/gateway/local-sessions.js';
import { LocalOutbox } from '../../src/router/local-outbox.js';

/** A pipeline over the in-memory stores (their unique (sender, clientMsgId) index included) and one group of three. */
async function setup(opts: Partial<SendPipelineOptions> = {}) {
  const tables = new MemoryTables();
  const identity = new MemoryIdentityStore(tables);
  const users: UserId[] = [];
  for (const name of ['ann', 'bo', 'cy']) users.push((await identity.createUser(name, 'x', 1))!.id);
  const conversations = new MemoryConversationStore(tables);
  const group = await conversations.createGroup({ name: 'g', avatarUrl: '', announcement: '', ownerId: users[0]!, joinPolicy: 'open', memberIds: users, large: false }, 1);
  const messages = new MemoryMessageStore(tables);
  const pipeline = new SendPipeline(messages, new ConversationCache(conversations), new LocalOutbox(new LocalSessions()), new SnowflakeGenerator(1), { maxBatch: 64, ...opts });
  const caller = (i: number): Caller => ({ userId: users[i]!, deviceId: `d${i}` });
  const req = (clientMsgId: string): SendRequest => ({ conversationId: group.id as ConversationId, clientMsgId, content: new Uint8Array(0), mentions: [], mentionAll: false, visibleTo: [] });
  const stored = async () => (await messages.getRange(group.id, 1, 1_000, 1_000)).map((m) => `${m.senderId}:${m.clientMsgId}`).sort();
  return { pipeline, caller, req, stored, users };
}

/** Both acks name the same stored message. */
const same = (a: SendAckInfo, b: SendAckInfo) => expect({ messageId: b.messageId, seq: b.seq }).toEqual({ messageId: a.messageId, seq: a.seq });

describe('SendPipeline dedupe by (sender, clientMsgId)', () => {
  it('answers a resend inside one batch with the first send\'s ack, marked duplicate', async () => {
    const { pipeline, caller, req, stored, users } = await setup();
    // Submitted in one tick: one batch.
    const [first, twin, third] = await Promise.all([pipeline.submit(caller(0), req('x')), pipeline.submit(caller(0), req('x')), pipeline.submit(caller(0), req('x'))]);
    expect(first.duplicate).toBe(false);
    expect(twin.duplicate).toBe(true);
    expect(third.duplicate).toBe(true);
    same(first, twin);
    same(first, third);
    expect(await stored()).toEqual([`${users[0]}:x`]);
  });

  it('keeps senders apart in one batch: the same client id from two senders is two messages, each with its own twins', async () => {
    const { pipeline, caller, req, stored, users } = await setup();
    const acks = await Promise.all([
      pipeline.submit(caller(0), req('same')), pipeline.submit(caller(1), req('same')), pipeline.submit(caller(2), req('same')),
      pipeline.submit(caller(1), req('same')), pipeline.submit(caller(2), req('same')), pipeline.submit(caller(0), req('same')),
    ]);
    expect(acks.map((a) => a.duplicate)).toEqual([false, false, false, true, true, true]);
    expect(new Set(acks.slice(0, 3).map((a) => a.messageId)).size).toBe(3);
    same(acks[1]!, acks[3]!);
    same(acks[2]!, acks[4]!);
    same(acks[0]!, acks[5]!);
    expect(await stored()).toEqual(users.map((u) => `${u}:same`).sort());
  });

  it('a filter hit is only a maybe: with a filter that always says maybe, new sends still commit once each and resends get the original ack', async () => {
    class AlwaysMaybe extends RecentSends {
      override mayHave(): boolean {
        return true;
      }
    }
    const { pipeline, caller, req, stored, users } = await setup({ recentSends: new AlwaysMaybe(4) });
    const acks = await Promise.all(Array.from({ length: 12 }, (_, i) => pipeline.submit(caller(i % 3), req(`k${i % 6}`))));
    // k0..k5 from senders 0,1,2,0,1,2: sends 6..11 repeat sends 0..5 (same sender, same client id).
    expect(acks.map((a) => a.duplicate)).toEqual([...Array(6).fill(false), ...Array(6).fill(true)]);
    for (let i = 0; i < 6; i++) same(acks[i]!, acks[i + 6]!);
    const later = await pipeline.submit(caller(0), req('k0'));
    expect(later).toEqual({ ...acks[0]!, duplicate: true });
    expect((await pipeline.submit(caller(1), req('fresh'))).duplicate).toBe(false);
    expect(await stored()).toHaveLength(7);
    expect((await stored()).filter((k) => k.startsWith(`${users[0]}:`))).toEqual([`${users[0]}:k0`, `${users[0]}:k3`]);
  });

  it('answers a resend in a later batch from the cache, and another sender\'s same id is new', async () => {
    const { pipeline, caller, req, stored, users } = await setup();
    const first = await pipeline.submit(caller(0), req('y'));
    const again = await pipeline.submit(caller(0), req('y'));
    expect(again).toEqual({ ...first, duplicate: true });
    const other = await pipeline.submit(caller(1), req('y'));
    expect(other.duplicate).toBe(false);
    expect(other.messageId).not.toBe(first.messageId);
    expect(await stored()).toEqual([`${users[0]}:y`, `${users[1]}:y`].sort());
  });

  it('once the cache has forgotten a send, the store\'s unique index still answers its resend with the original ack', async () => {
    const { pipeline, caller, req, stored } = await setup({ dedupeCacheSize: 2 });
    const first = await pipeline.submit(caller(0), req('old'));
    await pipeline.submit(caller(0), req('n1'));
    await pipeline.submit(caller(1), req('n2'));
    // 'old' left the cache (capacity 2): the resend reaches the store, which refuses the duplicate.
    const [again, fresh] = await Promise.all([pipeline.submit(caller(0), req('old')), pipeline.submit(caller(2), req('n3'))]);
    expect(again.duplicate).toBe(true);
    same(first, again);
    expect(fresh.duplicate).toBe(false);
    expect(await stored()).toHaveLength(4);
    // Remembered again: a further resend is answered from the cache, same ack.
    expect(await pipeline.submit(caller(0), req('old'))).toEqual({ ...again, duplicate: true });
  });
});
