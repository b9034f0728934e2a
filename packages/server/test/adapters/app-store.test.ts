/**
 * The AppStore contract (ADR 0013) against every adapter: memory, SQLite in
 * the storage thread (the peer is a second thread on the same file, as
 * another process), and a real PostgreSQL started by the harness (the peer
 * is a second pool, as a second node). The IPC proxy runs it in ipc.test.ts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryAppStore } from '../../src/adapters/memory/memory-app-store.js';
import { MIGRATIONS, openSqliteDatabase, openSqliteWorkerAdapters, type SqliteWorkerAdapters } from '../../src/adapters/sqlite/index.js';
import { APPS_MIGRATION } from '../../src/adapters/sqlite/migration-apps.js';
import { MIGRATIONS as PG_MIGRATIONS, migrate, openPostgresAdapters, type PostgresAdapters } from '../../src/adapters/postgres/index.js';
import { createClient } from '../../src/adapters/postgres/client.js';
import { describeAppStoreContract } from '../contracts/index.js';
import { requireServices, startPostgres, type PostgresService } from '../support/services.js';

const dir = mkdtempSync(join(tmpdir(), 'xinbox-apps-'));
const workers: Array<Promise<SqliteWorkerAdapters>> = [];
afterAll(async () => {
  for (const w of workers) await (await w).close();
  rmSync(dir, { recursive: true, force: true });
});

describeAppStoreContract('memory', async () => ({ apps: new MemoryAppStore(), close: async () => undefined }));

const path = join(dir, 'apps.db');
let shared: Promise<SqliteWorkerAdapters> | null = null;
let peer: Promise<SqliteWorkerAdapters> | null = null;
const open = (): Promise<SqliteWorkerAdapters> => {
  const w = openSqliteWorkerAdapters({ path });
  workers.push(w);
  return w;
};
describeAppStoreContract('sqlite worker', async () => ({
  apps: (await (shared ??= open())).apps,
  close: async () => undefined,
  openPeer: async () => ({ apps: (await (peer ??= open())).apps, close: async () => undefined }),
}));

describe('SQLite migration to apps', () => {
  it('keeps every user, id and reference, puts them in the default app and makes usernames unique per app', () => {
    const file = join(dir, 'upgrade.db');
    const old = new Database(file);
    old.pragma('foreign_keys = ON');
    // The schema just before apps (whatever number the apps migration ends up with).
    const before = MIGRATIONS.indexOf(APPS_MIGRATION);
    old.exec(MIGRATIONS.slice(0, before).join('\n'));
    old.pragma(`user_version = ${before}`);
    old.prepare('INSERT INTO users (id, username, password_hash, created_at) VALUES (?, ?, ?, ?)').run(700, 'alice', 'h', 1);
    old.prepare('INSERT INTO devices (user_id, device_id, platform, last_seen) VALUES (?, ?, ?, ?)').run(700, 'phone', 'ios', 2);
    old.close();
    const db = openSqliteDatabase({ path: file });
    try {
      expect(db.prepare('SELECT id, app_id, username FROM users').all()).toEqual([{ id: 700, app_id: 'default', username: 'alice' }]);
      db.prepare("INSERT INTO users (app_id, username, password_hash, created_at) VALUES ('shop', 'alice', 'h', 3)").run();
      expect(() => db.prepare("INSERT INTO users (app_id, username, password_hash, created_at) VALUES ('default', 'alice', 'h', 3)").run()).toThrow(/UNIQUE/);
      // The foreign keys still point at the rebuilt table and are enforced again.
      expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
      expect(() => db.prepare("INSERT INTO devices (user_id, device_id, platform, last_seen) VALUES (9999, 'x', 'ios', 1)").run()).toThrow(/FOREIGN KEY/);
      expect(db.pragma('foreign_key_check')).toEqual([]);
    } finally {
      db.close();
    }
  });
});

requireServices('postgres');

describe('postgres apps', () => {
  let pg: PostgresService;
  let stores: PostgresAdapters;
  const SCHEMA = 'app_store_contract';
  beforeAll(async () => {
    pg = await startPostgres();
    stores = await openPostgresAdapters({ url: pg.url, poolSize: 6, schema: SCHEMA });
  });
  afterAll(async () => {
    await stores?.close();
    await pg?.stop();
  });
  it('upgrades existing users into the default app and makes usernames unique per app', async () => {
    const schema = 'app_upgrade';
    const admin = createClient({ url: pg.url, poolSize: 1 });
    await admin.unsafe(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await admin.end();
    const sql = createClient({ url: pg.url, poolSize: 1, schema });
    try {
      const apps = PG_MIGRATIONS.findIndex((m) => m.name === 'apps');
      await migrate(sql, PG_MIGRATIONS.slice(0, apps));
      await sql`INSERT INTO users (id, username, password_hash, created_at) OVERRIDING SYSTEM VALUE VALUES (700, 'alice', 'h', 1)`;
      await migrate(sql);
      expect(await sql`SELECT id, app_id, username FROM users`).toEqual([{ id: 700, app_id: 'default', username: 'alice' }]);
      await sql`INSERT INTO users (app_id, username, password_hash, created_at) VALUES ('shop', 'alice', 'h', 2)`;
      await expect(sql`INSERT INTO users (app_id, username, password_hash, created_at) VALUES ('default', 'alice', 'h', 3)`).rejects.toThrow(/users_by_app_username/);
    } finally {
      await sql.end();
    }
  });

  describeAppStoreContract('postgres', async () => ({
    apps: stores.apps,
    close: async () => undefined,
    openPeer: async () => {
      const other = await openPostgresAdapters({ url: pg.url, poolSize: 4, schema: SCHEMA });
      return { apps: other.apps, close: () => other.close() };
    },
  }));
});
