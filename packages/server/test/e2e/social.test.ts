import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Audience, Errors, FriendRequestStatus, type Frame, type RelationChange } from '@xinbox/protocol';
import { device, register, text, type Account, type RawClient } from '../support/raw-client.js';
import { startTestNode } from '../support/server.js';
import { body, errorCode } from '../support/frames.js';

type Node = Awaited<ReturnType<typeof startTestNode>>;

const changesOf = (c: RawClient): RelationChange[] =>
  c.frames.filter((f) => f.id === 0 && f.body.case === 'relationChange').map((f) => body(f, 'relationChange'));

async function waitChange(c: RawClient, match: (ch: RelationChange) => boolean): Promise<RelationChange> {
  const f = await c.waitFor((fr: Frame) => fr.id === 0 && fr.body.case === 'relationChange' && match(fr.body.value));
  return body(f, 'relationChange');
}

async function openDirect(c: RawClient, peer: Account): Promise<Frame> {
  return c.request({ case: 'openDirect', value: { userId: peer.userId } });
}

describe.each(['sqlite', 'memory'] as const)('profiles, privacy and relationships on %s', (storage) => {
  let node: Node;

  beforeAll(async () => {
    node = await startTestNode({ storage, userLookupPerMinute: 5, friendRequestTtlMs: 1_500 });
  });
  afterAll(async () => node.cleanup());

  it('gives users random public ids, so scanning small ids finds nobody and creates nothing', async () => {
    const users = await Promise.all([register(node.httpUrl, 'scan'), register(node.httpUrl, 'scan'), register(node.httpUrl, 'scan')]);
    const ids = users.map((u) => Number(u.userId));
    for (const id of ids) expect(id).toBeGreaterThanOrEqual(2 ** 32);
    expect(Math.max(...ids) - Math.min(...ids)).toBeGreaterThan(1000);
    const scanner = await device(node, users[0]!, 'scanner');
    for (let k = 1; k <= 17; k++) {
      const r = await scanner.request({ case: 'openDirect', value: { userId: String(k) } });
      expect(errorCode(r)).toBe(Errors.NOT_FOUND.code);
    }
    const list = body(await scanner.request({ case: 'listConversations', value: {} }), 'conversationList');
    expect(list.conversations).toHaveLength(0);
    scanner.close();
  });

  it('finds users by exact username only, rate limited per user', async () => {
    const [seeker, target] = await Promise.all([register(node.httpUrl, 'seek'), register(node.httpUrl, 'target')]);
    const c = await device(node, seeker, 'lookup');
    const exact = body(await c.request({ case: 'userLookup', value: { username: target.username.toUpperCase() } }), 'profileList');
    expect(exact.profiles.map((p) => p.userId)).toEqual([target.userId]);
    const prefix = body(await c.request({ case: 'userLookup', value: { username: target.username.slice(0, -1) } }), 'profileList');
    expect(prefix.profiles).toHaveLength(0);
    for (let i = 0; i < 3; i++) await c.request({ case: 'userLookup', value: { username: `nobody${i}` } });
    const limited = await c.request({ case: 'userLookup', value: { username: target.username } });
    expect(errorCode(limited)).toBe(Errors.RATE_LIMITED.code);
    c.close();
  });

  it('keeps profiles and privacy, and syncs them to the user\'s other devices', async () => {
    const [me, other] = await Promise.all([register(node.httpUrl, 'prof'), register(node.httpUrl, 'prof')]);
    const d1 = await device(node, me, 'p1');
    const d2 = await device(node, me, 'p2');
    const updated = body(await d1.request({ case: 'profileUpdate', value: { displayName: '小明', bio: 'hello', avatarUrl: 'https://example.com/a.png' } }), 'profileList');
    expect(updated.profiles[0]).toMatchObject({ userId: me.userId, username: me.username, displayName: '小明', bio: 'hello' });
    const pushed = await waitChange(d2, (ch) => ch.change.case === 'profile');
    expect(pushed.change.value).toMatchObject({ displayName: '小明' });
    const bad = await d1.request({ case: 'profileUpdate', value: { avatarUrl: 'javascript:alert(1)' } });
    expect(errorCode(bad)).toBe(Errors.INVALID_ARGUMENT.code);
    const privacy = body(await d1.request({ case: 'privacyUpdate', value: { settings: { presenceTo: Audience.FRIENDS } } }), 'privacySettings');
    expect(privacy).toMatchObject({ presenceTo: Audience.FRIENDS, messageFrom: Audience.ANYONE });
    await waitChange(d2, (ch) => ch.change.case === 'privacy');
    const o = await device(node, other, 'p-other');
    const seen = body(await o.request({ case: 'profileGet', value: { userIds: [me.userId] } }), 'profileList');
    expect(seen.profiles[0]).toMatchObject({ displayName: '小明', avatarUrl: 'https://example.com/a.png' });
    for (const c of [d1, d2, o]) c.close();
  });

  it('runs the friend request lifecycle across two devices of each user, and a late device catches up by RelationSync', async () => {
    const [alice, bob] = await Promise.all([register(node.httpUrl, 'fra'), register(node.httpUrl, 'frb')]);
    const a1 = await device(node, alice, 'a1');
    const a2 = await device(node, alice, 'a2', 'tcp');
    const b1 = await device(node, bob, 'b1', 'ws-json');
    const b2 = await device(node, bob, 'b2');

    const sent = body(await a1.request({ case: 'friendRequestSend', value: { userId: bob.userId, note: '我是 Alice' } }), 'friendRequestInfo').request!;
    expect(sent).toMatchObject({ fromId: alice.userId, toId: bob.userId, note: '我是 Alice', status: FriendRequestStatus.PENDING });
    for (const c of [a2, b1, b2]) {
      const ch = await waitChange(c, (x) => x.change.case === 'request' && x.change.value.requestId === sent.requestId);
      expect(ch.change.value).toMatchObject({ status: FriendRequestStatus.PENDING, fromProfile: { username: alice.username } });
    }
    const pending = body(await b1.request({ case: 'friendRequestList', value: {} }), 'friendRequests');
    expect(pending.incoming.map((r) => r.requestId)).toEqual([sent.requestId]);
    // Sending again is idempotent.
    const again = body(await a2.request({ case: 'friendRequestSend', value: { userId: bob.userId, note: 'again' } }), 'friendRequestInfo').request!;
    expect(again.requestId).toBe(sent.requestId);

    const accepted = body(await b2.request({ case: 'friendRequestRespond', value: { requestId: sent.requestId, accept: true } }), 'friendRequestInfo').request!;
    expect(accepted.status).toBe(FriendRequestStatus.ACCEPTED);
    for (const [c, peer] of [[a1, bob], [a2, bob], [b1, alice], [b2, alice]] as const) {
      const ch = await waitChange(c, (x) => x.change.case === 'relation' && x.change.value.userId === peer.userId && x.change.value.friend);
      expect(ch.change.value).toMatchObject({ friend: true, blocked: false });
    }
    // Answering twice fails with a catalogued code.
    expect(errorCode(await b1.request({ case: 'friendRequestRespond', value: { requestId: sent.requestId, accept: false } }))).toBe(Errors.FRIEND_REQUEST_CLOSED.code);
    expect(errorCode(await a1.request({ case: 'friendRequestSend', value: { userId: bob.userId, note: '' } }))).toBe(Errors.ALREADY_FRIENDS.code);

    // Remark and follow, then a device that was never online syncs the whole feed.
    body(await a1.request({ case: 'remarkSet', value: { userId: bob.userId, remark: '老王' } }), 'relations');
    await waitChange(a2, (x) => x.change.case === 'relation' && x.change.value.remark === '老王');
    const a3 = await device(node, alice, 'a3');
    const synced = body(await a3.request({ case: 'relationSync', value: { cursor: 0 } }), 'relationSyncResult');
    expect(synced.changes.map((c) => c.seq)).toEqual(synced.changes.map((_c, i) => i + 1));
    expect(synced.hasMore).toBe(false);
    const last = synced.changes.filter((c) => c.change.case === 'relation').at(-1)!;
    expect(last.change.value).toMatchObject({ userId: bob.userId, friend: true, remark: '老王' });
    // The live pushes carried the same seqs as the feed.
    expect(changesOf(a2).map((c) => c.seq)).toEqual(synced.changes.map((c) => c.seq));
    const rel = body(await a3.request({ case: 'relationList', value: {} }), 'relations');
    expect(rel.relations.find((r) => r.userId === bob.userId)).toMatchObject({ friend: true, remark: '老王' });
    const empty = body(await a3.request({ case: 'relationSync', value: { cursor: synced.nextCursor } }), 'relationSyncResult');
    expect(empty.changes).toHaveLength(0);

    // Remove the friendship: both sides see it.
    await a1.request({ case: 'friendRemove', value: { userId: bob.userId } });
    await waitChange(b1, (x) => x.change.case === 'relation' && x.change.value.userId === alice.userId && !x.change.value.friend);
    for (const c of [a1, a2, a3, b1, b2]) c.close();
  });

  it('declines, cancels and expires requests', async () => {
    const [a, b, c] = await Promise.all([register(node.httpUrl, 'dx'), register(node.httpUrl, 'dy'), register(node.httpUrl, 'dz')]);
    const ca = await device(node, a, 'da');
    const cb = await device(node, b, 'db');
    const r1 = body(await ca.request({ case: 'friendRequestSend', value: { userId: b.userId, note: '' } }), 'friendRequestInfo').request!;
    const declined = body(await cb.request({ case: 'friendRequestRespond', value: { requestId: r1.requestId, accept: false } }), 'friendRequestInfo').request!;
    expect(declined.status).toBe(FriendRequestStatus.DECLINED);
    await waitChange(ca, (x) => x.change.case === 'request' && x.change.value.status === FriendRequestStatus.DECLINED);

    const r2 = body(await ca.request({ case: 'friendRequestSend', value: { userId: b.userId, note: 'please' } }), 'friendRequestInfo').request!;
    expect(r2.requestId).not.toBe(r1.requestId);
    // Only the recipient answers; only the sender cancels.
    expect(errorCode(await ca.request({ case: 'friendRequestRespond', value: { requestId: r2.requestId, accept: true } }))).toBe(Errors.NOT_FOUND.code);
    expect(errorCode(await cb.request({ case: 'friendRequestCancel', value: { requestId: r2.requestId } }))).toBe(Errors.NOT_FOUND.code);
    const cancelled = body(await ca.request({ case: 'friendRequestCancel', value: { requestId: r2.requestId } }), 'friendRequestInfo').request!;
    expect(cancelled.status).toBe(FriendRequestStatus.CANCELLED);
    await waitChange(cb, (x) => x.change.case === 'request' && x.change.value.status === FriendRequestStatus.CANCELLED);

    const r3 = body(await ca.request({ case: 'friendRequestSend', value: { userId: c.userId, note: '' } }), 'friendRequestInfo').request!;
    await new Promise((r) => setTimeout(r, 1_700));
    const cc = await device(node, c, 'dc');
    const list = body(await cc.request({ case: 'friendRequestList', value: {} }), 'friendRequests');
    expect(list.incoming).toHaveLength(0);
    expect(errorCode(await cc.request({ case: 'friendRequestRespond', value: { requestId: r3.requestId, accept: true } }))).toBe(Errors.FRIEND_REQUEST_CLOSED.code);
    await waitChange(ca, (x) => x.change.case === 'request' && x.change.value.requestId === r3.requestId && x.change.value.status === FriendRequestStatus.EXPIRED);
    for (const x of [ca, cb, cc]) x.close();
  });

  it('refuses a blocked user\'s messages, invites and presence queries, keeping the conversation visible', async () => {
    const [alice, bob, carol] = await Promise.all([register(node.httpUrl, 'bla'), register(node.httpUrl, 'blb'), register(node.httpUrl, 'blc')]);
    const a = await device(node, alice, 'ba');
    const b = await device(node, bob, 'bb');
    const conv = body(await openDirect(a, bob), 'conversationInfo').conversation!.conversationId;
    body(await a.request({ case: 'send', value: { conversationId: conv, clientMsgId: 'before', content: text('hi') } }), 'sendAck');
    const group = body(await a.request({ case: 'groupCreate', value: { name: 'g', memberIds: [carol.userId] } }), 'groupInfo').group!.conversationId;
    body(await a.request({ case: 'presenceQuery', value: { userIds: [bob.userId] } }), 'presenceResult');

    const blocked = body(await b.request({ case: 'blockSet', value: { userId: alice.userId, blocked: true } }), 'relations');
    expect(blocked.relations[0]).toMatchObject({ userId: alice.userId, blocked: true });

    expect(errorCode(await a.request({ case: 'send', value: { conversationId: conv, clientMsgId: 'after', content: text('hello?') } }))).toBe(Errors.BLOCKED.code);
    expect(errorCode(await a.request({ case: 'groupInvite', value: { conversationId: group, userIds: [bob.userId] } }))).toBe(Errors.BLOCKED.code);
    expect(errorCode(await a.request({ case: 'groupCreate', value: { name: 'g2', memberIds: [bob.userId] } }))).toBe(Errors.BLOCKED.code);
    expect(errorCode(await a.request({ case: 'presenceQuery', value: { userIds: [bob.userId] } }))).toBe(Errors.BLOCKED.code);
    expect(errorCode(await a.request({ case: 'presenceSubscribe', value: { userIds: [bob.userId] } }))).toBe(Errors.BLOCKED.code);
    expect(errorCode(await a.request({ case: 'friendRequestSend', value: { userId: bob.userId, note: '' } }))).toBe(Errors.BLOCKED.code);
    // The blocker cannot message the blocked user either, and the lookup hides the blocker.
    expect(errorCode(await b.request({ case: 'send', value: { conversationId: conv, clientMsgId: 'b-after', content: text('x') } }))).toBe(Errors.BLOCKED.code);
    expect(body(await a.request({ case: 'userLookup', value: { username: bob.username } }), 'profileList').profiles).toHaveLength(0);
    // Existing conversation and its history stay visible.
    const list = body(await a.request({ case: 'listConversations', value: {} }), 'conversationList');
    expect(list.conversations.map((c) => c.conversationId)).toContain(conv);
    const hist = body(await a.request({ case: 'history', value: { conversationId: conv } }), 'historyResult');
    expect(hist.messages.map((m) => m.clientMsgId)).toEqual(['before']);
    expect(b.pushes(conv).map((p) => body(p, 'push').message!.clientMsgId)).toEqual(['before']);

    await b.request({ case: 'blockSet', value: { userId: alice.userId, blocked: false } });
    body(await a.request({ case: 'send', value: { conversationId: conv, clientMsgId: 'unblocked', content: text('back') } }), 'sendAck');
    body(await a.request({ case: 'presenceQuery', value: { userIds: [bob.userId] } }), 'presenceResult');
    a.close();
    b.close();
  });

  it('lets "messages from friends only" refuse a stranger\'s OpenDirect until they are friends', async () => {
    const [carol, dave] = await Promise.all([register(node.httpUrl, 'fo'), register(node.httpUrl, 'fs')]);
    const c = await device(node, carol, 'fc');
    const d = await device(node, dave, 'fd');
    await c.request({ case: 'privacyUpdate', value: { settings: { messageFrom: Audience.FRIENDS, groupInviteFrom: Audience.NOBODY } } });
    expect(errorCode(await openDirect(d, carol))).toBe(Errors.PRIVACY_RESTRICTED.code);
    expect(errorCode(await d.request({ case: 'groupCreate', value: { name: 'x', memberIds: [carol.userId] } }))).toBe(Errors.PRIVACY_RESTRICTED.code);
    expect(body(await d.request({ case: 'listConversations', value: {} }), 'conversationList').conversations).toHaveLength(0);
    const req = body(await d.request({ case: 'friendRequestSend', value: { userId: carol.userId, note: 'hi' } }), 'friendRequestInfo').request!;
    await c.request({ case: 'friendRequestRespond', value: { requestId: req.requestId, accept: true } });
    const conv = body(await openDirect(d, carol), 'conversationInfo').conversation!.conversationId;
    body(await d.request({ case: 'send', value: { conversationId: conv, clientMsgId: 'f1', content: text('friends now') } }), 'sendAck');
    // Friends see each other's presence without sharing a conversation first; "nobody" hides it from them too.
    await c.request({ case: 'privacyUpdate', value: { settings: { presenceTo: Audience.NOBODY } } });
    expect(errorCode(await d.request({ case: 'presenceQuery', value: { userIds: [carol.userId] } }))).toBe(Errors.PRIVACY_RESTRICTED.code);
    c.close();
    d.close();
  });

  it('follows one way: the followed user sees a follower, the follower sees following', async () => {
    const [fan, star] = await Promise.all([register(node.httpUrl, 'fan'), register(node.httpUrl, 'star')]);
    const f = await device(node, fan, 'ff');
    const s = await device(node, star, 'fs');
    const mine = body(await f.request({ case: 'followSet', value: { userId: star.userId, follow: true } }), 'relations').relations[0]!;
    expect(mine).toMatchObject({ following: true, follower: false, friend: false });
    const theirs = await waitChange(s, (x) => x.change.case === 'relation' && x.change.value.userId === fan.userId);
    expect(theirs.change.value).toMatchObject({ following: false, follower: true, friend: false });
    const list = body(await s.request({ case: 'relationList', value: {} }), 'relations');
    expect(list.relations.find((r) => r.userId === fan.userId)).toMatchObject({ follower: true });
    f.close();
    s.close();
  });
});
