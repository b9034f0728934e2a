import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { MemoryRoomStore } from '../../src/adapters/memory/memory-room-store.js';
import { openSqliteDatabase } from '../../src/adapters/sqlite/sqlite-database.js';
import { SqliteRoomStore } from '../../src/adapters/sqlite/sqlite-room-store.js';
import { describeRoomStoreContract } from './room-store.contract.js';

const dir = mkdtempSync(join(tmpdir(), 'xinbox-rooms-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// The memory store is one process's state: no peer handle.
describeRoomStoreContract('memory', async () => ({ rooms: new MemoryRoomStore(), close: async () => undefined }));

// One shared file, as a deployment would have; the peer is a second connection to it.
const path = join(dir, 'rooms.db');
function openSqlite() {
  const db = openSqliteDatabase({ path });
  return { rooms: new SqliteRoomStore(db), close: async () => void db.close() };
}
describeRoomStoreContract('sqlite', async () => ({ ...openSqlite(), openPeer: async () => openSqlite() }));
