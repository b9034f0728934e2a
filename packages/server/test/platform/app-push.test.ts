/**
 * Per-app push credentials (ADR 0013 (7)) against the local APNs stand-in
 * (HTTP/2, each team's ES256 provider token checked with that team's public
 * key): a notification to a user of app B is signed with B's team and key
 * (JWT iss/kid) and carries B's bundle id; the default app's users get the
 * config's; a user of an app without credentials gets nothing (never another
 * app's); changed credentials are picked up. PushService over the memory
 * stores; the app of a user comes from an injected AppOfUser (tenant-core's
 * identity provides it in the node).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContentSchema, create, toBinary } from '@xinbox/protocol';
import { createMemoryAdapters } from '../../src/adapters/memory/index.js';
import { MemoryAppStore } from '../../src/adapters/memory/memory-app-store.js';
import { buildConfig } from '../../src/config.js';
import type { AppDirectory } from '../../src/core/apps/app-directory.js';
import { DEFAULT_APP_ID } from '../../src/core/ports/app-store.js';
import type { UserId } from '../../src/core/model.js';
import { createLogger } from '../../src/logger.js';
import { createAppDirectory } from '../../src/platform/apps/create-app-directory.js';
import { createPush, type Push } from '../../src/platform/push/index.js';
import { ApnsStandIn } from '../support/push-standins.js';
import { tempDir } from '../support/temp-dir.js';
import { waitFor } from '../support/wait-for.js';

const COALESCE_MS = 50;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const token = (n: number) => n.toString(16).padStart(64, '0');

describe('per-app push credentials', () => {
  const dir = tempDir();
  const apns = new ApnsStandIn('TEAMDEFLT1', 'KEYDEFLT01', 'com.example.default');
  const stores = createMemoryAdapters();
  let apps: AppDirectory;
  let push: Push;
  const appOfUser = new Map<UserId, string>();
  let seq = 0;

  const user = async (name: string, appId: string) => {
    const u = (await stores.identity.createUser(name, 'x', Date.now()))!;
    appOfUser.set(u.id, appId);
    await stores.pushTokens.register({ userId: u.id, deviceId: `${name}-phone`, provider: 'apns', token: token(u.id), preview: true, updatedAt: Date.now() });
    return u.id;
  };
  /** `from` sends `to` a message; the push service hears of it as the send pipeline would tell it. */
  const message = async (from: UserId, to: UserId, body: string) => {
    const { conversation } = await stores.conversations.getOrCreateDirect(from, to, Date.now());
    const content = toBinary(ContentSchema, create(ContentSchema, { kind: { case: 'text', value: { text: body } } }));
    push.committed!({ id: `m${++seq}`, conversationId: conversation.id, seq, senderId: from, clientMsgId: `c${seq}`, serverTime: Date.now(), content, mentions: [], mentionAll: false, visibleTo: [] }, 'direct', false, [to]);
  };

  beforeAll(async () => {
    const apnsUrl = await apns.start();
    const defaultKey = join(dir.path, 'default.p8');
    writeFileSync(defaultKey, apns.privateKeyPem);
    writeFileSync(join(dir.path, 'b.p8'), apns.addTeam('TEAMSHOPB1', 'KEYSHOPB01', 'com.example.shopb'));
    writeFileSync(join(dir.path, 'b2.p8'), apns.addTeam('TEAMSHOPB2', 'KEYSHOPB02', 'com.example.shopb'));
    const config = buildConfig({
      apnsUrl, apnsTeamId: apns.teamId, apnsKeyId: apns.keyId, apnsKeyFile: defaultKey, apnsTopic: apns.topic,
      notifyCoalesceMs: COALESCE_MS, notifyRetryBaseMs: 20, logLevel: 'silent',
    });
    apps = createAppDirectory(config, new MemoryAppStore(), { cacheMs: 0 });
    await apps.create('shop-b', 'Shop B');
    await apps.update('shop-b', { push: { apnsTeamId: 'TEAMSHOPB1', apnsKeyId: 'KEYSHOPB01', apnsKeyFile: join(dir.path, 'b.p8'), apnsTopic: 'com.example.shopb' } });
    await apps.create('shop-c', 'Shop C (no push)');
    push = await createPush({
      config, tokens: stores.pushTokens, presence: stores.presence, conversations: stores.conversations, identity: stores.identity, log: createLogger('silent'),
      apps, appOfUser: async (u) => appOfUser.get(u) ?? DEFAULT_APP_ID,
    });
  });
  afterAll(async () => {
    await push?.stop();
    await apns.stop();
    await stores.close();
    dir.remove();
  });

  it('signs each app\'s notifications with that app\'s APNs team and key, and the default app\'s with the config\'s', async () => {
    const [alice, bob, carol, dave, erin, frank] = [
      await user('alice', DEFAULT_APP_ID), await user('bob', DEFAULT_APP_ID),
      await user('carol', 'shop-b'), await user('dave', 'shop-b'),
      await user('erin', 'shop-c'), await user('frank', 'shop-c'),
    ];
    await message(alice, bob, 'hello bob');
    await message(carol, dave, 'hello dave');
    await message(erin, frank, 'hello frank');
    await waitFor('two pushes', () => apns.pushes.length >= 2);
    await sleep(COALESCE_MS * 4);

    const byToken = new Map(apns.pushes.map((p) => [p.token, p]));
    expect(apns.pushes).toHaveLength(2);
    expect(byToken.get(token(bob))).toMatchObject({ teamId: 'TEAMDEFLT1', headers: { 'apns-topic': 'com.example.default' }, payload: { aps: { alert: { body: 'hello bob' } } } });
    const toDave = byToken.get(token(dave))!;
    expect(toDave).toMatchObject({ teamId: 'TEAMSHOPB1', headers: { 'apns-topic': 'com.example.shopb' }, payload: { aps: { alert: { title: 'carol', body: 'hello dave' } } } });
    // The provider token itself names B's team and key.
    const [header, claims] = toDave.headers.authorization!.slice(7).split('.').slice(0, 2).map((part) => JSON.parse(Buffer.from(part, 'base64url').toString()));
    expect(header).toMatchObject({ alg: 'ES256', kid: 'KEYSHOPB01' });
    expect(claims).toMatchObject({ iss: 'TEAMSHOPB1' });
    // shop-c has no credentials: frank got nothing, and certainly not through the default app's.
    expect(byToken.has(token(frank))).toBe(false);
    expect(apns.refused).toEqual([]);
  });

  it('uses an app\'s new credentials after they change', async () => {
    await apps.update('shop-b', { push: { apnsTeamId: 'TEAMSHOPB2', apnsKeyId: 'KEYSHOPB02', apnsKeyFile: join(dir.path, 'b2.p8'), apnsTopic: 'com.example.shopb' } });
    const before = apns.pushes.length;
    const [gina, hank] = [await user('gina', 'shop-b'), await user('hank', 'shop-b')];
    await message(gina, hank, 'rotated');
    await waitFor('a push with the new key', () => apns.pushes.length > before);
    expect(apns.pushes.at(-1)).toMatchObject({ token: token(hank), teamId: 'TEAMSHOPB2' });
  });
});
