/**
 * `xinbox user create <username> [--password <pw>] [--app <id>]`: adds an
 * account in the configured storage (SQLite in XINBOX_DATA_DIR, or
 * PostgreSQL), through the same IdentityService rules as /v1/register
 * (username syntax, password length, scrypt cost, the app must exist).
 * Without --password a random one is generated and printed once.
 *
 * `xinbox user ban <username> [--minutes N] [--reason TEXT] [--app <id>]`,
 * `xinbox user unban <username>` and `xinbox user reset-password <username>
 * [--password <pw>]`: ask the running server (admin routes), never the store,
 * so the ban takes the moderators' path: every device of the user is
 * disconnected (4011) and login/refresh are refused (BANNED); a reset ends
 * every session (4009). Usernames are unique per app: `--app` names the
 * user's app (default `default`; an unknown one is APP_NOT_FOUND).
 */
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { XinboxError } from '@xinbox/protocol';
import { configFromEnv, ConfigError, type XinboxConfig } from '../config.js';
import { IdentityService } from '../core/identity/identity-service.js';
import { TokenSigner } from '../core/identity/tokens.js';
import { openStorage, type Storage } from '../storage.js';
import { AdminRequestError, adminPost, adminTarget } from './admin-request.js';
import { explainStartError } from './explain-error.js';

export const USER_USAGE = `usage: xinbox user create <username> [--password <password>] [--app <id>]
       xinbox user ban <username> [--minutes N] [--reason TEXT] [--app <id>]
       xinbox user unban <username> [--reason TEXT] [--app <id>]
       xinbox user reset-password <username> [--password <password>] [--app <id>]`;

const OPTIONS = { password: { type: 'string' }, minutes: { type: 'string' }, reason: { type: 'string' }, app: { type: 'string' } } as const;

export async function runUser(args: string[]): Promise<void> {
  const [action, ...rest] = args;
  let parsed;
  try {
    parsed = parseArgs({ args: rest, allowPositionals: true, options: OPTIONS });
  } catch (e) {
    fail(`xinbox user: ${(e as Error).message}\n${USER_USAGE}`, 64);
  }
  const [username, ...extra] = parsed.positionals;
  if (!username || extra.length) fail(USER_USAGE, 64);
  const { password, minutes, reason, app } = parsed.values;
  if (action === 'create' && minutes === undefined && reason === undefined) return createUser(username, password, app);
  if (action === 'ban' && password === undefined) return restrict('ban', username, parseMinutes(minutes), reason ?? '', app);
  if (action === 'unban' && password === undefined && minutes === undefined) return restrict('unban', username, undefined, reason ?? '', app);
  if (action === 'reset-password' && minutes === undefined && reason === undefined) return resetPassword(username, password, app);
  fail(USER_USAGE, 64);
}

async function createUser(username: string, passwordArg: string | undefined, app: string | undefined): Promise<void> {
  let config: XinboxConfig | undefined;
  let storage: Storage | undefined;
  try {
    config = configFromEnv();
    storage = await openStorage(config, resolve(config.dataDir), `xinbox-cli-${process.pid}`);
    // Registration signs no token; the signer is required by the constructor only.
    const apps = storage.apps;
    const identity = new IdentityService(storage.identity, new TokenSigner(config.tokenSecret || randomBytes(16).toString('hex')),
      { ...config, appExists: async (id) => (await apps.get(id)) !== null });
    const generated = passwordArg === undefined;
    const password = passwordArg ?? randomBytes(12).toString('base64url');
    const { userId } = await identity.register(username, password, app);
    console.log(`created user ${username.toLowerCase()}${app ? ` in app ${app}` : ''} (id ${userId})${generated ? ` with password ${password}` : ''}`);
  } catch (e) {
    await storage?.close().catch(() => undefined);
    if (e instanceof XinboxError) fail(`xinbox user create: ${e.errorName}: ${e.message}`, 1);
    fail(explainStartError(e, config), config ? 1 : 2);
  }
  await storage.close();
}

interface RestrictionReply { userId: number; username: string; app: string; banned: boolean; bannedUntil: number }

/** `username (id N)`, or `username of app X (id N)` outside `default`. */
const who = (username: string, app: string, userId: number | string) => `${username}${app === 'default' ? '' : ` of app ${app}`} (id ${userId})`;

async function restrict(action: 'ban' | 'unban', username: string, minutes: number | undefined, reason: string, app: string | undefined): Promise<void> {
  try {
    const target = adminTarget(configFromEnv());
    const body = {
      ...(action === 'ban' && minutes ? { minutes } : {}), ...(reason ? { reason } : {}), ...(app !== undefined ? { app } : {}),
    };
    const r = await adminPost(target, `/v1/admin/users/${encodeURIComponent(username)}/${action}`, body) as RestrictionReply;
    if (action === 'unban') console.log(`unbanned ${who(r.username, r.app, r.userId)}`);
    else console.log(`banned ${who(r.username, r.app, r.userId)} ${r.bannedUntil ? `until ${new Date(r.bannedUntil).toISOString()}` : 'until unbanned'}; their devices were disconnected`);
  } catch (e) {
    if (e instanceof ConfigError) fail(e.message, 2);
    if (e instanceof AdminRequestError) fail(`xinbox user ${action}: ${e.message}`, 1);
    throw e;
  }
}

async function resetPassword(username: string, password: string | undefined, app: string | undefined): Promise<void> {
  try {
    const target = adminTarget(configFromEnv());
    const body = { ...(password !== undefined ? { password } : {}), ...(app !== undefined ? { app } : {}) };
    const r = await adminPost(target, `/v1/admin/users/${encodeURIComponent(username)}/password`, body) as { userId: string; app: string; password: string; revoked: number };
    const shown = password === undefined ? ` to ${r.password}` : '';
    console.log(`reset the password of ${who(username.trim().toLowerCase(), r.app, r.userId)}${shown}; ${r.revoked} session(s) ended`);
  } catch (e) {
    if (e instanceof ConfigError) fail(e.message, 2);
    if (e instanceof AdminRequestError) fail(`xinbox user reset-password: ${e.message}`, 1);
    throw e;
  }
}

function parseMinutes(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < 1) fail(`xinbox user ban: --minutes must be a whole number of minutes, at least 1 (got ${JSON.stringify(raw)})\n${USER_USAGE}`, 64);
  return n;
}

function fail(message: string, code: number): never {
  console.error(message);
  process.exit(code);
}
