import type { DeviceRecord, Platform, SessionRecord, UserId, UserRecord } from '../../core/model.js';
import type { IdentityStore } from '../../core/ports/identity-store.js';
import { DEFAULT_APP_ID, type AppId } from '../../core/ports/app-store.js';
import { int8Array } from './array-literal.js';
import { type Sql } from './client.js';
import { explainForeignKey, PG, pgErrorCode } from './errors.js';

interface UserRow { id: number; username: string; password_hash: string; created_at: number; app_id: string }
interface DeviceRow { user_id: number; device_id: string; platform: Platform; last_seen: number }
interface SessionRow {
  id: string; user_id: number; device_id: string; platform: Platform; refresh_hash: string;
  refresh_expires_at: number; created_at: number; revoked: boolean;
}

const user = (r: UserRow): UserRecord => ({ id: r.id, username: r.username, passwordHash: r.password_hash, createdAt: r.created_at, appId: r.app_id });
const device = (r: DeviceRow): DeviceRecord => ({ userId: r.user_id, deviceId: r.device_id, platform: r.platform, lastSeen: r.last_seen });
const session = (r: SessionRow): SessionRecord => ({
  id: r.id, userId: r.user_id, deviceId: r.device_id, platform: r.platform, refreshHash: r.refresh_hash,
  refreshExpiresAt: r.refresh_expires_at, createdAt: r.created_at, revoked: r.revoked,
});

/**
 * IdentityStore on PostgreSQL. Every method is one statement, so each is
 * atomic; the compare-and-swaps (username, refresh rotation) are enforced
 * by the statement itself (unique index, WHERE on the old hash), not by
 * a read followed by a write. A session is live while not revoked; refresh
 * expiry is the caller's check (the port passes no clock).
 */
export class PostgresIdentityStore implements IdentityStore {
  constructor(private readonly sql: Sql) {}

  async createUser(username: string, passwordHash: string, now: number, id?: UserId, appId: AppId = DEFAULT_APP_ID): Promise<UserRecord | null> {
    if (id !== undefined) {
      // The identity column is GENERATED ALWAYS: an explicit (random public) id needs OVERRIDING.
      const [row] = await this.sql<UserRow[]>`
        INSERT INTO users (id, app_id, username, password_hash, created_at) OVERRIDING SYSTEM VALUE
        VALUES (${id}, ${appId}, ${username}, ${passwordHash}, ${now})
        ON CONFLICT DO NOTHING
        RETURNING id, username, password_hash, created_at, app_id`;
      return row ? user(row) : null;
    }
    const [row] = await this.sql<UserRow[]>`
      INSERT INTO users (app_id, username, password_hash, created_at) VALUES (${appId}, ${username}, ${passwordHash}, ${now})
      ON CONFLICT (app_id, username) DO NOTHING
      RETURNING id, username, password_hash, created_at, app_id`;
    return row ? user(row) : null;
  }

  async findUserByName(username: string, appId: AppId = DEFAULT_APP_ID): Promise<UserRecord | null> {
    const [row] = await this.sql<UserRow[]>`SELECT id, username, password_hash, created_at, app_id FROM users WHERE app_id = ${appId} AND username = ${username}`;
    return row ? user(row) : null;
  }

  async appOf(userId: UserId): Promise<AppId | null> {
    const [row] = await this.sql<Array<{ app_id: string }>>`SELECT app_id FROM users WHERE id = ${userId}`;
    return row ? row.app_id : null;
  }

  async listUserIds(afterId: UserId, limit: number, appId?: AppId): Promise<UserId[]> {
    const rows = appId === undefined
      ? await this.sql<Array<{ id: string | number }>>`SELECT id FROM users WHERE id > ${afterId} ORDER BY id LIMIT ${limit}`
      : await this.sql<Array<{ id: string | number }>>`SELECT id FROM users WHERE id > ${afterId} AND app_id = ${appId} ORDER BY id LIMIT ${limit}`;
    return rows.map((r) => Number(r.id));
  }

  async searchUsers(prefix: string, limit: number, appId?: AppId): Promise<UserRecord[]> {
    const rows = appId === undefined
      ? await this.sql<UserRow[]>`
        SELECT id, username, password_hash, created_at, app_id FROM users WHERE starts_with(username, ${prefix}) ORDER BY username LIMIT ${limit}`
      : await this.sql<UserRow[]>`
        SELECT id, username, password_hash, created_at, app_id FROM users
        WHERE app_id = ${appId} AND starts_with(username, ${prefix}) ORDER BY username LIMIT ${limit}`;
    return rows.map(user);
  }

  async setPasswordHash(userId: UserId, passwordHash: string): Promise<boolean> {
    return (await this.sql`UPDATE users SET password_hash = ${passwordHash} WHERE id = ${userId}`).count === 1;
  }

  async getUsers(ids: readonly UserId[]): Promise<UserRecord[]> {
    const unique = [...new Set(ids)];
    if (unique.length === 0) return [];
    const rows = await this.sql<UserRow[]>`
      SELECT id, username, password_hash, created_at, app_id FROM users WHERE id = ANY(${int8Array(unique)}::int8[])`;
    const byId = new Map(rows.map((r) => [r.id, user(r)]));
    return unique.flatMap((id) => byId.get(id) ?? []);
  }

  async upsertDevice(userId: UserId, deviceId: string, platform: Platform, now: number): Promise<void> {
    await this.sql`
      INSERT INTO devices (user_id, device_id, platform, last_seen) VALUES (${userId}, ${deviceId}, ${platform}, ${now})
      ON CONFLICT (user_id, device_id) DO UPDATE SET platform = excluded.platform, last_seen = excluded.last_seen`
      .catch((error: unknown) => {
        throw explainForeignKey(error);
      });
  }

  async listDevices(userId: UserId): Promise<DeviceRecord[]> {
    const rows = await this.sql<DeviceRow[]>`
      SELECT user_id, device_id, platform, last_seen FROM devices WHERE user_id = ${userId} ORDER BY device_id COLLATE "C"`;
    return rows.map(device);
  }

  async touchDevice(userId: UserId, deviceId: string, lastSeen: number): Promise<void> {
    await this.sql`UPDATE devices SET last_seen = ${lastSeen} WHERE user_id = ${userId} AND device_id = ${deviceId}`;
  }

  async createSession(s: SessionRecord): Promise<void> {
    await this.sql`
      INSERT INTO sessions (id, user_id, device_id, platform, refresh_hash, refresh_expires_at, created_at, revoked)
      VALUES (${s.id}, ${s.userId}, ${s.deviceId}, ${s.platform}, ${s.refreshHash}, ${s.refreshExpiresAt}, ${s.createdAt}, ${s.revoked})`
      .catch((error: unknown) => {
        if (pgErrorCode(error) === PG.uniqueViolation) throw new Error(`session ${s.id} already exists`, { cause: error });
        throw explainForeignKey(error);
      });
  }

  async getSession(id: string): Promise<SessionRecord | null> {
    const [row] = await this.sql<SessionRow[]>`
      SELECT id, user_id, device_id, platform, refresh_hash, refresh_expires_at, created_at, revoked FROM sessions WHERE id = ${id}`;
    return row ? session(row) : null;
  }

  async rotateRefresh(id: string, oldHash: string, newHash: string, refreshExpiresAt: number): Promise<boolean> {
    // The row lock taken by UPDATE makes this a compare-and-swap: a concurrent
    // rotation waits, then re-checks refresh_hash against the new row and fails.
    const rows = await this.sql`
      UPDATE sessions SET refresh_hash = ${newHash}, refresh_expires_at = ${refreshExpiresAt}
      WHERE id = ${id} AND refresh_hash = ${oldHash} AND NOT revoked
      RETURNING 1`;
    return rows.length === 1;
  }

  async revokeSession(id: string): Promise<void> {
    await this.sql`UPDATE sessions SET revoked = true WHERE id = ${id} AND NOT revoked`;
  }

  async revokeDeviceSessions(userId: UserId, deviceId: string, keepSessionId: string): Promise<string[]> {
    const rows = await this.sql<Array<{ id: string }>>`
      WITH revoked AS (
        UPDATE sessions SET revoked = true
        WHERE user_id = ${userId} AND device_id = ${deviceId} AND id <> ${keepSessionId} AND NOT revoked
        RETURNING id, created_at
      )
      SELECT id FROM revoked ORDER BY created_at, id COLLATE "C"`;
    return rows.map((r) => r.id);
  }
}
