/** The admin console's account calls beyond find/ban (admin-account-routes.ts): search, end sessions, reset password. */
import type { AdminApi } from './admin-api.js';

export interface AccountMatch {
  readonly userId: string;
  readonly username: string;
  readonly createdAt: number;
}

/** By username prefix; digits also find the user with that id. */
export async function searchAccounts(api: AdminApi, prefix: string): Promise<AccountMatch[]> {
  return ((await api.call('GET', `/v1/admin/users/search?prefix=${encodeURIComponent(prefix)}&limit=20`)) as { users: AccountMatch[] }).users;
}

export async function revokeSessions(api: AdminApi, username: string): Promise<number> {
  return ((await api.call('POST', `/v1/admin/users/${encodeURIComponent(username)}/sessions/revoke`)) as { revoked: number }).revoked;
}

/** A random new password, returned once. */
export async function resetPassword(api: AdminApi, username: string): Promise<{ password: string; revoked: number }> {
  return (await api.call('POST', `/v1/admin/users/${encodeURIComponent(username)}/password`, {})) as { password: string; revoked: number };
}
