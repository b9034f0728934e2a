/**
 * The SearchIndex contract against every adapter: memory, SQLite FTS5
 * (in-thread and through the storage worker thread, as a node uses it) and a
 * real PostgreSQL with pg_trgm started by the harness.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe } from 'vitest';
import { createMemoryAdapters } from '../../src/adapters/memory/index.js';
import { openSqliteAdapters, SqliteSearchIndex, type SqliteAdapters } from '../../src/adapters/sqlite/index.js';
import { openSqliteWorkerAdapters, type SqliteWorkerAdapters } from '../../src/adapters/sqlite/worker/index.js';
import { openPostgresAdapters, type PostgresAdapters } from '../../src/adapters/postgres/index.js';
import { describeSearchIndexContract } from '../contracts/index.js';
import { requireServices, startPostgres, type PostgresService } from '../support/services.js';

const dir = mkdtempSync(join(tmpdir(), 'xinbox-search-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describeSearchIndexContract('memory', async () => createMemoryAdapters());

describe('sqlite search', () => {
  let db: SqliteAdapters;
  let search: SqliteSearchIndex;
  beforeAll(() => {
    db = openSqliteAdapters({ path: join(dir, 'inline.db') });
    search = new SqliteSearchIndex(db.database);
  });
  afterAll(async () => {
    await db?.close();
  });
  describeSearchIndexContract('sqlite', async () => ({ ...db, search, close: async () => undefined }));
});

describe('sqlite worker search', () => {
  let worker: SqliteWorkerAdapters;
  beforeAll(async () => {
    mkdirSync(join(dir, 'worker'));
    worker = await openSqliteWorkerAdapters({ path: join(dir, 'worker', 'xinbox.db') });
  });
  afterAll(async () => {
    await worker?.close();
  });
  describeSearchIndexContract('sqlite worker', async () => ({ ...worker, close: async () => undefined }));
});

requireServices('postgres');

describe('postgres search', () => {
  let pg: PostgresService;
  let shared: PostgresAdapters;
  beforeAll(async () => {
    pg = await startPostgres();
    shared = await openPostgresAdapters({ url: pg.url, poolSize: 4, schema: 'search_contract' });
  }, 120_000);
  afterAll(async () => {
    await shared?.close();
    await pg?.stop();
  });
  describeSearchIndexContract('postgres', async () => ({ ...shared, close: async () => {} }));
});
