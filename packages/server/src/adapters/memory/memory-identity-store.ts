import type { DeviceRecord, Platform, SessionRecord, UserId, UserRecord } from '../../core/model.js';
import type { IdentityStore } from '../../core/ports/identity-store.js';
import { DEFAULT_APP_ID, type AppId } from '../../core/ports/app-store.js';
import type { MemoryTables } from './memory-tables.js';

/**
 * In-memory IdentityStore. A session counts as live while it is not revoked;
 * refresh expiry is checked by the caller (the port passes no clock here).
 */
export class MemoryIdentityStore implements IdentityStore {
  constructor(private readonly tables: MemoryTables) {}

  async createUser(username: string, passwordHash: string, now: number, id?: UserId, appId: AppId = DEFAULT_APP_ID): Promise<UserRecord | null> {
    if (this.tables.usersByName.has(nameKey(appId, username)) || (id !== undefined && this.tables.users.has(id))) return null;
    const user: UserRecord = Object.freeze({ id: id ?? this.tables.nextUserId++, username, passwordHash, createdAt: now, appId });
    this.tables.users.set(user.id, user);
    this.tables.usersByName.set(nameKey(appId, username), user);
    return user;
  }

  async findUserByName(username: string, appId: AppId = DEFAULT_APP_ID): Promise<UserRecord | null> {
    return this.tables.usersByName.get(nameKey(appId, username)) ?? null;
  }

  async appOf(userId: UserId): Promise<AppId | null> {
    return this.tables.users.get(userId)?.appId ?? null;
  }

  async listUserIds(afterId: UserId, limit: number, appId?: AppId): Promise<UserId[]> {
    // Sorting every id is fine for the memory store (tests, demos).
    return [...this.tables.users.values()].filter((u) => u.id > afterId && (appId === undefined || u.appId === appId))
      .map((u) => u.id).sort((a, b) => a - b).slice(0, limit);
  }

  async searchUsers(prefix: string, limit: number, appId?: AppId): Promise<UserRecord[]> {
    return [...this.tables.usersByName.values()]
      .filter((u) => u.username.startsWith(prefix) && (appId === undefined || (u.appId ?? DEFAULT_APP_ID) === appId))
      .sort((a, b) => (a.username < b.username ? -1 : 1)).slice(0, limit);
  }

  async setPasswordHash(userId: UserId, passwordHash: string): Promise<boolean> {
    const old = this.tables.users.get(userId);
    if (!old) return false;
    const user: UserRecord = Object.freeze({ ...old, passwordHash });
    this.tables.users.set(userId, user);
    this.tables.usersByName.set(nameKey(user.appId ?? DEFAULT_APP_ID, user.username), user);
    return true;
  }

  async getUsers(ids: readonly UserId[]): Promise<UserRecord[]> {
    const out: UserRecord[] = [];
    for (const id of new Set(ids)) {
      const user = this.tables.users.get(id);
      if (user) out.push(user);
    }
    return out;
  }

  async upsertDevice(userId: UserId, deviceId: string, platform: Platform, now: number): Promise<void> {
    this.requireUser(userId);
    let devices = this.tables.devices.get(userId);
    if (!devices) {
      devices = new Map();
      this.tables.devices.set(userId, devices);
    }
    devices.set(deviceId, Object.freeze({ userId, deviceId, platform, lastSeen: now }));
  }

  async listDevices(userId: UserId): Promise<DeviceRecord[]> {
    const devices = this.tables.devices.get(userId);
    if (!devices) return [];
    return [...devices.values()].sort((a, b) => (a.deviceId < b.deviceId ? -1 : a.deviceId > b.deviceId ? 1 : 0));
  }

  async touchDevice(userId: UserId, deviceId: string, lastSeen: number): Promise<void> {
    const devices = this.tables.devices.get(userId);
    const device = devices?.get(deviceId);
    if (devices && device) devices.set(deviceId, Object.freeze({ ...device, lastSeen }));
  }

  async createSession(session: SessionRecord): Promise<void> {
    this.requireUser(session.userId);
    if (this.tables.sessions.has(session.id)) throw new Error(`session ${session.id} already exists`);
    this.tables.sessions.set(session.id, Object.freeze({ ...session }));
  }

  async getSession(id: string): Promise<SessionRecord | null> {
    return this.tables.sessions.get(id) ?? null;
  }

  async rotateRefresh(id: string, oldHash: string, newHash: string, refreshExpiresAt: number): Promise<boolean> {
    const session = this.tables.sessions.get(id);
    if (!session || session.revoked || session.refreshHash !== oldHash) return false;
    this.tables.sessions.set(id, Object.freeze({ ...session, refreshHash: newHash, refreshExpiresAt }));
    return true;
  }

  async revokeSession(id: string): Promise<void> {
    const session = this.tables.sessions.get(id);
    if (session && !session.revoked) this.tables.sessions.set(id, Object.freeze({ ...session, revoked: true }));
  }

  async revokeDeviceSessions(userId: UserId, deviceId: string, keepSessionId: string): Promise<string[]> {
    const revoked: string[] = [];
    for (const session of this.tables.sessions.values()) {
      if (session.userId !== userId || session.deviceId !== deviceId) continue;
      if (session.id === keepSessionId || session.revoked) continue;
      this.tables.sessions.set(session.id, Object.freeze({ ...session, revoked: true }));
      revoked.push(session.id);
    }
    return revoked;
  }

  private requireUser(userId: UserId): void {
    // Mirrors the SQL foreign key so the reference adapter rejects what SQLite rejects.
    if (!this.tables.users.has(userId)) throw new Error(`user ${userId} does not exist`);
  }
}

/** Usernames are unique per app: the by-name index is keyed by both (NUL cannot occur in either). */
const nameKey = (appId: AppId, username: string): string => `${appId}\u0000${username}`;
