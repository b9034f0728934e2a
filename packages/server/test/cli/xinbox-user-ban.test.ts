/**
 * `xinbox user ban|unban` (compiled, plain node) against a running server
 * (compiled, plain node): the CLI asks the server's admin route, which bans
 * through ModerationService, so a connected SDK device is closed with 4011
 * within a second and login is refused with BANNED; unban restores login.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloseCodes, Errors, XinboxError } from '@xinbox/protocol';
import { MemoryCursorStore, XinboxClient, type KickedEvent } from '@xinbox/sdk';
import { TEST_ADMIN_TOKEN } from '../support/admin.js';
import { freePort } from '../../src/devtools/free-port.js';
import { runXinbox } from '../support/cli.js';
import { spawnNode, type ProcessNode } from '../support/process-node.js';

const PASSWORD = 'a long password';

const xinbox = runXinbox;


function expectOneLine(text: string): void {
  expect(text.trim().split('\n')).toHaveLength(1);
  expect(text).not.toMatch(/^\s+at /m);
}

describe('xinbox user ban / unban', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'xinbox-ban-'));
  let node: ProcessNode;
  let cli: Record<string, string>; // what the operator's shell has: the server's settings
  const clients: XinboxClient[] = [];

  const device = (deviceId: string, appId?: string) => {
    const c = new XinboxClient({ baseUrl: node.httpUrl, deviceId, platform: 'desktop', cursorStore: new MemoryCursorStore(), ...(appId ? { appId } : {}) });
    clients.push(c);
    return c;
  };
  const loginError = async (username: string, appId?: string, password = PASSWORD): Promise<unknown> => {
    const c = device(`probe-${Math.random().toString(36).slice(2)}`, appId);
    return c.login(username, password).then(() => null, (e: unknown) => e);
  };

  beforeAll(async () => {
    node = await spawnNode({ XINBOX_DATA_DIR: dataDir, XINBOX_TCP_PORT: '-1', XINBOX_ADMIN_TOKEN: TEST_ADMIN_TOKEN });
    cli = { XINBOX_HOST: '127.0.0.1', XINBOX_PORT: new URL(node.httpUrl).port, XINBOX_ADMIN_TOKEN: TEST_ADMIN_TOKEN };
  }, 90_000);
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
    await node?.kill('SIGTERM');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('closes every connected device with 4011, refuses login with BANNED, and unban restores login', async () => {
    const username = `eve_${Date.now().toString(36)}`;
    const laptop = device('eve-laptop');
    await laptop.register(username, PASSWORD);
    await laptop.login(username, PASSWORD);
    await laptop.connect();
    const phone = device('eve-phone');
    await phone.login(username, PASSWORD);
    await phone.connect();
    const kicked = (c: XinboxClient) => new Promise<{ e: KickedEvent; at: number }>((r) => c.on('kicked', (e) => r({ e, at: Date.now() })));
    const both = Promise.all([kicked(laptop), kicked(phone)]);

    const ban = await xinbox(['user', 'ban', username, '--reason', 'spam run'], cli);
    const answered = Date.now();
    expect(ban.stderr).toBe('');
    expect(ban.code).toBe(0);
    expect(ban.stdout).toMatch(new RegExp(`^banned ${username} \\(id \\d+\\) until unbanned; `));
    const closes = await both;
    expect(closes.map((c) => c.e.code)).toEqual([CloseCodes.BANNED.code, CloseCodes.BANNED.code]);
    expect(closes.map((c) => c.e.reconnect)).toEqual(['never', 'never']);
    // Closed by the time the CLI had its answer, give or take a loaded machine's second.
    for (const c of closes) expect(c.at - answered).toBeLessThan(1_000);

    const refused = await loginError(username);
    expect(refused).toBeInstanceOf(XinboxError);
    expect((refused as XinboxError).code).toBe(Errors.BANNED.code);

    const unban = await xinbox(['user', 'unban', username], cli);
    expect(unban.code).toBe(0);
    expect(unban.stdout).toMatch(new RegExp(`^unbanned ${username} \\(id \\d+\\)\\n$`));
    expect(await loginError(username)).toBeNull();
  });

  it('bans for --minutes: login names the end of the ban', async () => {
    const username = `tim_${Date.now().toString(36)}`;
    await device('tim-1').register(username, PASSWORD);
    const before = Date.now();
    const ban = await xinbox(['user', 'ban', username, '--minutes', '30'], cli);
    expect(ban.code).toBe(0);
    const until = Date.parse(/until (\S+);/.exec(ban.stdout)![1]!);
    expect(until).toBeGreaterThanOrEqual(before + 30 * 60_000);
    expect(until).toBeLessThan(Date.now() + 30 * 60_000 + 1_000);
    const refused = await loginError(username) as XinboxError;
    expect(refused.code).toBe(Errors.BANNED.code);
    expect(refused.message).toContain(new Date(until).toISOString());
    expect((await xinbox(['user', 'unban', username], cli)).code).toBe(0);
  });

  it('--app picks the user of that app: the same name in `default` is left alone; reset-password likewise; an unknown app is APP_NOT_FOUND', async () => {
    const created = await fetch(`${node.httpUrl}/v1/admin/apps`, {
      method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
      body: JSON.stringify({ id: 'cli-app-b' }),
    });
    expect(created.status).toBe(201);
    const username = `twin_${Date.now().toString(36)}`;
    const inDefault = device('twin-default');
    await inDefault.register(username, PASSWORD);
    await inDefault.login(username, PASSWORD);
    await inDefault.connect();
    const inB = device('twin-b', 'cli-app-b');
    await inB.register(username, PASSWORD);
    await inB.login(username, PASSWORD);
    await inB.connect();
    let defaultKicked = false;
    const defaultClosed = new Promise<KickedEvent>((r) => inDefault.on('kicked', (e) => { defaultKicked = true; r(e); }));
    const bKicked = new Promise<KickedEvent>((r) => inB.on('kicked', r));

    const ban = await xinbox(['user', 'ban', username, '--app', 'cli-app-b'], cli);
    expect(ban.stderr).toBe('');
    expect(ban.stdout).toMatch(new RegExp(`^banned ${username} of app cli-app-b \\(id \\d+\\) until unbanned; `));
    expect((await bKicked).code).toBe(CloseCodes.BANNED.code);
    expect(((await loginError(username, 'cli-app-b')) as XinboxError).code).toBe(Errors.BANNED.code);
    expect(await loginError(username)).toBeNull();
    expect(defaultKicked).toBe(false);
    const unban = await xinbox(['user', 'unban', username, '--app', 'cli-app-b'], cli);
    expect(unban.stdout).toMatch(new RegExp(`^unbanned ${username} of app cli-app-b `));
    expect(await loginError(username, 'cli-app-b')).toBeNull();

    const reset = await xinbox(['user', 'reset-password', username, '--app', 'cli-app-b', '--password', 'the new password'], cli);
    expect(reset.stderr).toBe('');
    expect(reset.stdout).toMatch(new RegExp(`^reset the password of ${username} of app cli-app-b \\(id \\d+\\); \\d+ session\\(s\\) ended\\n$`));
    expect(await loginError(username, 'cli-app-b', 'the new password')).toBeNull();
    expect(await loginError(username)).toBeNull(); // the `default` twin keeps its password
    const random = await xinbox(['user', 'reset-password', username], cli);
    const generated = /to (\S+);/.exec(random.stdout)![1]!;
    expect(await loginError(username, undefined, generated)).toBeNull();
    expect((await defaultClosed).code).toBe(CloseCodes.LOGGED_OUT.code); // the reset of the `default` twin ended its session

    const unknown = await xinbox(['user', 'ban', username, '--app', 'no-such-app'], cli);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('APP_NOT_FOUND');
    expectOneLine(unknown.stderr);
  });

  it('fails in one line: unknown user, wrong token, server not running, no admin settings, bad --minutes', async () => {
    const unknown = await xinbox(['user', 'ban', 'nobody_here'], cli);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('NOT_FOUND');
    expectOneLine(unknown.stderr);

    const wrongToken = await xinbox(['user', 'ban', 'nobody_here'], { ...cli, XINBOX_ADMIN_TOKEN: 'not-the-servers-token-000' });
    expect(wrongToken.code).toBe(1);
    expect(wrongToken.stderr).toContain('XINBOX_ADMIN_TOKEN');
    expectOneLine(wrongToken.stderr);

    const closed = await freePort();
    const down = await xinbox(['user', 'ban', 'nobody_here'], { ...cli, XINBOX_PORT: String(closed) });
    expect(down.code).toBe(1);
    expect(down.stderr).toContain(`cannot reach the server at http://127.0.0.1:${closed}: connection refused`);
    expect(down.stderr).toContain('XINBOX_PORT');
    expectOneLine(down.stderr);

    const noAdmin = await xinbox(['user', 'unban', 'nobody_here'], { XINBOX_PORT: cli.XINBOX_PORT! });
    expect(noAdmin.code).toBe(1);
    expect(noAdmin.stderr).toContain('XINBOX_ADMIN_TOKEN');
    expectOneLine(noAdmin.stderr);

    const badMinutes = await xinbox(['user', 'ban', 'x', '--minutes', '-5'], cli);
    expect(badMinutes.code).toBe(64);
  });
});
