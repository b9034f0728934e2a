import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloseCodes, Errors, ModAction } from '@xinbox/protocol';
import { device, login, postJson, register, text, type Account, type RawClient } from '../support/raw-client.js';
import { startTestNode } from '../support/server.js';
import { body, errorCode } from '../support/frames.js';
import { waitFor } from '../support/wait-for.js';
import { createRoom, joined, send as roomSend } from '../rooms/support/room-client.js';

type Node = Awaited<ReturnType<typeof startTestNode>>;

const lexicon = mkdtempSync(join(tmpdir(), 'xinbox-lexicon-'));
afterAll(() => rmSync(lexicon, { recursive: true, force: true }));

describe.each(['sqlite', 'memory'] as const)('content filter and moderation on %s', (storage) => {
  let node: Node;
  let mod: Account;
  let alice: Account;
  let bob: Account;
  let a: RawClient;
  let b: RawClient;
  let conv = '';

  const send = (c: RawClient, id: string, t: string) =>
    c.request({ case: 'send', value: { conversationId: conv, clientMsgId: `${storage}-${id}`, content: text(t) } });
  const lastText = async (c: RawClient): Promise<string> => {
    const h = body(await c.request({ case: 'history', value: { conversationId: conv, limit: 1 } }), 'historyResult');
    const k = h.messages[0]!.content!.kind;
    return k.case === 'text' ? k.value.text : '';
  };

  beforeAll(async () => {
    const dir = join(lexicon, storage);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'politics.reject.txt'), '# rejected outright\n法轮功\nforbidden phrase\n');
    writeFileSync(join(dir, 'rude.mask.txt'), '傻逼\nidiot\n');
    writeFileSync(join(dir, 'ads.flag.txt'), '加微信\n');
    node = await startTestNode({ storage, lexiconDir: dir, moderators: `mod${storage}`, restrictionCacheMs: 60_000 });
    mod = await registerNamed(node.httpUrl, `mod${storage}`);
    [alice, bob] = await Promise.all([register(node.httpUrl, 'fa'), register(node.httpUrl, 'fb')]);
    a = await device(node, alice, 'fa');
    b = await device(node, bob, 'fb');
    conv = body(await a.request({ case: 'openDirect', value: { userId: bob.userId } }), 'conversationInfo').conversation!.conversationId;
  });
  afterAll(async () => {
    a?.close();
    b?.close();
    await node?.cleanup();
  });

  it('rejects, masks and flags, and catches evasion variants', async () => {
    expect(errorCode(await send(a, 'r1', '我们来聊聊法轮功吧'))).toBe(Errors.CONTENT_REJECTED.code);
    // Traditional characters, full-width letters, inserted spaces and punctuation, case.
    expect(errorCode(await send(a, 'r2', '法 輪-功'))).toBe(Errors.CONTENT_REJECTED.code);
    expect(errorCode(await send(a, 'r3', 'ＦＯＲＢＩＤＤＥＮ  p.h.r.a.s.e!'))).toBe(Errors.CONTENT_REJECTED.code);
    expect(errorCode(await send(a, 'r4', 'Forbidden\u200bPhrase'))).toBe(Errors.CONTENT_REJECTED.code);

    body(await send(a, 'm1', '你是个傻*逼吗, IDIOT'), 'sendAck');
    expect(await lastText(b)).toBe('你是个***吗, *****');
    body(await send(a, 'ok', 'a perfectly fine message'), 'sendAck');
    expect(await lastText(b)).toBe('a perfectly fine message');

    body(await send(a, 'f1', '便宜货 加 微 信 详聊'), 'sendAck');
    expect(await lastText(b)).toBe('便宜货 加 微 信 详聊');
    const m = await device(node, mod, 'mod-1');
    const reports = body(await m.request({ case: 'modReportList', value: {} }), 'modReports').reports;
    const flagged = reports.find((r) => r.reason.startsWith('filter:'));
    expect(flagged).toMatchObject({ senderId: alice.userId, reporterId: '0', conversationId: conv });
    m.close();
  });

  it('reloads the lexicon without a restart', async () => {
    const dir = join(lexicon, storage);
    body(await send(a, 'h1', 'brandnewword here'), 'sendAck');
    writeFileSync(join(dir, 'fresh.reject.txt'), 'brandnewword\n');
    await waitFor('the reloaded lexicon', async () => (await send(a, `h2-${Date.now()}`, 'brandnewword again')).body.case === 'error', 5_000);
    expect(errorCode(await send(a, 'h3', 'BrandNewWord!'))).toBe(Errors.CONTENT_REJECTED.code);
  });

  it('lets users report messages and moderators mute, ban and audit; a ban disconnects every device within a second', async () => {
    body(await send(a, 'rep', 'something nasty but not in the lexicon'), 'sendAck');
    const seq = body(await b.request({ case: 'history', value: { conversationId: conv, limit: 1 } }), 'historyResult').messages[0]!.seq;
    const report = body(await b.request({ case: 'reportMessage', value: { conversationId: conv, seq, reason: 'harassment' } }), 'reportInfo').report!;
    expect(report).toMatchObject({ senderId: alice.userId, reporterId: bob.userId, excerpt: 'something nasty but not in the lexicon' });
    // Only moderators review.
    expect(errorCode(await b.request({ case: 'modReportList', value: {} }))).toBe(Errors.PERMISSION_DENIED.code);

    const m = await device(node, mod, 'mod-2');
    body(await m.request({ case: 'modResolve', value: { reportId: report.reportId, action: ModAction.MUTE, mutedUntil: Date.now() + 60_000, note: 'cool down' } }), 'ok');
    expect(errorCode(await send(a, 'muted', 'hello?'))).toBe(Errors.MUTED.code);
    // Everywhere: a group too.
    const g = body(await a.request({ case: 'groupCreate', value: { name: 'g', memberIds: [bob.userId] } }), 'groupInfo').group!.conversationId;
    expect(errorCode(await a.request({ case: 'send', value: { conversationId: g, clientMsgId: `${storage}-g`, content: text('x') } }))).toBe(Errors.MUTED.code);
    // And live rooms: ordinary and reliable room messages are refused with the same code.
    const room = `mod-room-${storage}`;
    await createRoom(b, room);
    await joined(a, room);
    expect(errorCode(await roomSend(a, room, 'hi room'))).toBe(Errors.MUTED.code);
    expect(errorCode(await roomSend(a, room, 'a gift', { reliable: true, clientMsgId: `${storage}-gift` }))).toBe(Errors.MUTED.code);
    expect(errorCode(await m.request({ case: 'modResolve', value: { reportId: report.reportId, action: ModAction.DISMISS } }))).toBe(Errors.PERMISSION_DENIED.code);
    body(await m.request({ case: 'modPunish', value: { userId: alice.userId, action: ModAction.MUTE, mutedUntil: 0 } }), 'ok');
    body(await send(a, 'unmuted', 'back'), 'sendAck');
    expect((await roomSend(a, room, 'back in the room')).body.case).not.toBe('error');

    const a2 = await device(node, alice, 'fa-2', 'tcp');
    const t0 = Date.now();
    body(await m.request({ case: 'modPunish', value: { userId: alice.userId, action: ModAction.BAN, note: 'spam' } }), 'ok');
    const codes = await Promise.all([a.waitClosed(2_000), a2.waitClosed(2_000)]);
    expect(Date.now() - t0).toBeLessThan(1_000);
    expect(codes).toEqual([CloseCodes.BANNED.code, CloseCodes.BANNED.code]);
    const refused = await postJson(node.httpUrl, '/v1/login', { username: alice.username, password: alice.password, deviceId: 'again' });
    expect(refused.json).toMatchObject({ error: { code: Errors.BANNED.code } });

    const audit = body(await m.request({ case: 'modAuditRead', value: {} }), 'modAudit').entries;
    expect(audit.map((e) => e.action)).toEqual(['resolve:mute', 'mute', 'mute', 'ban']);
    expect(audit.map((e) => e.seq)).toEqual([1, 2, 3, 4]);
    expect(audit.every((e) => e.actorId === mod.userId && e.targetUserId === alice.userId)).toBe(true);

    body(await m.request({ case: 'modPunish', value: { userId: alice.userId, action: ModAction.UNBAN } }), 'ok');
    await login(node.httpUrl, alice, 'again');
    m.close();
  });
});

async function registerNamed(httpUrl: string, username: string): Promise<Account> {
  const password = 'moderator-password';
  const r = await postJson(httpUrl, '/v1/register', { username, password });
  if (r.status !== 201) throw new Error(`register failed: ${JSON.stringify(r.json)}`);
  return { userId: String(r.json.userId), username, password };
}
