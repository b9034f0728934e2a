/**
 * The server API for a customer's backend (/v1/server/*) and the OpenAPI
 * document: every call here goes through OpenApiClient, which validates each
 * response against /v1/openapi.json with ajv; the last test requires that
 * every documented operation was exercised.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloseCodes } from '@xinbox/protocol';
import { TEST_ADMIN_TOKEN } from '../support/admin.js';
import { body } from '../support/frames.js';
import { OpenApiClient } from '../support/openapi-client.js';
import { RawClient, device, register, text, type Account } from '../support/raw-client.js';
import { startTestNode } from '../support/server.js';
import { waitFor } from '../support/wait-for.js';

const SECRET_NEW = 'app-secret-new-0123456789abcdef0123456789';
const SECRET_OLD = 'app-secret-old-0123456789abcdef0123456789';

describe('server API', () => {
  let node: Awaited<ReturnType<typeof startTestNode>>;
  let api: OpenApiClient;
  let alice: Account, bob: Account;
  const server = (method: string, path: string, b?: unknown, secret = SECRET_NEW) => api.call(method, `/v1/server${path}`, { ...(b !== undefined ? { body: b } : {}), bearer: secret });

  /** A WebSocket client authenticated with an access token the server API issued. */
  const connectWith = async (accessToken: string) => {
    const c = await RawClient.connect('ws', node);
    const ok = await c.request({ case: 'auth', value: { token: accessToken } });
    return { c, ok };
  };

  beforeAll(async () => {
    node = await startTestNode({ serverApiSecrets: `${SECRET_NEW},${SECRET_OLD}`, systemUsername: 'xinbox-notices' });
    api = await OpenApiClient.load(node.httpUrl);
    [alice, bob] = (await Promise.all(['alice', 'bob'].map((n) => register(node.httpUrl, n)))) as [Account, Account];
  });
  afterAll(async () => {
    await node.cleanup();
  });

  it('publishes an OpenAPI 3.1 document with the server API behind the app secret', () => {
    expect(api.doc.openapi).toBe('3.1.0');
    const ops = api.operations();
    for (const op of ['post /v1/server/users', 'post /v1/server/users/{userId}/tokens', 'post /v1/server/messages', 'post /v1/server/groups', 'post /v1/server/broadcasts', 'get /v1/server/conversations/{conversationId}/messages']) {
      expect(ops).toContain(op);
    }
    const sendOp = api.doc.paths['/v1/server/messages']!.post as unknown as { security: unknown };
    expect(sendOp.security).toEqual([{ appSecret: [] }]);
  });

  it('refuses a call without an app secret or with a wrong one, and accepts every configured secret (rotation)', async () => {
    for (const r of [await api.call('GET', `/v1/server/users/${alice.userId}`), await server('GET', `/users/${alice.userId}`, undefined, 'not-a-secret')]) {
      expect(r.status).toBe(401);
      expect(r.json.error).toMatchObject({ name: 'APP_SECRET_INVALID', code: 1700 });
    }
    expect((await server('GET', `/users/${alice.userId}`, undefined, SECRET_OLD)).status).toBe(200);
    const r = await server('GET', `/users/${alice.userId}`);
    expect(r.json).toMatchObject({ userId: alice.userId, username: alice.username, banned: false });
  });

  it('imports a user without a password and logs it in with issued tokens that work on the WebSocket', async () => {
    const created = await server('POST', '/users', { username: 'imported.carol', displayName: 'Carol' });
    expect(created.status).toBe(201);
    const carolId = created.json.userId as string;
    expect((await api.call('POST', '/v1/login', { body: { username: 'imported.carol', password: 'anything-at-all', deviceId: 'x' } })).status).toBe(401);
    expect((await server('POST', '/users', { username: 'imported.carol' })).json.error).toMatchObject({ name: 'USERNAME_TAKEN' });
    expect((await server('PATCH', `/users/${carolId}`, { bio: 'imported from the CRM' })).status).toBe(204);

    const tokens = await server('POST', `/users/${carolId}/tokens`, { deviceId: 'carol-phone', platform: 'ios' });
    expect(tokens.status).toBe(200);
    const { c, ok } = await connectWith(tokens.json.accessToken as string);
    expect(ok.body.case).toBe('authOk');
    // It is a real session: alice's message reaches it.
    const a = await device(node, alice, 'alice-laptop');
    const conv = body(await a.request({ case: 'openDirect', value: { userId: carolId } }), 'conversationInfo').conversation!.conversationId;
    body(await a.request({ case: 'send', value: { conversationId: conv, clientMsgId: 'hi-carol', content: text('hi carol') } }), 'sendAck');
    await c.waitFor((f) => f.body.case === 'push');
    // A refresh token from the server API rotates like any other; logout ends the session.
    const refreshed = await api.call('POST', '/v1/refresh', { body: { refreshToken: tokens.json.refreshToken } });
    expect(refreshed.status).toBe(200);
    expect((await api.call('POST', '/v1/logout', { bearer: refreshed.json.accessToken as string })).status).toBe(204);
    expect((await server('POST', '/users/999999999/tokens', { deviceId: 'x' })).status).toBe(404);
    c.close();
    a.close();
  });

  it('sends as a user and as the system to a user, and reads conversations and history', async () => {
    const asAlice = await server('POST', '/messages', { from: alice.userId, to: { userId: bob.userId }, content: { text: { text: 'from alice via API' } }, clientMsgId: 'api-1' });
    expect(asAlice.status).toBe(200);
    const again = await server('POST', '/messages', { from: alice.userId, to: { userId: bob.userId }, content: { text: { text: 'from alice via API' } }, clientMsgId: 'api-1' });
    expect(again.json).toMatchObject({ messageId: asAlice.json.messageId, duplicate: true });
    const fromSystem = await server('POST', '/messages', { to: { userId: bob.userId }, content: { text: { text: 'your order shipped' } }, clientMsgId: 'sys-1' });
    expect(fromSystem.status).toBe(200);
    expect(fromSystem.json.conversationId).not.toBe(asAlice.json.conversationId);

    const list = await api.call('GET', `/v1/server/users/${bob.userId}/conversations?limit=10`, { bearer: SECRET_NEW });
    expect(list.status).toBe(200);
    const ids = (list.json.conversations as Array<{ conversationId: string; unread: number }>).map((c) => c.conversationId);
    expect(ids).toEqual(expect.arrayContaining([asAlice.json.conversationId, fromSystem.json.conversationId]));
    expect(list.json.totalUnread).toBeGreaterThanOrEqual(2);

    const hist = await api.call('GET', `/v1/server/conversations/${fromSystem.json.conversationId}/messages?asUser=${bob.userId}&limit=5`, { bearer: SECRET_NEW });
    expect(hist.status).toBe(200);
    const [m] = hist.json.messages as Array<{ content: unknown; senderId: string }>;
    expect(m!.content).toEqual({ text: { text: 'your order shipped' } });
    const system = await api.call('GET', `/v1/server/users/${m!.senderId}`, { bearer: SECRET_NEW });
    expect(system.json.username).toBe('xinbox-notices');

    const bad = await server('POST', '/messages', { to: { userId: bob.userId }, content: { nonsense: 1 }, clientMsgId: 'bad' });
    expect(bad.status).toBe(400);
    expect((await server('POST', '/messages', { to: {}, content: { text: { text: 'x' } }, clientMsgId: 'x' })).json.error).toMatchObject({ name: 'INVALID_ARGUMENT' });
  });

  it('manages a group: create, read, update, add and remove members, system notice, dissolve', async () => {
    const dave = await register(node.httpUrl, 'dave');
    const created = await server('POST', '/groups', { ownerId: alice.userId, name: 'launch', memberIds: [bob.userId] });
    expect(created.status).toBe(201);
    const groupId = created.json.groupId as string;
    expect(created.json).toMatchObject({ ownerId: alice.userId, memberCount: 2 });
    expect((await server('POST', `/groups/${groupId}/members`, { userIds: [dave.userId] })).json.memberCount).toBe(3);
    expect((await server('PATCH', `/groups/${groupId}`, { announcement: 'ship it' })).json.announcement).toBe('ship it');
    const d = await device(node, dave, 'dave-phone');
    const notice = await server('POST', '/messages', { to: { groupId }, content: { text: { text: 'maintenance at 22:00' } }, clientMsgId: 'sys-g1' });
    expect(notice.status).toBe(200);
    await d.waitFor((f) => f.body.case === 'push' && JSON.stringify(f.body.value).includes('maintenance'));
    expect((await server('DELETE', `/groups/${groupId}/members/${dave.userId}`)).status).toBe(204);
    expect((await server('GET', `/groups/${groupId}`)).json.memberCount).toBe(3); // alice, bob, the system account
    expect((await server('DELETE', `/groups/${groupId}`)).status).toBe(204);
    expect((await server('GET', `/groups/${groupId}`)).json.error).toMatchObject({ name: 'GROUP_DISSOLVED' });
    expect((await server('GET', '/groups/123456789')).status).toBe(404);
    d.close();
  });

  it('opens a live room, sends to it, and closes it', async () => {
    expect((await server('POST', '/rooms', { roomId: 'launch-live', hostId: alice.userId })).status).toBe(201);
    const sent = await server('POST', '/messages', { to: { roomId: 'launch-live' }, content: { text: { text: 'welcome' } }, clientMsgId: 'room-1' });
    expect(sent.status).toBe(200);
    expect(sent.json.roomId).toBe('launch-live');
    expect((await server('DELETE', '/rooms/launch-live')).status).toBe(204);
    expect((await server('POST', '/messages', { to: { roomId: 'launch-live' }, content: { text: { text: 'late' } }, clientMsgId: 'room-2' })).json.error).toMatchObject({ name: 'ROOM_NOT_FOUND' });
  });

  it('bans (closing live sessions), unbans and deletes users', async () => {
    const erin = await register(node.httpUrl, 'erin');
    const e = await device(node, erin, 'erin-phone');
    expect((await server('POST', `/users/${erin.userId}/ban`, { reason: 'spam' })).status).toBe(204);
    expect(await e.waitClosed()).toBe(CloseCodes.BANNED.code);
    expect((await server('GET', `/users/${erin.userId}`)).json.banned).toBe(true);
    expect((await api.call('POST', '/v1/login', { body: { username: erin.username, password: erin.password, deviceId: 'x' } })).json.error).toMatchObject({ name: 'BANNED' });
    expect((await server('DELETE', `/users/${erin.userId}/ban`)).status).toBe(204);
    expect((await api.call('POST', '/v1/login', { body: { username: erin.username, password: erin.password, deviceId: 'x' } })).status).toBe(200);
    expect((await server('DELETE', `/users/${erin.userId}`)).status).toBe(204);
    const issued = await server('POST', `/users/${erin.userId}/tokens`, { deviceId: 'y' });
    expect(issued.json.error).toMatchObject({ name: 'BANNED' });
  });

  it('broadcasts a notice to every user', async () => {
    const frank = await register(node.httpUrl, 'frank');
    const f = await device(node, frank, 'frank-phone');
    const r = await server('POST', '/broadcasts', { content: { text: { text: 'new terms of service' } }, clientMsgId: 'tos-2026' });
    expect(r.status).toBe(200);
    expect(r.json.recipients).toBeGreaterThanOrEqual(6);
    await f.waitFor((x) => x.body.case === 'push' && JSON.stringify(x.body.value).includes('terms of service'));
    const bobs = await server('GET', `/users/${bob.userId}/conversations`);
    expect(bobs.status).toBe(200);
    f.close();
  });

  it('records logins, logouts and connections per device in the event log, paged through the server API', async () => {
    const gina = await register(node.httpUrl, 'gina');
    const g = await device(node, gina, 'gina-phone'); // login + connect
    g.close();
    await g.waitClosed();
    const issued = await server('POST', `/users/${gina.userId}/tokens`, { deviceId: 'gina-web', platform: 'web' });
    expect((await api.call('POST', '/v1/logout', { bearer: issued.json.accessToken as string })).status).toBe(204);
    type Ev = { id: string; type: string; deviceId: string; ip: string; detail: string; userId: string };
    const all = async (query: string): Promise<Ev[]> => {
      const out: Ev[] = [];
      let after = '';
      for (;;) {
        const r = await server('GET', `/events?userId=${gina.userId}&limit=2${query}${after ? `&after=${after}` : ''}`);
        expect(r.status).toBe(200);
        out.push(...(r.json.events as Ev[]));
        if (r.json.next === null) return out;
        after = r.json.next as string;
      }
    };
    await waitFor('five events', async () => (await all('')).length >= 5);
    const events = await all('');
    expect(events.map((e) => `${e.type} ${e.deviceId}`)).toEqual(['login gina-phone', 'connect gina-phone', 'disconnect gina-phone', 'login gina-web', 'logout gina-web']);
    expect(events.every((e) => e.userId === gina.userId)).toBe(true);
    expect(events[0]).toMatchObject({ ip: '127.0.0.1', detail: 'password' });
    expect(events[3]!.detail).toBe('server API');
    expect((await all('&type=connect,disconnect')).map((e) => e.type)).toEqual(['connect', 'disconnect']);
    expect((await server('GET', '/events?type=bogus')).status).toBe(400);
  });

  it('finds, bans, ends the sessions of and resets users of the app the operator names (usernames are unique per app)', async () => {
    const adminCall = (method: string, path: string, b?: unknown) =>
      api.call(method, `/v1/admin${path}`, { ...(b !== undefined ? { body: b } : {}), bearer: TEST_ADMIN_TOKEN });
    expect((await adminCall('POST', '/apps', { id: 'ops-app-b' })).status).toBe(201);
    const inDefault = await register(node.httpUrl, 'twin');
    const inB: Account = { ...inDefault, appId: 'ops-app-b' };
    expect((await api.call('POST', '/v1/register', { body: { username: inB.username, password: inB.password, appId: 'ops-app-b' } })).status).toBe(201);
    const bId = String((await adminCall('GET', `/users?username=${inB.username}&app=ops-app-b`)).json.userId);
    expect(bId).not.toBe(inDefault.userId);
    expect((await adminCall('GET', `/users?username=${inB.username}`)).json).toMatchObject({ userId: inDefault.userId, app: 'default' });
    expect((await adminCall('GET', `/users?username=${inB.username}&app=ops-app-b`)).json).toMatchObject({ userId: bId, app: 'ops-app-b' });
    expect((await adminCall('GET', `/users?username=${inB.username}&app=no-such-app`)).json.error).toMatchObject({ name: 'APP_NOT_FOUND' });
    // Search: one app's users, each shown with its app; a user id of another app is not found in this one.
    const searchB = await adminCall('GET', `/users/search?prefix=${inB.username}&app=ops-app-b`);
    expect(searchB.json.users).toEqual([{ userId: bId, username: inB.username, createdAt: expect.any(Number), app: 'ops-app-b' }]);
    expect((await adminCall('GET', `/users/search?prefix=${inB.username}`)).json.users).toMatchObject([{ userId: inDefault.userId, app: 'default' }]);
    expect((await adminCall('GET', `/users/search?prefix=${bId}`)).json.users).toEqual([]);
    expect((await adminCall('GET', `/users/search?prefix=${bId}&app=ops-app-b`)).json.users).toMatchObject([{ userId: bId, app: 'ops-app-b' }]);
    expect((await adminCall('GET', '/users/search?prefix=a&app=no-such-app')).json.error).toMatchObject({ name: 'APP_NOT_FOUND' });

    // Ban B's user (app in the body): B's device closes with BANNED, the `default` twin stays connected.
    const [lb, ld] = await Promise.all([
      api.call('POST', '/v1/login', { body: { username: inB.username, password: inB.password, deviceId: 'b-phone', appId: 'ops-app-b' } }),
      api.call('POST', '/v1/login', { body: { username: inDefault.username, password: inDefault.password, deviceId: 'd-phone' } }),
    ]);
    const { c: bLive } = await connectWith(lb.json.accessToken as string);
    const { c: dLive } = await connectWith(ld.json.accessToken as string);
    const banned = await adminCall('POST', `/users/${inB.username}/ban`, { app: 'ops-app-b', reason: 'b only' });
    expect(banned.json).toMatchObject({ userId: Number(bId), username: inB.username, app: 'ops-app-b', banned: true });
    expect(await bLive.waitClosed()).toBe(CloseCodes.BANNED.code);
    expect((await adminCall('GET', `/users?username=${inB.username}`)).json).toMatchObject({ banned: false });
    // The app may come in the query too; unknown apps are APP_NOT_FOUND on every route.
    expect((await api.call('POST', `/v1/admin/users/${inB.username}/unban?app=ops-app-b`, { body: {}, bearer: TEST_ADMIN_TOKEN })).json)
      .toMatchObject({ app: 'ops-app-b', banned: false });
    for (const path of ['ban', 'unban', 'sessions/revoke', 'password']) {
      expect((await adminCall('POST', `/users/${inB.username}/${path}`, { app: 'no-such-app' })).json.error).toMatchObject({ name: 'APP_NOT_FOUND' });
    }
    // Reset B's password: only B's twin changes and only B's sessions end.
    const reset = await adminCall('POST', `/users/${inB.username}/password`, { app: 'ops-app-b', password: 'b-new-password' });
    expect(reset.json).toMatchObject({ userId: bId, app: 'ops-app-b', password: 'b-new-password' });
    expect((await api.call('POST', '/v1/login', { body: { username: inB.username, password: 'b-new-password', deviceId: 'b2', appId: 'ops-app-b' } })).status).toBe(200);
    expect((await api.call('POST', '/v1/login', { body: { username: inDefault.username, password: inDefault.password, deviceId: 'd2' } })).status).toBe(200);
    const revokeB = await api.call('POST', `/v1/admin/users/${inB.username}/sessions/revoke?app=ops-app-b`, { bearer: TEST_ADMIN_TOKEN });
    expect(revokeB.json).toMatchObject({ userId: bId, app: 'ops-app-b' });
    // The `default` twin's connection outlived all of it.
    body(await dLive.request({ case: 'ping', value: {} }), 'pong');
  });

  it('exercised every documented operation, each response valid against the document', async () => {
    // The remaining public and operator endpoints, validated the same way.
    expect((await api.call('GET', '/healthz')).status).toBe(200);
    expect((await api.call('GET', '/v1/access')).status).toBe(200);
    expect((await api.call('GET', '/v1/metrics', { bearer: TEST_ADMIN_TOKEN })).status).toBe(200);
    expect((await api.call('GET', '/metrics', { bearer: TEST_ADMIN_TOKEN })).status).toBe(200);
    expect((await api.call('POST', '/v1/register', { body: { username: 'x', password: 'short' } })).status).toBe(400);
    expect((await api.call('GET', '/v1/push/webpush-key')).status).toBe(404); // Web Push is off on this node
    const l = await api.call('POST', '/v1/login', { body: { username: alice.username, password: alice.password, deviceId: 'alice-web', platform: 'web' } });
    const token = l.json.accessToken as string;
    // Another device (a new browser tab) from the live access token; its own device id is refused.
    const tab = await api.call('POST', '/v1/sessions', { body: { deviceId: 'alice-web-tab2', platform: 'web' }, bearer: token });
    expect(tab.status).toBe(200);
    expect(tab.json.deviceId).toBe('alice-web-tab2');
    expect((await api.call('POST', '/v1/sessions', { body: { deviceId: 'alice-web', platform: 'web' }, bearer: token })).status).toBe(400);
    expect((await api.call('POST', '/v1/push/tokens', { body: { provider: 'webhook', token: 'pager-1' }, bearer: token })).status).toBe(204);
    expect((await api.call('DELETE', '/v1/push/tokens', { bearer: token })).status).toBe(204);
    // The operator's ban (xinbox user ban): admin token, by username.
    const olga = await register(node.httpUrl, 'olga');
    const banned = await api.call('POST', `/v1/admin/users/${olga.username}/ban`, { body: { minutes: 5, reason: 'test' }, bearer: TEST_ADMIN_TOKEN });
    expect(banned.status).toBe(200);
    expect(banned.json).toMatchObject({ username: olga.username, banned: true });
    expect((await api.call('POST', `/v1/admin/users/${olga.username}/unban`, { body: {}, bearer: TEST_ADMIN_TOKEN })).json).toMatchObject({ banned: false, bannedUntil: 0 });
    expect((await api.call('POST', '/v1/admin/users/nobody_at_all/ban', { body: {}, bearer: TEST_ADMIN_TOKEN })).status).toBe(404);
    // The admin console's reads, behind the admin token.
    const admin = (path: string) => api.call('GET', `/v1/admin${path}`, { bearer: TEST_ADMIN_TOKEN });
    expect((await api.call('GET', `/v1/admin/users?username=${alice.username}`, { bearer: SECRET_NEW })).status).toBe(401);
    expect((await admin(`/users?username=${alice.username.toUpperCase()}`)).json).toMatchObject({ userId: alice.userId, banned: false });
    expect((await admin('/users?username=nobody-here')).status).toBe(404);
    const events = await admin(`/users/${alice.userId}/events`);
    expect((events.json.events as Array<{ type: string }>).some((e) => e.type === 'login')).toBe(true);
    // Account actions: prefix search, end every session (the device's connection closes), reset the password.
    const found = await admin(`/users/search?prefix=${alice.username.slice(0, -1).toUpperCase()}&limit=5`);
    expect((found.json.users as Array<{ username: string }>).map((u) => u.username)).toContain(alice.username);
    expect((await admin('/users/search')).status).toBe(400);
    const { c: live } = await connectWith(token);
    const revoked = await api.call('POST', `/v1/admin/users/${alice.username}/sessions/revoke`, { bearer: TEST_ADMIN_TOKEN });
    expect(revoked.json.revoked).toBeGreaterThanOrEqual(2);
    expect(await live.waitClosed()).toBe(CloseCodes.LOGGED_OUT.code);
    expect((await api.call('POST', '/v1/admin/users/nobody_at_all/sessions/revoke', { bearer: TEST_ADMIN_TOKEN })).status).toBe(404);
    const reset = await api.call('POST', `/v1/admin/users/${alice.username}/password`, { body: {}, bearer: TEST_ADMIN_TOKEN });
    expect(reset.json.password).toMatch(/^.{16}$/);
    const relogin = await api.call('POST', '/v1/login', { body: { username: alice.username, password: reset.json.password, deviceId: 'alice-web', platform: 'web' } });
    expect(relogin.status).toBe(200);
    expect((await api.call('POST', '/v1/login', { body: { username: alice.username, password: alice.password, deviceId: 'alice-web' } })).status).toBe(401);
    expect((await api.call('POST', `/v1/admin/users/${alice.username}/password`, { body: { password: 'short' }, bearer: TEST_ADMIN_TOKEN })).status).toBe(400);
    expect((await api.call('POST', `/v1/admin/users/${alice.username}/password`, { body: { password: alice.password }, bearer: TEST_ADMIN_TOKEN })).json.password).toBe(alice.password);
    // Groups: a user's groups, one group with its members, remove a member, dissolve.
    const team = await server('POST', '/groups', { ownerId: bob.userId, name: 'ops-team', memberIds: [alice.userId, olga.userId] });
    const teamId = team.json.groupId as string;
    const ofBob = await admin(`/users/${bob.userId}/groups`);
    expect((ofBob.json.groups as Array<{ groupId: string; title: string }>).find((g) => g.groupId === teamId)).toMatchObject({ title: 'ops-team', memberCount: 3 });
    const detail = await admin(`/groups/${teamId}`);
    expect(detail.json.group).toMatchObject({ groupId: teamId, name: 'ops-team' });
    expect((detail.json.members as Array<{ username: string; role: string }>).map((m) => `${m.username}:${m.role}`).sort())
      .toEqual([`${alice.username}:member`, `${bob.username}:owner`, `${olga.username}:member`].sort());
    expect((await api.call('POST', `/v1/admin/groups/${teamId}/members/${olga.userId}/remove`, { bearer: TEST_ADMIN_TOKEN })).json).toEqual({ ok: true });
    expect(((await admin(`/groups/${teamId}`)).json.members as unknown[]).length).toBe(2);
    expect((await api.call('POST', `/v1/admin/groups/${teamId}/dissolve`, { bearer: TEST_ADMIN_TOKEN })).json).toEqual({ ok: true });
    expect(((await admin(`/groups/${teamId}`)).json.error as { name: string }).name).toBe('GROUP_DISSOLVED');
    expect((await admin('/groups/123456789')).status).toBe(404);
    // Live rooms: a viewer in a room is listed; closing it as the operator tells the viewer.
    expect((await server('POST', '/rooms', { roomId: 'admin-live', hostId: bob.userId })).status).toBe(201);
    const viewer = await RawClient.connect('ws', node);
    const bobLogin = await api.call('POST', '/v1/login', { body: { username: bob.username, password: bob.password, deviceId: 'bob-viewer' } });
    expect((await viewer.request({ case: 'auth', value: { token: bobLogin.json.accessToken as string } })).body.case).toBe('authOk');
    expect((await viewer.request({ case: 'roomJoin', value: { roomId: 'admin-live', afterSeq: 0 } })).body.case).toBe('roomJoined');
    const liveRooms = (await admin('/rooms')).json.rooms as Array<{ roomId: string; localViewers: number; viewerIds: string[] }>;
    expect(liveRooms.find((r) => r.roomId === 'admin-live')).toMatchObject({ localViewers: 1, viewerIds: [bob.userId] });
    expect((await api.call('POST', '/v1/admin/rooms/admin-live/close', { bearer: TEST_ADMIN_TOKEN })).json).toEqual({ ok: true });
    await waitFor('the closed room to leave the list', async () => !((await admin('/rooms')).json.rooms as Array<{ roomId: string }>).some((r) => r.roomId === 'admin-live'));
    viewer.close();
    expect((await api.call('POST', '/v1/admin/rooms/no-such-room/close', { bearer: TEST_ADMIN_TOKEN })).json.error).toMatchObject({ name: 'ROOM_NOT_FOUND' });
    // The moderation queue and the webhook delivery log (full flows: web/test/admin-console-browser.test.ts).
    expect((await admin('/reports')).json).toEqual({ reports: [] });
    expect((await admin('/reports?status=bogus')).status).toBe(400);
    // A report from a user's device, reviewed by the operator: mute its sender; a second decision is refused.
    const spam = await server('POST', '/messages', { from: olga.userId, to: { userId: bob.userId }, content: { text: { text: 'cheap pills' } }, clientMsgId: 'spam-1' });
    const bobDevice = await api.call('POST', '/v1/login', { body: { username: bob.username, password: bob.password, deviceId: 'bob-reporter' } });
    const { c: reporter } = await connectWith(bobDevice.json.accessToken as string);
    const filed = await reporter.request({ case: 'reportMessage', value: { conversationId: spam.json.conversationId as string, seq: spam.json.seq as number, reason: 'spam' } });
    expect(filed.body.case).toBe('reportInfo');
    reporter.close();
    const queue = (await admin('/reports')).json.reports as Array<Record<string, unknown>>;
    expect(queue).toHaveLength(1);
    expect(queue[0]).toMatchObject({ excerpt: 'cheap pills', senderId: olga.userId, reporterId: bob.userId, reason: 'spam', status: 'open' });
    const muted = await api.call('POST', `/v1/admin/reports/${queue[0]!.id as string}/resolve`, { body: { action: 'mute', minutes: 5, note: 'spam' }, bearer: TEST_ADMIN_TOKEN });
    expect(muted.json).toMatchObject({ status: 'resolved', resolution: 'mute', resolvedBy: '0' });
    const twice = await api.call('POST', `/v1/admin/reports/${queue[0]!.id as string}/resolve`, { body: { action: 'dismiss' }, bearer: TEST_ADMIN_TOKEN });
    expect(twice.json.error).toMatchObject({ name: 'PERMISSION_DENIED' });
    expect((await admin('/reports?status=resolved&limit=5')).json.reports).toEqual([expect.objectContaining({ id: queue[0]!.id, resolution: 'mute' })]);
    const blocked = await server('POST', '/messages', { from: olga.userId, to: { userId: bob.userId }, content: { text: { text: 'again' } }, clientMsgId: 'spam-2' });
    expect(blocked.json.error).toMatchObject({ name: 'MUTED' });
    const resolveMissing = await api.call('POST', '/v1/admin/reports/no-such-report/resolve', { body: { action: 'dismiss' }, bearer: TEST_ADMIN_TOKEN });
    expect(resolveMissing.status).toBe(404);
    expect((await api.call('POST', '/v1/admin/reports/x/resolve', { body: { action: 'shout' }, bearer: TEST_ADMIN_TOKEN })).status).toBe(400);
    expect((await admin('/webhooks/deliveries?lane=3&type=message.sent&event=0b5e-x&limit=5')).json).toEqual({ deliveries: [] });
    expect((await admin('/webhooks/deliveries?lane=99999')).status).toBe(400);
    expect((await admin('/webhooks/lanes')).json).toEqual({ lanes: [] });
    expect((await api.call('GET', '/v1/admin/webhooks/lanes', { bearer: SECRET_NEW })).status).toBe(401);
    // Apps (full flows: admin-apps.test.ts): create, list, get, patch, rotate, retire, delete.
    const appCall = (method: string, path: string, b?: unknown) => api.call(method, `/v1/admin/apps${path}`, { ...(b !== undefined ? { body: b } : {}), bearer: TEST_ADMIN_TOKEN });
    const shop = await appCall('POST', '', { id: 'api-test-app', name: 'API test' });
    expect(shop.status).toBe(201);
    expect(((await appCall('GET', '')).json.apps as Array<{ id: string }>).map((a) => a.id)).toContain('api-test-app');
    expect((await appCall('PATCH', '/api-test-app', { limits: { limitSendPerUser: 3 } })).json.app).toMatchObject({ limits: { limitSendPerUser: 3 } });
    const second = await appCall('POST', '/api-test-app/secrets');
    expect((await appCall('DELETE', `/api-test-app/secrets/${shop.json.digestPrefix as string}`)).json.app).toMatchObject({ secrets: [second.json.digestPrefix] });
    expect((await appCall('GET', '/api-test-app')).json.app).toMatchObject({ version: 4 });
    expect((await appCall('DELETE', '/api-test-app')).json).toEqual({ ok: true });
    const missing = api.operations().filter((op) => !api.exercised.has(op));
    expect(missing).toEqual([]);
  });
});
