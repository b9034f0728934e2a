/**
 * Which events webhooks carry (subscriptions, user/group/room events) and
 * the signature scheme a receiver checks (replay window, secret rotation).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RoomAdminAction } from '@xinbox/protocol';
import { freePort } from '../../src/devtools/free-port.js';
import { signatureHeaders, verifyWebhook } from '../../src/platform/webhooks/index.js';
import { EventFilter } from '../../src/platform/webhooks/event-filter.js';
import { body } from '../support/frames.js';
import { device, register, text } from '../support/raw-client.js';
import { startTestNode } from '../support/server.js';
import { waitFor } from '../support/wait-for.js';
import { WebhookReceiver } from '../support/webhook-receiver.js';
import { admin, createRoom } from '../rooms/support/room-client.js';

const OLD = 'old-secret-0123456789abcdef';
const NEW = 'new-secret-0123456789abcdef';

describe('webhook events and subscriptions', () => {
  let node: Awaited<ReturnType<typeof startTestNode>>;
  let receiver: WebhookReceiver;
  beforeAll(async () => {
    receiver = new WebhookReceiver(NEW, await freePort());
    await receiver.start();
    // Mid-rotation: both secrets configured, the new one first.
    node = await startTestNode({ webhookUrl: receiver.url, webhookSecret: `${NEW},${OLD}`, webhookEvents: 'user.*,group.*,room.*' });
  });
  afterAll(async () => {
    await node.cleanup();
    await receiver.stop();
  });

  it('sends subscribed user, group and room events only, each ordered by its key', async () => {
    const [alice, bob] = await Promise.all([register(node.httpUrl, 'alice'), register(node.httpUrl, 'bob')]);
    const a = await device(node, alice, 'a-phone');
    const group = body(await a.request({ case: 'groupCreate', value: { name: 'g', memberIds: [bob.userId] } }), 'groupInfo').group!.conversationId;
    await a.request({ case: 'send', value: { conversationId: group, clientMsgId: 'x', content: text('not subscribed') } });
    await a.request({ case: 'groupKick', value: { conversationId: group, userIds: [bob.userId] } });
    const roomId = `r${Date.now()}`;
    await createRoom(a, roomId);
    await admin(a, roomId, RoomAdminAction.MUTE, { userId: bob.userId, until: 0 });
    await admin(a, roomId, RoomAdminAction.CLOSE);
    a.close();
    await waitFor('offline event', () => receiver.ofType('user.offline').some((e) => e.data.userId === alice.userId));
    await waitFor('room closed', () => receiver.ofType('room.closed').length === 1);

    expect(receiver.ofType('message.sent')).toHaveLength(0);
    const mine = (e: { data: Record<string, unknown> }) => e.data.userId === alice.userId;
    expect(receiver.events.filter((e) => e.type.startsWith('user.') && mine(e)).map((e) => [e.type, e.data.deviceId, e.orderKey])).toEqual([
      ['user.online', 'a-phone', `user:${alice.userId}`],
      ['user.offline', 'a-phone', `user:${alice.userId}`],
    ]);
    expect(receiver.events.filter((e) => e.orderKey === `conversation:${group}`).map((e) => e.type)).toEqual(['group.created', 'group.members_removed']);
    expect(receiver.ofType('group.members_removed')[0]!.data).toMatchObject({ actorId: alice.userId, targetIds: [bob.userId] });
    expect(receiver.events.filter((e) => e.orderKey === `room:${roomId}`).map((e) => e.type)).toEqual(['room.created', 'room.muted', 'room.closed']);
    expect(receiver.ofType('room.muted')[0]!.data).toMatchObject({ roomId, actorId: alice.userId, userId: bob.userId });
  });

  it('signs with every configured secret, so receivers on either side of a rotation accept', () => {
    expect(receiver.requests.length).toBeGreaterThan(0);
    for (const r of receiver.requests) {
      expect(r.verified).toBe(true);
      expect(verifyWebhook(OLD, r.headers as Record<string, string>, r.body, Number(r.headers['xinbox-timestamp']) * 1000).ok).toBe(true);
      expect(r.headers['xinbox-signature']).toMatch(/^v1=[0-9a-f]{64},v1=[0-9a-f]{64}$/);
    }
  });

  it('refuses tampered bodies, wrong secrets and timestamps outside the replay window', () => {
    const now = 1_700_000_000_000;
    const bodyText = '{"events":[]}';
    const headers = signatureHeaders([NEW], bodyText, now);
    expect(verifyWebhook(NEW, headers, bodyText, now)).toEqual({ ok: true });
    expect(verifyWebhook(NEW, headers, '{"events":[1]}', now)).toEqual({ ok: false, reason: 'bad signature' });
    expect(verifyWebhook(OLD, headers, bodyText, now)).toEqual({ ok: false, reason: 'bad signature' });
    expect(verifyWebhook(NEW, headers, bodyText, now + 301_000)).toEqual({ ok: false, reason: 'stale timestamp' });
    expect(verifyWebhook(NEW, headers, bodyText, now - 301_000)).toEqual({ ok: false, reason: 'stale timestamp' });
    expect(verifyWebhook(NEW, {}, bodyText, now)).toEqual({ ok: false, reason: 'missing headers' });
  });

  it('matches subscriptions by type, prefix or everything', () => {
    const f = new EventFilter('message.sent, group.*');
    expect([f.matches('message.sent'), f.matches('group.created'), f.matches('user.online'), f.matches('message.before_send')]).toEqual([true, true, false, false]);
    expect(new EventFilter('*').matches('anything')).toBe(true);
    expect(new EventFilter('').none).toBe(true);
    expect(f.mayMatchPrefix('group.')).toBe(true);
    expect(new EventFilter('user.*').mayMatchPrefix('group.')).toBe(false);
  });
});
