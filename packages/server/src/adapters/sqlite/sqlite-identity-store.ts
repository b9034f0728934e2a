import type Database from 'better-sqlite3';
import type { DeviceRecord, Platform, SessionRecord, UserId, UserRecord } from '../../core/model.js';
import type { IdentityStore } from '../../core/ports/identity-store.js';
import { DEFAULT_APP_ID, type AppId } from '../../core/ports/app-store.js';

interface UserRow {
  id: number;
  username: string;
  passwordHash: string;
  createdAt: number;
  appId: string;
}

interface SessionRow {
  id: string;
  userId: number;
  deviceId: string;
  platform: Platform;
  refreshHash: string;
  refreshExpiresAt: number;
  createdAt: number;
  revoked: number;
}

const USER_COLUMNS = 'id, username, password_hash AS passwordHash, created_at AS createdAt, app_id AS appId';
const SESSION_COLUMNS = `id, user_id AS userId, device_id AS deviceId, platform, refresh_hash AS refreshHash,
  refresh_expires_at AS refreshExpiresAt, created_at AS createdAt, revoked`;

/**
 * IdentityStore on SQLite. Every call is a single statement, hence atomic:
 * the username uniqueness and the refresh-hash compare-and-swap are enforced
 * by the database, not by a read followed by a write. A session counts as
 * live while it is not revoked; refresh expiry is the caller's check (the
 * port passes no clock to rotateRefresh).
 */
export class SqliteIdentityStore implements IdentityStore {
  private readonly createUserStmt;
  private readonly createUserWithIdStmt;
  private readonly findUserStmt;
  private readonly getUserStmt;
  private readonly listUserIdsStmt;
  private readonly listAppUserIdsStmt;
  private readonly appOfStmt;
  private readonly searchUsersStmt;
  private readonly searchAppUsersStmt;
  private readonly setPasswordStmt;
  private readonly upsertDeviceStmt;
  private readonly listDevicesStmt;
  private readonly touchDeviceStmt;
  private readonly createSessionStmt;
  private readonly getSessionStmt;
  private readonly rotateStmt;
  private readonly revokeStmt;
  private readonly revokeDeviceStmt;

  constructor(db: Database.Database) {
    this.createUserStmt = db.prepare<[string, string, string, number], UserRow>(
      `INSERT INTO users (app_id, username, password_hash, created_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (app_id, username) DO NOTHING RETURNING ${USER_COLUMNS}`,
    );
    // No conflict target: a taken username or a taken id both make it a no-op.
    this.createUserWithIdStmt = db.prepare<[number, string, string, string, number], UserRow>(
      `INSERT INTO users (id, app_id, username, password_hash, created_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT DO NOTHING RETURNING ${USER_COLUMNS}`,
    );
    this.findUserStmt = db.prepare<[string, string], UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE app_id = ? AND username = ?`);
    this.appOfStmt = db.prepare<[number], string>('SELECT app_id FROM users WHERE id = ?').pluck();
    this.listAppUserIdsStmt = db.prepare<[number, string, number], { id: number }>('SELECT id FROM users WHERE id > ? AND app_id = ? ORDER BY id LIMIT ?');
    this.getUserStmt = db.prepare<[number], UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE id = ?`);
    this.listUserIdsStmt = db.prepare<[number, number], { id: number }>('SELECT id FROM users WHERE id > ? ORDER BY id LIMIT ?');
    // A range on the unique username index (binary collation): [prefix, prefix + U+FFFF).
    this.searchUsersStmt = db.prepare<[string, string, number], UserRow>(
      `SELECT ${USER_COLUMNS} FROM users WHERE username >= ? AND username < ? ORDER BY username LIMIT ?`,
    );
    // The same range within one app: the (app_id, username) unique index.
    this.searchAppUsersStmt = db.prepare<[string, string, string, number], UserRow>(
      `SELECT ${USER_COLUMNS} FROM users WHERE app_id = ? AND username >= ? AND username < ? ORDER BY username LIMIT ?`,
    );
    this.setPasswordStmt = db.prepare<[string, number]>('UPDATE users SET password_hash = ? WHERE id = ?');
    this.upsertDeviceStmt = db.prepare<[number, string, string, number]>(
      `INSERT INTO devices (user_id, device_id, platform, last_seen) VALUES (?, ?, ?, ?)
       ON CONFLICT (user_id, device_id) DO UPDATE SET platform = excluded.platform, last_seen = excluded.last_seen`,
    );
    this.listDevicesStmt = db.prepare<[number], DeviceRecord>(
      `SELECT user_id AS userId, device_id AS deviceId, platform, last_seen AS lastSeen
       FROM devices WHERE user_id = ? ORDER BY device_id`,
    );
    this.touchDeviceStmt = db.prepare<[number, number, string]>(
      'UPDATE devices SET last_seen = ? WHERE user_id = ? AND device_id = ?',
    );
    this.createSessionStmt = db.prepare<[string, number, string, string, string, number, number, number]>(
      `INSERT INTO sessions (id, user_id, device_id, platform, refresh_hash, refresh_expires_at, created_at, revoked)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.getSessionStmt = db.prepare<[string], SessionRow>(`SELECT ${SESSION_COLUMNS} FROM sessions WHERE id = ?`);
    this.rotateStmt = db.prepare<[string, number, string, string]>(
      `UPDATE sessions SET refresh_hash = ?, refresh_expires_at = ?
       WHERE id = ? AND refresh_hash = ? AND revoked = 0`,
    );
    this.revokeStmt = db.prepare<[string]>('UPDATE sessions SET revoked = 1 WHERE id = ?');
    this.revokeDeviceStmt = db.prepare<[number, string, string], string>(
      `UPDATE sessions SET revoked = 1
       WHERE user_id = ? AND device_id = ? AND id <> ? AND revoked = 0 RETURNING id`,
    ).pluck();
  }

  async createUser(username: string, passwordHash: string, now: number, id?: UserId, appId: AppId = DEFAULT_APP_ID): Promise<UserRecord | null> {
    if (id !== undefined) return this.createUserWithIdStmt.get(id, appId, username, passwordHash, now) ?? null;
    return this.createUserStmt.get(appId, username, passwordHash, now) ?? null;
  }

  async findUserByName(username: string, appId: AppId = DEFAULT_APP_ID): Promise<UserRecord | null> {
    return this.findUserStmt.get(appId, username) ?? null;
  }

  async appOf(userId: UserId): Promise<AppId | null> {
    return this.appOfStmt.get(userId) ?? null;
  }

  async listUserIds(afterId: UserId, limit: number, appId?: AppId): Promise<UserId[]> {
    if (appId !== undefined) return this.listAppUserIdsStmt.all(afterId, appId, limit).map((r) => r.id);
    return this.listUserIdsStmt.all(afterId, limit).map((r) => r.id);
  }

  async searchUsers(prefix: string, limit: number, appId?: AppId): Promise<UserRecord[]> {
    if (appId !== undefined) return this.searchAppUsersStmt.all(appId, prefix, `${prefix}\uffff`, limit);
    return this.searchUsersStmt.all(prefix, `${prefix}\uffff`, limit);
  }

  async setPasswordHash(userId: UserId, passwordHash: string): Promise<boolean> {
    return this.setPasswordStmt.run(passwordHash, userId).changes === 1;
  }

  async getUsers(ids: readonly UserId[]): Promise<UserRecord[]> {
    const users: UserRecord[] = [];
    for (const id of new Set(ids)) {
      const user = this.getUserStmt.get(id);
      if (user) users.push(user);
    }
    return users;
  }

  async upsertDevice(userId: UserId, deviceId: string, platform: Platform, now: number): Promise<void> {
    this.upsertDeviceStmt.run(userId, deviceId, platform, now);
  }

  async listDevices(userId: UserId): Promise<DeviceRecord[]> {
    return this.listDevicesStmt.all(userId);
  }

  async touchDevice(userId: UserId, deviceId: string, lastSeen: number): Promise<void> {
    this.touchDeviceStmt.run(lastSeen, userId, deviceId);
  }

  async createSession(session: SessionRecord): Promise<void> {
    this.createSessionStmt.run(
      session.id, session.userId, session.deviceId, session.platform, session.refreshHash,
      session.refreshExpiresAt, session.createdAt, session.revoked ? 1 : 0,
    );
  }

  async getSession(id: string): Promise<SessionRecord | null> {
    const row = this.getSessionStmt.get(id);
    return row ? { ...row, revoked: row.revoked !== 0 } : null;
  }

  async rotateRefresh(id: string, oldHash: string, newHash: string, refreshExpiresAt: number): Promise<boolean> {
    return this.rotateStmt.run(newHash, refreshExpiresAt, id, oldHash).changes === 1;
  }

  async revokeSession(id: string): Promise<void> {
    this.revokeStmt.run(id);
  }

  async revokeDeviceSessions(userId: UserId, deviceId: string, keepSessionId: string): Promise<string[]> {
    return this.revokeDeviceStmt.all(userId, deviceId, keepSessionId);
  }
}
