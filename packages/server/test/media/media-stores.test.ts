/**
 * The media ports' contract suites against every adapter: the MediaStore on a
 * directory and on a real S3-compatible server (s3rver on a free port, over
 * HTTP with the AWS SDK), the MediaCatalog in memory, on SQLite (through the
 * storage worker thread, as a node runs it) and on PostgreSQL.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe } from 'vitest';
import { FsMediaStore } from '../../src/adapters/media/fs-media-store.js';
import { S3MediaStore } from '../../src/adapters/media/s3-media-store.js';
import { MemoryMediaCatalog } from '../../src/adapters/memory/index.js';
import { openSqliteWorkerAdapters } from '../../src/adapters/sqlite/index.js';
import { openPostgresAdapters, type PostgresAdapters } from '../../src/adapters/postgres/index.js';
import { describeMediaCatalogContract, describeMediaStoreContract } from '../contracts/index.js';
import { startS3, type S3Service } from '../support/s3.js';
import { requireServices, startPostgres, type PostgresService } from '../support/services.js';

const dir = mkdtempSync(join(tmpdir(), 'xinbox-media-stores-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describeMediaStoreContract('fs', async () => ({
  store: new FsMediaStore(join(dir, 'objects')),
  close: async () => undefined,
  openPeer: async () => ({ store: new FsMediaStore(join(dir, 'objects')), close: async () => undefined }),
}));

describe('S3 (s3rver)', () => {
  let s3: S3Service;
  beforeAll(async () => {
    s3 = await startS3();
  });
  afterAll(async () => s3?.stop());
  const open = async () => {
    const store = new S3MediaStore(s3.options);
    return { store, close: () => store.close() };
  };
  describeMediaStoreContract('s3', async () => ({ ...(await open()), openPeer: open }));
});

describeMediaCatalogContract('memory', async () => ({ media: new MemoryMediaCatalog(), close: async () => undefined }));

const sqlitePath = join(dir, 'media.db');
describeMediaCatalogContract('sqlite (storage worker)', async () => {
  const adapters = await openSqliteWorkerAdapters({ path: sqlitePath });
  return { media: adapters.media, close: () => adapters.close() };
});

requireServices('postgres');
describe('postgres', () => {
  let pg: PostgresService;
  let adapters: PostgresAdapters;
  beforeAll(async () => {
    pg = await startPostgres();
    adapters = await openPostgresAdapters({ url: pg.url, poolSize: 4, schema: 'media' });
  });
  afterAll(async () => {
    await adapters?.close();
    await pg?.stop();
  });
  describeMediaCatalogContract('postgres', async () => ({ media: adapters.media, close: async () => undefined }));
});
