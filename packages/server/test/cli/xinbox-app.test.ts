/**
 * `xinbox app create|list|rotate-secret|retire-secret` (compiled, plain node)
 * against a running server (compiled, plain node): the CLI calls the admin
 * app routes, on the main listener with the admin token and on the admin
 * listener; secrets are printed once, listings show digest prefixes only,
 * and failures are one line naming what to fix.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_ADMIN_TOKEN } from '../support/admin.js';
import { freePort } from '../../src/devtools/free-port.js';
import { runXinbox } from '../support/cli.js';
import { spawnNode, type ProcessNode } from '../support/process-node.js';


const xinbox = runXinbox;


const digestOf = (secret: string) => createHash('sha256').update(secret).digest('hex');

describe('xinbox app', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'xinbox-app-'));
  let node: ProcessNode;
  let cli: Record<string, string>;
  let adminListener: Record<string, string>;

  beforeAll(async () => {
    const adminPort = await freePort();
    node = await spawnNode({ XINBOX_DATA_DIR: dataDir, XINBOX_TCP_PORT: '-1', XINBOX_ADMIN_TOKEN: TEST_ADMIN_TOKEN, XINBOX_ADMIN_PORT: String(adminPort) });
    cli = { XINBOX_HOST: '127.0.0.1', XINBOX_PORT: new URL(node.httpUrl).port, XINBOX_ADMIN_TOKEN: TEST_ADMIN_TOKEN };
    adminListener = { XINBOX_ADMIN_HOST: '127.0.0.1', XINBOX_ADMIN_PORT: String(adminPort), XINBOX_ADMIN_TOKEN: TEST_ADMIN_TOKEN };
  }, 90_000);
  afterAll(async () => {
    await node?.kill('SIGTERM');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('creates an app (secret printed once), lists it, rotates and retires a secret', async () => {
    const created = await xinbox(['app', 'create', 'shop-eu', '--name', 'Shop EU'], cli);
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    const secret = /server API secret: (xbs_\S+)/.exec(created.stdout)![1]!;
    expect(created.stdout).toContain('created app shop-eu (Shop EU)');
    const first = digestOf(secret).slice(0, 12);
    expect(created.stdout).toContain(`digest starting ${first}`);

    // Through the admin listener too; the listing shows digest prefixes, never the secret.
    const listed = await xinbox(['app', 'list'], adminListener);
    expect(listed.code).toBe(0);
    const lines = listed.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^ID\s+NAME\s+SECRETS/);
    expect(lines[1]).toMatch(/^default\s+Default app\s+-/);
    expect(lines[2]).toMatch(new RegExp(`^shop-eu\\s+Shop EU\\s+${first}\\s+-\\s+-$`));
    expect(listed.stdout).not.toContain(secret);

    const rotated = await xinbox(['app', 'rotate-secret', 'shop-eu'], cli);
    expect(rotated.code).toBe(0);
    const second = /new server API secret of shop-eu: (xbs_\S+)/.exec(rotated.stdout)![1]!;
    expect(second).not.toBe(secret);
    expect(rotated.stdout).toContain(`xinbox app retire-secret shop-eu ${first}`);

    const retired = await xinbox(['app', 'retire-secret', 'shop-eu', first.slice(0, 8)], cli);
    expect(retired.code).toBe(0);
    expect(retired.stdout.trim()).toBe(`retired the secret ${first.slice(0, 8)} of shop-eu; its secrets now: ${digestOf(second).slice(0, 12)}`);
    const last = await xinbox(['app', 'retire-secret', 'shop-eu', digestOf(second).slice(0, 12)], cli);
    expect(last.code).toBe(1);
    expect(last.stderr.trim()).toMatch(/^xinbox app retire-secret: APP_SECRET_LAST: /);
  });

  it('fails in one line: taken or bad id, unknown app, default, wrong token, bad usage', async () => {
    expect((await xinbox(['app', 'create', 'dup-app'], cli)).code).toBe(0);
    const cases: Array<[string[], Record<string, string>, number, RegExp]> = [
      [['app', 'create', 'dup-app'], cli, 1, /^xinbox app create: APP_ID_TAKEN: /],
      [['app', 'create', 'Bad_Id'], cli, 1, /^xinbox app create: APP_ID_INVALID: /],
      [['app', 'rotate-secret', 'no-such-app'], cli, 1, /^xinbox app rotate-secret: APP_NOT_FOUND: /],
      [['app', 'rotate-secret', 'default'], cli, 1, /APP_DEFAULT_IMMUTABLE: .*change the config/],
      [['app', 'retire-secret', 'dup-app', '00000000'], cli, 1, /APP_SECRET_NOT_FOUND/],
      [['app', 'list'], { ...cli, XINBOX_ADMIN_TOKEN: 'not-the-servers-token-000' }, 1, /refused the admin token: XINBOX_ADMIN_TOKEN/],
      [['app', 'list', 'extra'], cli, 64, /^usage: xinbox app create/],
      [['app', 'rotate-secret', 'x1x', '--name', 'n'], cli, 64, /--name goes with create only/],
      [['app', 'frobnicate'], cli, 64, /^usage: xinbox app create/],
    ];
    const results = await Promise.all(cases.map(([args, env]) => xinbox(args, env)));
    for (const [i, [args, , code, message]] of cases.entries()) {
      const r = results[i]!;
      expect(r.code, args.join(' ')).toBe(code);
      expect(r.stderr, args.join(' ')).toMatch(message);
      if (code === 1) expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
    }
  });
});
