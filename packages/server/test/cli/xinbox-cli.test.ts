/**
 * The compiled `xinbox` command under plain node: what an operator types.
 * Failures must be one line that names the setting to fix, never a stack.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { XinboxClient } from '@xinbox/sdk';
import { runXinbox } from '../support/cli.js';
import { spawnNode } from '../support/process-node.js';
import { startPostgres, type PostgresService } from '../support/services.js';

const SECRET = 'cli-test-secret-0123456789';

/** Runs the compiled CLI (test/support/cli.ts) with a cheap password hash. */
const xinbox = (args: string[], env: Record<string, string> = {}) => runXinbox(args, { XINBOX_SCRYPT_COST: '4', ...env });

/** One line, and nothing that looks like a stack frame. */
function expectOneLine(text: string): void {
  expect(text.trim().split('\n')).toHaveLength(1);
  expect(text).not.toMatch(/^\s+at /m);
}

function holdPort(): Promise<{ server: Server; port: number }> {
  return new Promise((res) => {
    const server = createServer().listen(0, '127.0.0.1', () => res({ server, port: (server.address() as { port: number }).port }));
  });
}

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'xinbox-cli-'));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('xinbox config', () => {
  it('prints the effective, validated settings as JSON with secrets redacted', async () => {
    const r = await xinbox(['config'], {
      XINBOX_PORT: '9000',
      XINBOX_TOKEN_SECRET: SECRET,
      XINBOX_POSTGRES_URL: 'postgres://xinbox:hunter2hunter2@db.internal:5432/xinbox',
      XINBOX_REDIS_URL: 'redis://:redispass@cache:6379',
    });
    expect(r.code).toBe(0);
    const config = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(config.port).toBe(9000);
    expect(config.tcpPort).toBe(8081); // a default
    expect(config.tokenSecret).toBe('***');
    expect(config.postgresUrl).toBe('postgres://xinbox:***@db.internal:5432/xinbox');
    expect(config.redisUrl).toBe('redis://:***@cache:6379');
    expect(r.stdout).not.toContain('hunter2');
    expect(r.stdout).not.toContain(SECRET);
    expect(r.stdout).not.toContain('redispass');
  });

  it('names the variable of an invalid setting and exits 2', async () => {
    const r = await xinbox(['config'], { XINBOX_PORT: 'eighty' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('XINBOX_PORT');
    expect(r.stderr).not.toMatch(/^\s+at /m);
  });
});

describe('xinbox start', () => {
  it('names XINBOX_PORT when the HTTP port is in use', async () => {
    const held = await holdPort();
    try {
      const r = await xinbox(['start'], { XINBOX_HOST: '127.0.0.1', XINBOX_PORT: String(held.port), XINBOX_TCP_PORT: '-1', XINBOX_DATA_DIR: tempDir() });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`port ${held.port}`);
      expect(r.stderr).toContain('XINBOX_PORT');
      expectOneLine(r.stderr);
    } finally {
      held.server.close();
    }
  });

  it('names XINBOX_TCP_PORT when the TCP port is in use', async () => {
    const held = await holdPort();
    try {
      const r = await xinbox(['start'], { XINBOX_HOST: '127.0.0.1', XINBOX_PORT: '0', XINBOX_TCP_PORT: String(held.port), XINBOX_DATA_DIR: tempDir() });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('XINBOX_TCP_PORT');
      expectOneLine(r.stderr);
    } finally {
      held.server.close();
    }
  });

  it('names XINBOX_POSTGRES_URL (password redacted) when PostgreSQL is unreachable', async () => {
    const closed = await holdPort();
    closed.server.close(); // a port nothing listens on
    const r = await xinbox(['start'], {
      XINBOX_STORAGE: 'postgres',
      XINBOX_POSTGRES_URL: `postgres://xinbox:pgsecret@127.0.0.1:${closed.port}/xinbox`,
      XINBOX_REDIS_URL: 'redis://127.0.0.1:1',
      XINBOX_TOKEN_SECRET: SECRET,
      XINBOX_MEDIA_DIR: tempDir(), // cluster mode refuses a node-local media store
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('XINBOX_POSTGRES_URL');
    expect(r.stderr).not.toContain('pgsecret');
    expectOneLine(r.stderr);
  });

  describe('with PostgreSQL up', () => {
    let pg: PostgresService;
    beforeAll(async () => {
      pg = await startPostgres();
    });
    afterAll(async () => {
      await pg?.stop();
    });

    it('names XINBOX_REDIS_URL when Redis is unreachable', async () => {
      const closed = await holdPort();
      closed.server.close();
      const r = await xinbox(['start'], {
        XINBOX_STORAGE: 'postgres',
        XINBOX_POSTGRES_URL: pg.url,
        XINBOX_REDIS_URL: `redis://127.0.0.1:${closed.port}`,
        XINBOX_TOKEN_SECRET: SECRET,
        XINBOX_MEDIA_DIR: tempDir(), // cluster mode refuses a node-local media store
      });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('XINBOX_REDIS_URL');
      expectOneLine(r.stderr);
    });
  });
});

describe('xinbox user', () => {
  it('creates a user in the configured storage who can then log in', async () => {
    const dataDir = tempDir();
    const env = { XINBOX_DATA_DIR: dataDir };
    const created = await xinbox(['user', 'create', 'Carol', '--password', 'carols long password'], env);
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(/^created user carol \(id \d+\)\n$/);

    const again = await xinbox(['user', 'create', 'carol', '--password', 'another password'], env);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('USERNAME_TAKEN');
    expectOneLine(again.stderr);

    // --app names the user's app; one that does not exist is refused, in one line.
    const noApp = await xinbox(['user', 'create', 'erin', '--password', 'erins long password', '--app', 'no-such-app'], env);
    expect(noApp.code).toBe(1);
    expect(noApp.stderr).toContain('APP_NOT_FOUND');
    expectOneLine(noApp.stderr);
    expect((await xinbox(['user', 'create', 'erin', '--password', 'erins long password', '--app', 'default'], env)).stdout)
      .toMatch(/^created user erin in app default \(id \d+\)\n$/);

    const generated = await xinbox(['user', 'create', 'dave'], env);
    const password = /with password (\S+)/.exec(generated.stdout)?.[1];
    expect(password).toBeTruthy();

    const node = await spawnNode({ XINBOX_DATA_DIR: dataDir, XINBOX_TCP_PORT: '-1' });
    try {
      for (const [user, pw] of [['carol', 'carols long password'], ['dave', password!]] as const) {
        const client = new XinboxClient({ baseUrl: node.httpUrl, deviceId: `${user}-cli-test`, platform: 'desktop' });
        const session = await client.login(user, pw);
        expect(session.userId).toMatch(/^\d+$/);
        await client.close();
      }
    } finally {
      await node.kill('SIGTERM');
    }
  });

  it('rejects a bad username with the registration rule, in one line', async () => {
    const r = await xinbox(['user', 'create', 'x', '--password', 'a long password'], { XINBOX_DATA_DIR: tempDir() });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('username must be');
    expectOneLine(r.stderr);
  });

  it('prints usage for an unknown subcommand', async () => {
    const r = await xinbox(['user', 'frobnicate']);
    expect(r.code).toBe(64);
    expect(r.stderr).toContain("usage: xinbox user create");
  });
});
