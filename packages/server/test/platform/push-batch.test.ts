/**
 * PushService's batched path: bursts whose coalescing windows close in the
 * same tick are resolved together — one presence query, one token read and
 * one sender lookup for the batch, one settings read per user — with each
 * burst's own verdict (online, no token, do-not-disturb, muted, notified),
 * a failing read of one burst failing that burst only, and a failing shared
 * read retried burst by burst. Memory stores (counted and, where a test
 * says so, failing on purpose), the real APNs notifier against the local
 * APNs stand-in (HTTP/2, ES256 provider token checked).
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ContentSchema, create, toBinary } from '@xinbox/protocol';
import { createMemoryAdapters } from '../../src/adapters/memory/index.js';
import type { ConversationId, StoredMessage, UserId } from '../../src/core/model.js';
import type { PushNotifier } from '../../src/core/ports/push-notifier.js';
import type { PushProvider } from '../../src/core/ports/push-tokens.js';
import type { UserPushSettings } from '../../src/core/settings/conversation-settings-service.js';
import { createLogger } from '../../src/logger.js';
import { ApnsNotifier } from '../../src/platform/push/apns-notifier.js';
import { PushService, type PushServiceDeps } from '../../src/platform/push/push-service.js';
import { ApnsStandIn } from '../support/push-standins.js';
import { waitFor } from '../support/wait-for.js';

const COALESCE_MS = 20;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const token = (n: number) => n.toString(16).padStart(64, '0');

/** Counts every call of the store's methods by name; `fail` makes a call throw while it returns true. */
function counted<T extends object>(store: T, calls: Map<string, number>, fail: (method: string, args: unknown[]) => boolean): T {
  return new Proxy(store, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== 'function' || typeof prop !== 'string') return value;
      return (...args: unknown[]) => {
        calls.set(prop, (calls.get(prop) ?? 0) + 1);
        if (fail(prop, args)) return Promise.reject(new Error(`${prop} failed on purpose`));
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

describe('PushService: bursts closing together are resolved as one batch', () => {
  const apns = new ApnsStandIn('TEAMBATCH1', 'KEYBATCH01', 'com.example.batch');
  let notifier: ApnsNotifier;
  let stores: ReturnType<typeof createMemoryAdapters>;
  let service: PushService;
  let calls: Map<string, number>;
  let failing: (method: string, args: unknown[]) => boolean;
  let settingsReads: UserId[];
  let muted: Set<string>;
  let seq = 0;

  const start = (settings: boolean, maxBatch?: number) => {
    const deps: PushServiceDeps = {
      tokens: counted(stores.pushTokens, calls, (m, a) => failing(m, a)),
      presence: counted(stores.presence, calls, (m, a) => failing(m, a)),
      conversations: counted(stores.conversations, calls, (m, a) => failing(m, a)),
      identity: counted(stores.identity, calls, (m, a) => failing(m, a)),
      notifiersOf: async () => new Map<PushProvider, PushNotifier>([['apns', notifier]]),
      log: createLogger('silent'),
      ...(settings ? {
        settingsOf: async (userId: UserId): Promise<UserPushSettings> => {
          settingsReads.push(userId);
          return { muted: async (c) => muted.has(`${userId}:${c}`), badge: async (total) => total + 10 };
        },
      } : {}),
    };
    // A clock that stands still: every burst of a test closes at the same time, on one timer, in one tick.
    const now = Date.now();
    service = new PushService(deps, { coalesceMs: COALESCE_MS, retries: 1, retryBaseMs: 10, maxPending: 1000, clock: () => now, ...(maxBatch ? { maxBatch } : {}) });
  };
  const user = async (name: string, withToken = true) => {
    const u = (await stores.identity.createUser(`${name}-${++seq}`, 'x', Date.now()))!;
    if (withToken) await stores.pushTokens.register({ userId: u.id, deviceId: 'phone', provider: 'apns', token: token(u.id), preview: true, updatedAt: Date.now() });
    return u.id;
  };
  const direct = async (a: UserId, b: UserId) => (await stores.conversations.getOrCreateDirect(a, b, Date.now())).conversation.id;
  const message = (from: UserId, conversationId: ConversationId, text: string): StoredMessage => ({
    id: `m${++seq}`, conversationId, seq, senderId: from, clientMsgId: `c${seq}`, serverTime: Date.now(),
    content: toBinary(ContentSchema, create(ContentSchema, { kind: { case: 'text', value: { text } } })), mentions: [], mentionAll: false, visibleTo: [],
  });
  const pushesTo = (u: UserId) => apns.pushes.filter((p) => p.token === token(u));

  beforeAll(async () => {
    const url = await apns.start();
    notifier = new ApnsNotifier({ url, teamId: apns.teamId, keyId: apns.keyId, topic: apns.topic, privateKeyPem: apns.privateKeyPem, timeoutMs: 5000 });
  });
  afterAll(async () => {
    await notifier.close();
    await apns.stop();
  });
  beforeEach(() => {
    stores = createMemoryAdapters();
    calls = new Map();
    failing = () => false;
    settingsReads = [];
    muted = new Set();
    apns.pushes.length = 0;
  });
  afterEach(async () => {
    await service.stop();
    await stores.close();
  });

  it('gives each burst its own verdict with one presence, token and sender read for all of them', async () => {
    start(true);
    const sender = await user('sender');
    const [online, tokenless, busy, picky, happy] = [await user('online'), await user('tokenless', false), await user('busy'), await user('picky'), await user('happy')];
    await stores.presence.online(online, 'laptop', 'desktop', 'n1', Date.now());
    const group = (await stores.conversations.createGroup({ name: 'g', avatarUrl: '', announcement: '', ownerId: sender, joinPolicy: 'open', memberIds: [sender, busy, picky, happy], large: false }, Date.now())).id;
    await stores.conversations.updateMember(group, busy, { doNotDisturb: true });
    const pickyDirect = await direct(sender, picky);
    const happyDirect = await direct(sender, happy);
    const [onlineDirect, tokenlessDirect] = [await direct(sender, online), await direct(sender, tokenless)];
    muted.add(`${picky}:${group}`);

    // All in one tick, as one committed batch of the send pipeline would be.
    const messages: Array<[StoredMessage, UserId[]]> = [
      [message(sender, group, 'to the group'), [sender, busy, picky, happy]],
      [message(sender, pickyDirect, 'to picky'), [picky]],
      [message(sender, happyDirect, 'to happy 1'), [happy]],
      [message(sender, happyDirect, 'to happy 2'), [happy]],
      [message(sender, onlineDirect, 'to online'), [online]],
      [message(sender, tokenlessDirect, 'to tokenless'), [tokenless]],
    ];
    for (const [m, to] of messages) service.committed(m, to, false);

    await waitFor('three notifications', () => service.counters.notified >= 3);
    await sleep(COALESCE_MS * 5);
    expect(service.counters).toMatchObject({ notified: 3, skippedOnline: 1, skippedNoToken: 1, skippedMuted: 2, failed: 0 });
    expect(pushesTo(busy)).toEqual([]);
    expect(pushesTo(picky).map((p) => p.payload.aps.alert.body)).toEqual(['to picky']);
    expect(pushesTo(happy).map((p) => p.payload.aps.alert.body).sort()).toEqual(['2 new messages · to happy 2', 'to the group']);
    expect(apns.pushes.every((p) => p.payload.aps.alert.title.startsWith('sender-') && p.payload.aps.badge === 10)).toBe(true);
    // Seven bursts, one batch: one read of each shared kind, settings once per user that got that far.
    expect([calls.get('query'), calls.get('tokensOf'), calls.get('getUsers')]).toEqual([1, 1, 1]);
    expect(calls.get('getMember')).toBe(5);
    expect(calls.get('unreadCounts')).toBe(3);
    expect(settingsReads.sort()).toEqual([busy, picky, happy].sort());
  });

  it('fails only the burst whose own read failed', async () => {
    start(false);
    const sender = await user('sender');
    const [a, b, c] = [await user('a'), await user('b'), await user('c')];
    const convs = [await direct(sender, a), await direct(sender, b), await direct(sender, c)];
    failing = (method, args) => method === 'getMember' && args[1] === b;
    service.committed(message(sender, convs[0]!, 'to a'), [a], false);
    service.committed(message(sender, convs[1]!, 'to b'), [b], false);
    service.committed(message(sender, convs[2]!, 'to c'), [c], false);

    await waitFor('two notifications', () => service.counters.notified >= 2);
    await sleep(COALESCE_MS * 5);
    expect(service.counters).toMatchObject({ notified: 2, failed: 1 });
    expect(pushesTo(b)).toEqual([]);
    expect(calls.get('tokensOf')).toBe(1);
  });

  it('tries each burst alone when a shared read of the batch fails', async () => {
    start(false);
    const sender = await user('sender');
    const [a, b, c] = [await user('a'), await user('b'), await user('c')];
    let first = true;
    // The batch's token read fails once; the bursts tried alone read again and one of them (b) fails for good.
    failing = (method, args) => {
      if (method !== 'tokensOf') return false;
      if (first) return !(first = false);
      return (args[0] as UserId[]).includes(b);
    };
    const convs = [await direct(sender, a), await direct(sender, b), await direct(sender, c)];
    const messages = [a, b, c].map((u, i) => message(sender, convs[i]!, `to ${u}`));
    [a, b, c].forEach((u, i) => service.committed(messages[i]!, [u], false));

    await waitFor('two notifications', () => service.counters.notified >= 2);
    await sleep(COALESCE_MS * 5);
    expect(service.counters).toMatchObject({ notified: 2, failed: 1 });
    expect([pushesTo(a).length, pushesTo(b).length, pushesTo(c).length]).toEqual([1, 0, 1]);
    expect(calls.get('tokensOf')).toBe(4);
  });

  it('splits a tick\'s bursts into batches of at most maxBatch', async () => {
    start(false, 2);
    const sender = await user('sender');
    const users = [await user('a'), await user('b'), await user('c'), await user('d'), await user('e')];
    const convs = await Promise.all(users.map((u) => direct(sender, u)));
    const messages = users.map((u, i) => message(sender, convs[i]!, `to ${u}`));
    users.forEach((u, i) => service.committed(messages[i]!, [u], false));

    await waitFor('five notifications', () => service.counters.notified >= 5);
    expect(apns.pushes).toHaveLength(5);
    expect(calls.get('tokensOf')).toBe(3); // 2 + 2 + 1
  });
});
