/**
 * Apps isolation (ADR 0013) over real sockets and HTTP: SDK clients of two
 * apps against one real server (SQLite). A user of app B holding a valid
 * token tries every operation that links principals against app A's users,
 * groups, rooms, shops and lookups, and app B's server API secret tries app
 * A's users, groups and rooms: every attempt is refused exactly as if the
 * target did not exist. The same username in two apps is two users.
 *
 * LINKING_PROBES below is also the list the enumeration test checks against
 * every request the server handles (the last describe): a new request type
 * must be classified there, and one that links principals must bring a probe.
 */
import { Errors, JoinPolicy, XinboxError, type ErrorSpec } from '@xinbox/protocol';
import { HttpApi, MemoryCursorStore, XinboxClient } from '@xinbox/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { conversationSettingsHandlers } from '../../src/gateway/handlers/conversation-settings-handlers.js';
import { groupHandlers } from '../../src/gateway/handlers/group-handlers.js';
import { messagingHandlers } from '../../src/gateway/handlers/messaging-handlers.js';
import { moderationHandlers } from '../../src/gateway/handlers/moderation-handlers.js';
import { pinHandlers } from '../../src/gateway/handlers/pin-handlers.js';
import { roomHandlers } from '../../src/gateway/handlers/room-handlers.js';
import { searchHandlers } from '../../src/gateway/handlers/search-handlers.js';
import { serviceHandlers } from '../../src/gateway/handlers/service-handlers.js';
import { socialHandlers } from '../../src/gateway/handlers/social-handlers.js';
import { startTestNode } from '../support/server.js';

const DEFAULT_SECRET = 'default-app-secret-0123456789abcdef0123';
const APP_B = 'shop-b';
const PASSWORD = 'pw-apps-12345';

type Node = Awaited<ReturnType<typeof startTestNode>>;

/** What the probes reach: A's principals (default app) and B's client. */
interface World {
  readonly b: XinboxClient;
  readonly bId: string;
  readonly annA: string;
  readonly groupA: string;
  readonly openGroupA: string;
  readonly shopA: string;
  readonly roomA: string;
  readonly bGroup: string;
  readonly bShop: string;
}

/**
 * One cross-app attempt per request that links principals (ADR 0013 §5),
 * and the error a non-existent target gets.
 */
const LINKING_PROBES: Record<string, { expect: ErrorSpec; run: (w: World) => Promise<unknown> }> = {
  openDirect: { expect: Errors.NOT_FOUND, run: (w) => w.b.openDirect({ userId: w.annA }) },
  userLookup: { expect: Errors.NOT_FOUND, run: async (w) => {
    if ((await w.b.lookupUser('ann-friend')) === undefined) throw new XinboxError(Errors.NOT_FOUND);
  } },
  profileGet: { expect: Errors.NOT_FOUND, run: async (w) => {
    if ((await w.b.getProfiles([w.annA])).length === 0) throw new XinboxError(Errors.NOT_FOUND);
  } },
  friendRequestSend: { expect: Errors.NOT_FOUND, run: (w) => w.b.sendFriendRequest(w.annA, 'hi') },
  followSet: { expect: Errors.NOT_FOUND, run: (w) => w.b.follow(w.annA) },
  blockSet: { expect: Errors.NOT_FOUND, run: (w) => w.b.block(w.annA) },
  remarkSet: { expect: Errors.NOT_FOUND, run: (w) => w.b.setRemark(w.annA, 'x') },
  friendRemove: { expect: Errors.NOT_FOUND, run: (w) => w.b.removeFriend(w.annA) },
  groupCreate: { expect: Errors.NOT_FOUND, run: (w) => w.b.createGroup('mixed', [w.annA]) },
  groupInvite: { expect: Errors.NOT_FOUND, run: (w) => w.b.inviteToGroup(w.bGroup, [w.annA]) },
  groupJoin: { expect: Errors.NOT_FOUND, run: (w) => w.b.joinGroup(w.openGroupA) },
  itemConversationOpen: { expect: Errors.NOT_FOUND, run: (w) => w.b.openItemConversation(w.annA, { itemId: 'i1', title: 'Lamp' }) },
  shopGet: { expect: Errors.SHOP_NOT_FOUND, run: (w) => w.b.getShop(w.shopA) },
  serviceOpen: { expect: Errors.SHOP_NOT_FOUND, run: (w) => w.b.openService(w.shopA) },
  shopAgentSet: { expect: Errors.NOT_FOUND, run: (w) => w.b.setShopAgent(w.bShop, w.annA) },
  roomJoin: { expect: Errors.ROOM_NOT_FOUND, run: (w) => w.b.joinRoom(w.roomA) },
};

/**
 * Every other request, and why it needs no app check: it acts on the caller
 * alone, or on something the caller reaches only through a membership,
 * relation, join or role that a linking request above created (checked).
 */
const NOT_LINKING: Record<string, string> = {
  send: 'member of the conversation', pushAck: 'own timeline', sync: 'own timeline', history: 'member', pullRange: 'member',
  markRead: 'member', typing: 'member', listConversations: 'own list', presenceQuery: 'contacts only (shared conversation or friend)',
  presenceSubscribe: 'contacts only', groupGet: 'member', groupApprove: 'the requester passed groupJoin', groupLeave: 'member',
  groupKick: 'member', groupSetRole: 'member', groupTransfer: 'new owner is a member', groupDissolve: 'owner', groupUpdate: 'admin',
  groupMembers: 'member', groupMute: 'member', groupSettings: 'member', readReceipts: 'member', profileUpdate: 'self', privacyGet: 'self',
  privacyUpdate: 'self', friendRequestRespond: 'a request that friendRequestSend created', friendRequestCancel: 'own request',
  friendRequestList: 'own requests', relationList: 'own relations', relationSync: 'own feed', conversationSettingsSet: 'own settings',
  messagesHide: 'own view', reportMessage: 'member', modReportList: 'moderators (default-app users named in config)',
  modResolve: 'moderators', modPunish: 'moderators', modAuditRead: 'moderators', shopCreate: 'own shop',
  serviceAgentStatus: 'an agent shopAgentSet added', serviceList: 'shop admin or agent', serviceTransfer: 'to an agent of the shop',
  serviceClose: 'a party of the conversation', serviceRate: 'the customer', itemConversationList: 'own list', search: 'own messages',
  pinList: 'member', roomLeave: 'joined', roomSend: 'joined', roomPushAck: 'joined', roomPull: 'joined',
  roomAdmin: 'the host, on its own room (targets of another app cannot join it)',
};

/** Every request type a gateway dispatches (the handler tables node.ts composes). */
function handledRequests(): string[] {
  const x = {} as never;
  const tables = [
    messagingHandlers(x, x, x), groupHandlers(x), socialHandlers(x), conversationSettingsHandlers(x), moderationHandlers(x),
    serviceHandlers(x, x), searchHandlers(x), pinHandlers(x), roomHandlers(x, x),
  ];
  return [...new Set(tables.flatMap((t) => Object.keys(t)))].sort();
}

const codeOf = (p: Promise<unknown>): Promise<number | 'resolved'> => p.then(() => 'resolved' as const, (e: XinboxError) => e.code);

describe('apps: isolation over sockets and HTTP', () => {
  let node: Node;
  let secretB = '';
  const clients: XinboxClient[] = [];
  let w: World;

  const client = async (username: string, appId: string | undefined, deviceId: string): Promise<XinboxClient> => {
    const c = new XinboxClient({
      baseUrl: node.httpUrl, deviceId, ...(appId ? { appId } : {}), cursorStore: new MemoryCursorStore(), autoListConversations: false,
      reconnect: { baseMs: 50, maxMs: 200 },
    });
    clients.push(c);
    await c.login(username, PASSWORD);
    await c.connect();
    return c;
  };
  const server = async (method: string, path: string, secret: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> => {
    const r = await fetch(`${node.httpUrl}/v1/server${path}`, {
      method, headers: { authorization: `Bearer ${secret}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await r.text();
    return { status: r.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  };

  beforeAll(async () => {
    node = await startTestNode({ serverApiSecrets: DEFAULT_SECRET });
    secretB = (await node.apps.create(APP_B, 'Shop B')).secret;
    const httpA = new HttpApi(node.httpUrl);
    await httpA.register('ann', PASSWORD);
    await httpA.register('ann-friend', PASSWORD);
    await new HttpApi(node.httpUrl).register('bob', PASSWORD, APP_B);
    await new HttpApi(node.httpUrl).register('ann', PASSWORD, APP_B);
    const ann = await client('ann', undefined, 'ann-phone');
    const annFriend = await client('ann-friend', undefined, 'af-phone');
    const b = await client('bob', APP_B, 'bob-phone');
    const groupA = (await ann.createGroup('A team', [annFriend.userId!])).group!.conversationId;
    const openGroupA = (await ann.createGroup('A open', [], { joinPolicy: JoinPolicy.OPEN })).group!.conversationId;
    const shopA = (await ann.createShop('A shop')).shopId;
    const roomA = `room-a-${Date.now()}`;
    await ann.createRoom(roomA);
    const bGroup = (await b.createGroup('B team', [])).group!.conversationId;
    const bShop = (await b.createShop('B shop')).shopId;
    w = { b, bId: b.userId!, annA: ann.userId!, groupA, openGroupA, shopA, roomA, bGroup, bShop };
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await node?.cleanup();
  });

  it('keeps the same username in two apps as two users, each logging in to its own app; an unknown app is APP_NOT_FOUND', async () => {
    const annB = await client('ann', APP_B, 'ann-b-phone');
    expect(annB.userId).not.toBe(w.annA);
    const http = new HttpApi(node.httpUrl);
    const sessionA = await http.login('ann', PASSWORD, 'x1', 'web');
    const sessionB = await http.login('ann', PASSWORD, 'x2', 'web', APP_B);
    expect(sessionA.userId).toBe(w.annA);
    expect(sessionB.userId).toBe(annB.userId);
    // The access token says which app; a default token carries no claim (tokens from before apps look the same).
    const claims = (t: string) => JSON.parse(Buffer.from(t.split('.')[0]!, 'base64url').toString()) as { app?: string };
    expect(claims(sessionB.accessToken).app).toBe(APP_B);
    expect(claims(sessionA.accessToken).app).toBeUndefined();
    // A refresh keeps the app.
    const refreshed = await http.refresh(sessionB.refreshToken);
    expect(claims(refreshed.accessToken).app).toBe(APP_B);
    // So does a session for another device of the same user.
    const tab = await http.addDevice(refreshed.accessToken, 'x2-tab', 'web');
    expect([tab.userId, claims(tab.accessToken).app]).toEqual([annB.userId, APP_B]);
    // bob exists only in app B.
    expect(await codeOf(http.login('bob', PASSWORD, 'x3', 'web'))).toBe(Errors.BAD_CREDENTIALS.code);
    expect(await codeOf(http.login('ann', PASSWORD, 'x4', 'web', 'no-such-app'))).toBe(Errors.APP_NOT_FOUND.code);
    expect(await codeOf(http.register('zed', PASSWORD, 'no-such-app'))).toBe(Errors.APP_NOT_FOUND.code);
    expect(await codeOf(http.register('ann', PASSWORD, APP_B))).toBe(Errors.USERNAME_TAKEN.code);
    // Within one app everything links as before.
    expect((await w.b.openDirect({ username: 'ann' })).conversationId).toBeTruthy();
    expect((await w.b.lookupUser('ann'))?.userId).toBe(annB.userId);
  });

  for (const [name, probe] of Object.entries(LINKING_PROBES)) {
    it(`refuses ${name} from app B against app A's principal as ${probe.expect.name}`, async () => {
      expect(await codeOf(probe.run(w))).toBe(probe.expect.code);
    });
  }

  it('answers app B\'s server API secret NOT_FOUND for app A\'s users, groups and rooms; creates users in app B', async () => {
    const a = w.annA;
    for (const [method, path, body] of [
      ['GET', `/users/${a}`, undefined],
      ['PATCH', `/users/${a}`, { displayName: 'x' }],
      ['POST', `/users/${a}/tokens`, { deviceId: 'srv' }],
      ['POST', `/users/${a}/ban`, {}],
      ['DELETE', `/users/${a}`, undefined],
      ['GET', `/users/${a}/conversations`, undefined],
      ['GET', `/conversations/${w.groupA}/messages?asUser=${a}`, undefined],
      ['POST', '/messages', { to: { userId: a }, content: { text: { text: 'hi' } }, clientMsgId: 'x1' }],
      ['POST', '/messages', { from: a, to: { userId: w.bId }, content: { text: { text: 'hi' } }, clientMsgId: 'x2' }],
      ['POST', '/messages', { to: { groupId: w.groupA }, content: { text: { text: 'hi' } }, clientMsgId: 'x3' }],
      ['GET', `/groups/${w.groupA}`, undefined],
      ['PATCH', `/groups/${w.groupA}`, { name: 'mine' }],
      ['POST', `/groups/${w.groupA}/members`, { userIds: [w.bId] }],
      ['DELETE', `/groups/${w.groupA}`, undefined],
      ['POST', '/groups', { ownerId: a, name: 'g' }],
      ['POST', '/groups', { ownerId: w.bId, name: 'g', memberIds: [a] }],
      ['POST', `/groups/${w.bGroup}/members`, { userIds: [a] }],
      ['POST', '/rooms', { roomId: `r-${Date.now()}`, hostId: a }],
      ['DELETE', `/rooms/${w.roomA}`, undefined],
      ['GET', `/events?userId=${a}`, undefined],
    ] as const) {
      const r = await server(method, path, secretB, body);
      expect([`${method} ${path}`, r.status]).toEqual([`${method} ${path}`, 404]);
    }
    // The default app's secret still reaches A's users (existing callers unchanged) and not B's.
    expect((await server('GET', `/users/${a}`, DEFAULT_SECRET)).status).toBe(200);
    expect((await server('GET', `/users/${w.bId}`, DEFAULT_SECRET)).status).toBe(404);
    expect((await server('GET', `/users/${w.bId}`, secretB)).json).toMatchObject({ userId: w.bId, username: 'bob' });
    // A user created with B's secret is B's: it logs in to app B only.
    const created = await server('POST', '/users', secretB, { username: 'carol', password: PASSWORD });
    expect(created.status).toBe(201);
    const http = new HttpApi(node.httpUrl);
    expect((await http.login('carol', PASSWORD, 'c1', 'web', APP_B)).userId).toBe(created.json.userId);
    expect(await codeOf(http.login('carol', PASSWORD, 'c2', 'web'))).toBe(Errors.BAD_CREDENTIALS.code);
    expect((await server('POST', '/users', secretB, { username: 'carol', password: PASSWORD })).status).toBe(409);
    expect((await server('POST', '/users', DEFAULT_SECRET, { username: 'carol', password: PASSWORD })).status).toBe(201);
  });

  it('broadcasts to the app\'s own users only', async () => {
    const usersOf = async (appId: string) => (await node.apps.get(appId)) && (await countUsers(appId));
    const countUsers = async (appId: string) => {
      const r = await server('POST', '/broadcasts', appId === APP_B ? secretB : DEFAULT_SECRET, { content: { text: { text: `notice ${appId}` } }, clientMsgId: `b-${appId}-${Date.now()}` });
      expect(r.status).toBe(200);
      return r.json as { recipients: number; failed: number };
    };
    const b = await usersOf(APP_B);
    // App B: bob, ann (B), carol; its system account is its own and is not a recipient.
    expect(b).toEqual({ recipients: 3, failed: 0 });
    const got = await w.b.listConversations();
    expect(got.conversations.length).toBeGreaterThan(0);
    const a = await usersOf('default');
    // Default: ann, ann-friend, carol (default) and nobody of B.
    expect(a).toEqual({ recipients: 3, failed: 0 });
  });
});

describe('apps: every request that links principals is checked', () => {
  it('classifies every request the gateway handles as linking (with a cross-app probe) or not (with the reason)', () => {
    const classified = [...Object.keys(LINKING_PROBES), ...Object.keys(NOT_LINKING)].sort();
    // A new request type fails here until it is classified; a linking one needs a probe in LINKING_PROBES.
    expect(handledRequests()).toEqual(classified);
    expect(Object.keys(LINKING_PROBES).filter((k) => k in NOT_LINKING)).toEqual([]);
  });
});
