import { randomBytes } from 'node:crypto';
import { Errors, XinboxError } from '@xinbox/protocol';
import type { UserId } from '../model.js';
import type { IdentityStore } from '../ports/identity-store.js';
import { DEFAULT_APP_ID, type AppId } from '../ports/app-store.js';
import { hashPassword } from './passwords.js';
import type { RevokeReason } from './identity-service.js';

export interface AccountOperationsOptions {
  readonly scryptCost: number;
  /** Revoked session ids go here: IdentityService.forget closes their connections (LOGGED_OUT), on every node. */
  readonly forget: (sessionIds: string[], reason: RevokeReason) => void;
}

export interface AccountSummary {
  readonly userId: UserId;
  readonly username: string;
  readonly createdAt: number;
  readonly appId: AppId;
}

/**
 * The operator's account actions of the admin console, by username within
 * one app (usernames are unique per app; `default` when none is named): find
 * users by prefix, end every session of an account (its devices are closed
 * with LOGGED_OUT and their refresh tokens stop working), and reset a
 * password (which also ends every session, so whoever knew the old one is
 * out). Bans are ModerationService's.
 */
export class AccountOperations {
  constructor(private readonly store: IdentityStore, private readonly opts: AccountOperationsOptions) {}

  async search(prefix: string, limit: number, appId: AppId = DEFAULT_APP_ID): Promise<AccountSummary[]> {
    const users = await this.store.searchUsers(prefix.trim().toLowerCase(), Math.max(1, Math.min(100, limit)), appId);
    return users.map((u) => ({ userId: u.id, username: u.username, createdAt: u.createdAt, appId: u.appId ?? DEFAULT_APP_ID }));
  }

  /** One user of `appId` by id (the console's search by id); null when there is none in that app. */
  async byId(userId: UserId, appId: AppId = DEFAULT_APP_ID): Promise<AccountSummary | null> {
    const [u] = await this.store.getUsers([userId]);
    const app = u?.appId ?? DEFAULT_APP_ID;
    return u && app === appId ? { userId: u.id, username: u.username, createdAt: u.createdAt, appId: app } : null;
  }

  /** Ends every live session of the account; returns how many. */
  async revokeSessions(username: string, appId: AppId = DEFAULT_APP_ID): Promise<{ userId: UserId; revoked: number }> {
    const user = await this.user(username, appId);
    return { userId: user.id, revoked: await this.revokeAll(user.id) };
  }

  /** Sets a new password (the given one, or a random one returned once) and ends every session. */
  async resetPassword(username: string, password?: string, appId: AppId = DEFAULT_APP_ID): Promise<{ userId: UserId; password: string; revoked: number }> {
    const user = await this.user(username, appId);
    const next = password ?? randomBytes(12).toString('base64url');
    if (next.length < 8 || next.length > 256) throw new XinboxError(Errors.INVALID_ARGUMENT, 'password must be 8 to 256 characters');
    if (!(await this.store.setPasswordHash(user.id, await hashPassword(next, this.opts.scryptCost)))) throw new XinboxError(Errors.NOT_FOUND, `no such user: ${username}`);
    return { userId: user.id, password: next, revoked: await this.revokeAll(user.id) };
  }

  private async user(username: string, appId: AppId): Promise<{ id: UserId }> {
    const user = await this.store.findUserByName(username.trim().toLowerCase(), appId);
    if (!user) throw new XinboxError(Errors.NOT_FOUND, `no such user: ${username}`);
    return user;
  }

  private async revokeAll(userId: UserId): Promise<number> {
    const revoked: string[] = [];
    // Every session belongs to one of the account's devices; '' keeps none.
    for (const d of await this.store.listDevices(userId)) revoked.push(...(await this.store.revokeDeviceSessions(userId, d.deviceId, '')));
    if (revoked.length > 0) this.opts.forget(revoked, 'logout');
    return revoked.length;
  }
}
