import type { DeviceRecord, Platform, SessionRecord, UserId, UserRecord } from '../model.js';
import type { AppId } from './app-store.js';

/**
 * Users, devices and login sessions.
 *
 * Contract:
 * - `createUser` is atomic on (app, username): of two concurrent calls with the
 *   same name in the same app exactly one succeeds, the other returns null.
 *   The same name in two apps is two users (ADR 0013). Usernames compare
 *   case-sensitively as given (the core lower-cases them first). `appId`
 *   defaults to `default`; every UserRecord returned carries its `appId`.
 * - A user's app never changes (`appOf` answers may be cached forever).
 * - User ids are positive, unique, never reused. With `id` given (the core
 *   passes a random public id, ADR 0008) the user gets exactly that id, and
 *   the call returns null when the username OR the id is taken; without it
 *   the store allocates one.
 * - `rotateRefresh` is a compare-and-swap on the refresh hash: it succeeds for
 *   exactly one caller presenting the current hash of a live session.
 * - A revoked session never becomes live again.
 */
export interface IdentityStore {
  createUser(username: string, passwordHash: string, now: number, id?: UserId, appId?: AppId): Promise<UserRecord | null>;
  /** The user of this name in this app (default `default`). */
  findUserByName(username: string, appId?: AppId): Promise<UserRecord | null>;
  getUsers(ids: readonly UserId[]): Promise<UserRecord[]>;
  /** The app of a user, or null when there is no such user. */
  appOf(userId: UserId): Promise<AppId | null>;
  /**
   * Ids of users above `afterId`, ascending, at most `limit`: a walk over
   * every user (the server API's broadcast), or over one app's with `appId`.
   */
  listUserIds(afterId: UserId, limit: number, appId?: AppId): Promise<UserId[]>;
  /**
   * Users whose username starts with `prefix` (as stored, lower case), by username, at most `limit`
   * (the admin console's search): of one app with `appId`, of every app without.
   */
  searchUsers(prefix: string, limit: number, appId?: AppId): Promise<UserRecord[]>;
  /** Replaces a user's password hash (an operator's reset); false when there is no such user. */
  setPasswordHash(userId: UserId, passwordHash: string): Promise<boolean>;

  upsertDevice(userId: UserId, deviceId: string, platform: Platform, now: number): Promise<void>;
  listDevices(userId: UserId): Promise<DeviceRecord[]>;
  touchDevice(userId: UserId, deviceId: string, lastSeen: number): Promise<void>;

  createSession(session: SessionRecord): Promise<void>;
  getSession(id: string): Promise<SessionRecord | null>;
  /** Replace the refresh hash if `oldHash` is current and the session is live. */
  rotateRefresh(id: string, oldHash: string, newHash: string, refreshExpiresAt: number): Promise<boolean>;
  revokeSession(id: string): Promise<void>;
  /** Revoke every live session of one device except `keepSessionId`; returns the revoked ids. */
  revokeDeviceSessions(userId: UserId, deviceId: string, keepSessionId: string): Promise<string[]>;
}
