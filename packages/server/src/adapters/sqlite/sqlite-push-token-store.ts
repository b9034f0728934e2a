import type Database from 'better-sqlite3';
import { openSideDatabase } from './side-database.js';
import type { UserId } from '../../core/model.js';
import type { PushProvider, PushRegistration, PushTokenStore } from '../../core/ports/push-tokens.js';

const SCHEMA_VERSION = 1;
const SCHEMA = `
  CREATE TABLE push_tokens (
    user_id    INTEGER NOT NULL,
    device_id  TEXT NOT NULL,
    provider   TEXT NOT NULL,
    token      TEXT NOT NULL,
    preview    INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, device_id)
  ) WITHOUT ROWID;
  CREATE UNIQUE INDEX push_tokens_by_token ON push_tokens (provider, token);
`;

interface Row {
  user_id: number;
  device_id: string;
  provider: PushProvider;
  token: string;
  preview: number;
  updated_at: number;
}

/**
 * PushTokenStore on SQLite, in a file of its own (`push-tokens.db` next to
 * xinbox.db), served by the storage worker thread like the other stores.
 */
export class SqlitePushTokenStore implements PushTokenStore {
  private readonly db: Database.Database;
  private readonly registerTx;
  private readonly deleteStmt;
  private readonly removeStmt;
  private readonly ofUserStmt;

  constructor(path: string, synchronous: 'normal' | 'full' = 'normal') {
    const db = (this.db = openSideDatabase(path, synchronous, { sql: SCHEMA, version: SCHEMA_VERSION, what: 'push token' }));
    const dropToken = db.prepare<[string, string]>('DELETE FROM push_tokens WHERE provider = ? AND token = ?');
    const upsert = db.prepare<[number, string, string, string, number, number]>(
      `INSERT INTO push_tokens (user_id, device_id, provider, token, preview, updated_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (user_id, device_id) DO UPDATE SET provider = excluded.provider, token = excluded.token, preview = excluded.preview, updated_at = excluded.updated_at`,
    );
    this.registerTx = db.transaction((r: PushRegistration) => {
      dropToken.run(r.provider, r.token);
      upsert.run(r.userId, r.deviceId, r.provider, r.token, r.preview ? 1 : 0, r.updatedAt);
    });
    this.deleteStmt = db.prepare<[number, string]>('DELETE FROM push_tokens WHERE user_id = ? AND device_id = ?');
    this.removeStmt = dropToken;
    this.ofUserStmt = db.prepare<[number], Row>('SELECT * FROM push_tokens WHERE user_id = ? ORDER BY device_id');
  }

  async register(r: PushRegistration): Promise<void> {
    this.registerTx.immediate(r);
  }

  async unregister(userId: UserId, deviceId: string): Promise<void> {
    this.deleteStmt.run(userId, deviceId);
  }

  async tokensOf(userIds: readonly UserId[]): Promise<PushRegistration[]> {
    return [...new Set(userIds)].sort((a, b) => a - b).flatMap((u) => this.ofUserStmt.all(u).map(fromRow));
  }

  async removeToken(provider: PushProvider, token: string): Promise<number> {
    return this.removeStmt.run(provider, token).changes;
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}

function fromRow(r: Row): PushRegistration {
  return { userId: r.user_id, deviceId: r.device_id, provider: r.provider, token: r.token, preview: r.preview === 1, updatedAt: r.updated_at };
}
