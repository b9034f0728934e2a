/**
 * The EventLogStore contract against every adapter: memory, SQLite (its own
 * file; also through the storage worker thread, as a node uses it) and a
 * real PostgreSQL started by the harness.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe } from 'vitest';
import { MemoryEventLog } from '../../src/adapters/memory/memory-event-log.js';
import { SqliteEventLog } from '../../src/adapters/sqlite/sqlite-event-log.js';
import { openSqliteWorkerAdapters, type SqliteWorkerAdapters } from '../../src/adapters/sqlite/worker/index.js';
import { openPostgresAdapters, type PostgresAdapters } from '../../src/adapters/postgres/index.js';
import { describeEventLogContract } from '../contracts/index.js';
import { requireServices, startPostgres, type PostgresService } from '../support/services.js';

const dir = mkdtempSync(join(tmpdir(), 'xinbox-event-log-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describeEventLogContract('memory', async () => ({ eventLog: new MemoryEventLog(), close: async () => undefined }));
describeEventLogContract('sqlite', async () => {
  const eventLog = new SqliteEventLog(join(dir, 'event-log.db'));
  return { eventLog, close: () => eventLog.close() };
});

describe('sqlite worker event log', () => {
  let worker: SqliteWorkerAdapters;
  beforeAll(async () => {
    mkdirSync(join(dir, 'worker'));
    worker = await openSqliteWorkerAdapters({ path: join(dir, 'worker', 'xinbox.db') });
  });
  afterAll(async () => {
    await worker?.close();
  });
  describeEventLogContract('sqlite worker', async () => ({ eventLog: worker.eventLog, close: async () => undefined }));
});

requireServices('postgres');

describe('postgres event log', () => {
  let pg: PostgresService;
  let shared: PostgresAdapters;
  beforeAll(async () => {
    pg = await startPostgres();
    shared = await openPostgresAdapters({ url: pg.url, poolSize: 4, schema: 'event_log_contract' });
  }, 120_000);
  afterAll(async () => {
    await shared?.close();
    await pg?.stop();
  });
  describeEventLogContract('postgres', async () => ({ eventLog: shared.eventLog, close: async () => {} }));
});
