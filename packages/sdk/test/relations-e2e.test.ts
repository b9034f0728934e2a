/**
 * Relationships through the SDK against the real server (in process, SQLite):
 * a friend request sent on one device reaches both devices of both users as
 * `relationChange` events exactly once and in feed order, including a device
 * that reconnects after missing some; blocks surface as typed errors.
 */
import { Audience, Errors, FriendRequestStatus, XinboxError, type RelationChange } from '@xinbox/protocol';
import { describe, expect, it } from 'vitest';
import { until, useLiveNode } from './support/live-node.js';
import { XinboxClient } from '../src/client.js';
import { HttpApi } from '../src/http-api.js';

const live = useLiveNode('xinbox-sdk-rel-');
const node = {
  get httpUrl(): string {
    return live.node().httpUrl;
  },
};

async function online(user: string, deviceId: string): Promise<{ client: XinboxClient; changes: RelationChange[] }> {
  const changes: RelationChange[] = [];
  const client = await live.online(user, deviceId, (c) => c.on('relationChange', (x) => changes.push(x)));
  return { client, changes };
}

const seqs = (list: RelationChange[]) => list.map((c) => c.seq);

describe('relationships through the SDK', () => {
  it('delivers a friend request lifecycle to two devices of each user exactly once, in order', async () => {
    for (const u of ['ann', 'ben']) await new HttpApi(node.httpUrl).register(u, `pw-${u}-12345`);
    const a1 = await online('ann', 'ann-1');
    const a2 = await online('ann', 'ann-2');
    const b1 = await online('ben', 'ben-1');
    const b2 = await online('ben', 'ben-2');
    const benId = b1.client.userId!;

    const found = await a1.client.lookupUser('BEN');
    expect(found?.userId).toBe(benId);
    const req = await a1.client.sendFriendRequest(benId, 'hello ben');
    await until('ben sees the request on both devices', () => [b1, b2].every((d) => d.changes.some((c) => c.change.case === 'request')));
    const pending = await b2.client.listFriendRequests();
    expect(pending.incoming.map((r) => r.note)).toEqual(['hello ben']);

    // ann-2 goes away and misses the acceptance; it catches up by RelationSync when it returns.
    await a2.client.close();
    const accepted = await b1.client.respondFriendRequest(req.requestId, true);
    expect(accepted.status).toBe(FriendRequestStatus.ACCEPTED);
    await b1.client.setRemark(a1.client.userId!, 'Annie');
    const a2again = await online('ann', 'ann-2');
    for (const d of [a1, a2again]) {
      await until(`${d.client.userId} sees the friendship`, () => d.changes.some((c) => c.change.case === 'relation' && c.change.value.friend));
    }
    await until('ben-2 sees the remark', () => b2.changes.some((c) => c.change.case === 'relation' && c.change.value.remark === 'Annie'));
    for (const d of [a1, a2again, b1, b2]) {
      expect(seqs(d.changes)).toEqual(d.changes.map((_c, i) => i + 1));
    }
    expect(seqs(a2again.changes)).toEqual(seqs(a1.changes));
    expect((await a1.client.listRelations()).find((r) => r.userId === benId)).toMatchObject({ friend: true });

    // Blocks come back as typed errors.
    await b2.client.updatePrivacy({ presenceTo: Audience.FRIENDS });
    const conv = await b1.client.openDirect({ userId: a1.client.userId! });
    await b2.client.block(a1.client.userId!);
    const refused = await a1.client.queryPresence([benId]).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(XinboxError);
    expect((refused as XinboxError).code).toBe(Errors.BLOCKED.code);
    const sendRefused = await a1.client.send(conv.conversationId, 'hi?').catch((e: unknown) => e);
    expect((sendRefused as XinboxError).code).toBe(Errors.BLOCKED.code);
  });
});
