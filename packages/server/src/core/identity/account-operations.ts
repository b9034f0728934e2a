import { randomBytes } from 'node:crypto';
import { Errors, XinboxError } from '@xinbox/protocol';
import type { UserId } from '../model.js';
import type { IdentityStore } from '../ports/identity-store.js';
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
}

/**
 * The operator's account actions of the admin console, by username: find
 * users by prefix, end every session of an account (its devices are closed
 * with LOGGED_OUT and their refresh tokens stop working), and reset a
 * password (which also ends every session, so whoever knew the old one is
 * out). Bans are ModerationService's.
 */
export class AccountOperations {
  constructor(private readonly store: IdentityStore, private readonly opts: AccountOperationsOptions) {}

  async search(prefix: string, limit: number): Promise<AccountSummary[]> {
    const users = await this.store.searchUsers(prefix.trim().toLowerCase(), Math.max(1, Math.min(100, limit)));
    return users.map((u) => ({ userId: u.id, username: u.username, createdAt: u.createdAt }));
  }

  /** One user by id (the console's search by id); null when there is none. */
  async byId(userId: UserId): Promise<AccountSummary | null> {
    const [u] = await this.store.getUsers([userId]);
    return u ? { userId: u.id, username: u.username, createdAt: u.createdAt } : null;
  }

  /** Ends every live session of the account; returns how many. */
  async revokeSessions(username: string): Promise<{ userId: UserId; revoked: number }> {
    const user = await this.user(username);
    return { userId: user.id, revoked: await this.revokeAll(user.id) };
  }

  /** Sets a new password (the given one, or a random one returned once) and ends every session. */
  async resetPassword(username: string, password?: string): Promise<{ userId: UserId; password: string; revoked: number }> {
    const user = await this.user(username);
    const next = password ?? randomBytes(12).toString('base64url');
    if (next.length < 8 || next.length > 256) throw new XinboxError(Errors.INVALID_ARGUMENT, 'password must be 8 to 256 characters');
    if (!(await this.store.setPasswordHash(user.id, await hashPassword(next, this.opts.scryptCost)))) throw new XinboxError(Errors.NOT_FOUND, `no such user: ${username}`);
    return { userId: user.id, password: next, revoked: await this.revokeAll(user.id) };
  }

  private async user(username: string): Promise<{ id: UserId }> {
    const user = await this.store.findUserByName(username.trim().toLowerCase());
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
