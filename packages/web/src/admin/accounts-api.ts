/**
 * The admin console's account calls beyond find/ban (admin-account-routes.ts): search, end sessions, reset password.
 * Usernames are unique per app, so each call names the app (`default` unless the operator picked another).
 */
import type { AdminApi } from './admin-api.js';

export interface AccountMatch {
  readonly userId: string;
  readonly username: string;
  readonly createdAt: number;
  readonly app: string;
}

const user = (username: string, app: string, tail: string) =>
  `/v1/admin/users/${encodeURIComponent(username)}/${tail}?app=${encodeURIComponent(app)}`;

/** By username prefix within `app`; digits also find that app's user with that id. */
export async function searchAccounts(api: AdminApi, prefix: string, app = 'default'): Promise<AccountMatch[]> {
  const q = `prefix=${encodeURIComponent(prefix)}&limit=20&app=${encodeURIComponent(app)}`;
  return ((await api.call('GET', `/v1/admin/users/search?${q}`)) as { users: AccountMatch[] }).users;
}

export async function revokeSessions(api: AdminApi, username: string, app = 'default'): Promise<number> {
  return ((await api.call('POST', user(username, app, 'sessions/revoke'))) as { revoked: number }).revoked;
}

/** A random new password, returned once. */
export async function resetPassword(api: AdminApi, username: string, app = 'default'): Promise<{ password: string; revoked: number }> {
  return (await api.call('POST', user(username, app, 'password'), {})) as { password: string; revoked: number };
}
