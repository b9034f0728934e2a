/**
 * Per-app push end to end in a real node (ADR 0013 (7)): app B is created and
 * given its APNs credentials through the admin routes; its users register and
 * log in with `appId`, register their device tokens over HTTP, and a message
 * to an offline user of B reaches the local APNs stand-in signed with B's
 * team and key, on B's bundle id, with badge = unread. The config's (the
 * `default` app's) users keep getting the config's credentials; a user of an
 * app without credentials gets nothing; B's dead token (410) is removed.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_ADMIN_TOKEN } from '../support/admin.js';
import { body } from '../support/frames.js';
import { device, login, postJson, register, text, type Account, type RawClient } from '../support/raw-client.js';
import { startTestNode } from '../support/server.js';
import { tempDir } from '../support/temp-dir.js';
import { waitFor } from '../support/wait-for.js';
import { ApnsStandIn } from '../support/push-standins.js';

const COALESCE_MS = 200;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const token = (n: number) => `ab${n.toString(16).padStart(62, '0')}`;

describe('per-app push in a node', () => {
  const dir = tempDir();
  const apns = new ApnsStandIn('TEAMDEFLT9', 'KEYDEFLT09', 'com.example.default');
  let node: Awaited<ReturnType<typeof startTestNode>>;
  let tokens = 0;

  const admin = async (method: string, path: string, b?: unknown) => {
    const res = await fetch(`${node.httpUrl}/v1/admin${path}`, {
      method, headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, 'content-type': 'application/json' }, ...(b ? { body: JSON.stringify(b) } : {}),
    });
    return { status: res.status, json: await res.json() as Record<string, unknown> };
  };
  /** An iPhone of `who` that registered its APNs token and then went offline (logged in, never connected). */
  const iphone = async (who: Account): Promise<string> => {
    const t = token(++tokens);
    const l = await login(node.httpUrl, who, `${who.username}-iphone`, 'ios');
    const r = await postJson(node.httpUrl, '/v1/push/tokens', { provider: 'apns', token: t, preview: true }, { authorization: `Bearer ${l.accessToken}` });
    expect(r.status).toBe(204);
    return t;
  };
  const openDirect = async (c: RawClient, peer: Account) => body(await c.request({ case: 'openDirect', value: { userId: peer.userId } }), 'conversationInfo').conversation!.conversationId;
  const send = async (c: RawClient, conv: string, t: string) => body(await c.request({ case: 'send', value: { conversationId: conv, clientMsgId: `${t}-${Math.random()}`, content: text(t) } }), 'sendAck');

  beforeAll(async () => {
    const apnsUrl = await apns.start();
    const defaultKey = join(dir.path, 'default.p8');
    writeFileSync(defaultKey, apns.privateKeyPem);
    writeFileSync(join(dir.path, 'b.p8'), apns.addTeam('TEAMAPPB01', 'KEYAPPB001', 'com.example.appb'));
    node = await startTestNode({
      apnsUrl, apnsTeamId: apns.teamId, apnsKeyId: apns.keyId, apnsKeyFile: defaultKey, apnsTopic: apns.topic,
      notifyCoalesceMs: COALESCE_MS, notifyRetryBaseMs: 50,
    });
    expect((await admin('POST', '/apps', { id: 'push-app-b' })).status).toBe(201);
    expect((await admin('POST', '/apps', { id: 'push-app-c' })).status).toBe(201);
    const patched = await admin('PATCH', '/apps/push-app-b', {
      push: { apnsTeamId: 'TEAMAPPB01', apnsKeyId: 'KEYAPPB001', apnsKeyFile: join(dir.path, 'b.p8'), apnsTopic: 'com.example.appb' },
    });
    expect(patched.status).toBe(200);
  });
  afterAll(async () => {
    await node?.cleanup();
    await apns.stop();
    dir.remove();
  });

  it('notifies an offline user of app B with B\'s credentials, a default user with the config\'s, and a user of an app without any not at all', async () => {
    const [carol, dave] = await Promise.all([register(node.httpUrl, 'carol', 'push-app-b'), register(node.httpUrl, 'dave', 'push-app-b')]) as [Account, Account];
    const [alice, bob] = await Promise.all([register(node.httpUrl, 'alice'), register(node.httpUrl, 'bob')]) as [Account, Account];
    const [erin, frank] = await Promise.all([register(node.httpUrl, 'erin', 'push-app-c'), register(node.httpUrl, 'frank', 'push-app-c')]) as [Account, Account];
    const [daveToken, bobToken, frankToken] = [await iphone(dave), await iphone(bob), await iphone(frank)];

    const c = await device(node, carol, 'carol-laptop');
    const a = await device(node, alice, 'alice-laptop');
    const e = await device(node, erin, 'erin-laptop');
    const toDave = await openDirect(c, dave);
    await send(c, toDave, 'one for dave');
    await send(c, toDave, 'two for dave');
    await send(a, await openDirect(a, bob), 'hi bob');
    await send(e, await openDirect(e, frank), 'hi frank');

    await waitFor('dave and bob notified', () => apns.pushes.some((p) => p.token === daveToken) && apns.pushes.some((p) => p.token === bobToken));
    await sleep(COALESCE_MS * 3);
    const toDavePush = apns.pushes.filter((p) => p.token === daveToken);
    expect(toDavePush).toHaveLength(1); // the burst coalesced
    expect(toDavePush[0]).toMatchObject({
      teamId: 'TEAMAPPB01', headers: { 'apns-topic': 'com.example.appb' },
      payload: { aps: { alert: { title: carol.username, body: '2 new messages · two for dave' }, badge: 2 }, conversationId: toDave },
    });
    const [header, claims] = toDavePush[0]!.headers.authorization!.slice(7).split('.').slice(0, 2).map((p) => JSON.parse(Buffer.from(p, 'base64url').toString()));
    expect(header).toMatchObject({ alg: 'ES256', kid: 'KEYAPPB001' });
    expect(claims).toMatchObject({ iss: 'TEAMAPPB01' });
    expect(apns.pushes.find((p) => p.token === bobToken)).toMatchObject({ teamId: 'TEAMDEFLT9', headers: { 'apns-topic': 'com.example.default' } });
    // push-app-c has no credentials: frank gets nothing, and certainly not through the default app's.
    expect(apns.pushes.some((p) => p.token === frankToken)).toBe(false);
    expect(apns.refused).toEqual([]);
    for (const x of [a, c, e]) x.close();
  });

  it('removes app B\'s token when APNs says it is dead (410)', async () => {
    const [gina, hank] = await Promise.all([register(node.httpUrl, 'gina', 'push-app-b'), register(node.httpUrl, 'hank', 'push-app-b')]) as [Account, Account];
    const hankToken = await iphone(hank);
    apns.dead.add(hankToken);
    const g = await device(node, gina, 'gina-laptop');
    const conv = await openDirect(g, hank);
    await send(g, conv, 'are you there');
    await waitFor('410 Unregistered for B\'s token', () => apns.refused.includes(hankToken));
    apns.dead.delete(hankToken);
    const before = apns.pushes.length;
    await sleep(COALESCE_MS);
    await send(g, conv, 'still there?');
    await sleep(COALESCE_MS * 4);
    // Nothing more goes to the removed token.
    expect(apns.pushes.slice(before).some((p) => p.token === hankToken)).toBe(false);
    g.close();
  });
});
