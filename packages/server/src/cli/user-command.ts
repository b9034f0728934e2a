/**
 * `xinbox user create <username> [--password <pw>]`: adds an account in the
 * configured storage (SQLite in XINBOX_DATA_DIR, or PostgreSQL), through the
 * same IdentityService rules as /v1/register (username syntax, password
 * length, scrypt cost). Without --password a random one is generated and
 * printed once.
 *
 * `xinbox user ban <username> [--minutes N] [--reason TEXT]` and
 * `xinbox user unban <username>`: ask the running server (admin routes), never
 * the store, so the ban takes the moderators' path: every device of the user
 * is disconnected (4011) and login/refresh are refused (BANNED).
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

export const USER_USAGE = `usage: xinbox user create <username> [--password <password>]
       xinbox user ban <username> [--minutes N] [--reason TEXT]
       xinbox user unban <username> [--reason TEXT]`;

const OPTIONS = { password: { type: 'string' }, minutes: { type: 'string' }, reason: { type: 'string' } } as const;

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
  const { password, minutes, reason } = parsed.values;
  if (action === 'create' && minutes === undefined && reason === undefined) return createUser(username, password);
  if (action === 'ban' && password === undefined) return restrict('ban', username, parseMinutes(minutes), reason ?? '');
  if (action === 'unban' && password === undefined && minutes === undefined) return restrict('unban', username, undefined, reason ?? '');
  fail(USER_USAGE, 64);
}

async function createUser(username: string, passwordArg: string | undefined): Promise<void> {
  let config: XinboxConfig | undefined;
  let storage: Storage | undefined;
  try {
    config = configFromEnv();
    storage = await openStorage(config, resolve(config.dataDir), `xinbox-cli-${process.pid}`);
    // Registration signs no token; the signer is required by the constructor only.
    const identity = new IdentityService(storage.identity, new TokenSigner(config.tokenSecret || randomBytes(16).toString('hex')), config);
    const generated = passwordArg === undefined;
    const password = passwordArg ?? randomBytes(12).toString('base64url');
    const { userId } = await identity.register(username, password);
    console.log(`created user ${username.toLowerCase()} (id ${userId})${generated ? ` with password ${password}` : ''}`);
  } catch (e) {
    await storage?.close().catch(() => undefined);
    if (e instanceof XinboxError) fail(`xinbox user create: ${e.errorName}: ${e.message}`, 1);
    fail(explainStartError(e, config), config ? 1 : 2);
  }
  await storage.close();
}

interface RestrictionReply { userId: number; username: string; banned: boolean; bannedUntil: number }

async function restrict(action: 'ban' | 'unban', username: string, minutes: number | undefined, reason: string): Promise<void> {
  try {
    const target = adminTarget(configFromEnv());
    const body = action === 'ban' ? { ...(minutes ? { minutes } : {}), ...(reason ? { reason } : {}) } : (reason ? { reason } : {});
    const r = await adminPost(target, `/v1/admin/users/${encodeURIComponent(username)}/${action}`, body) as RestrictionReply;
    if (action === 'unban') console.log(`unbanned ${r.username} (id ${r.userId})`);
    else console.log(`banned ${r.username} (id ${r.userId}) ${r.bannedUntil ? `until ${new Date(r.bannedUntil).toISOString()}` : 'until unbanned'}; their devices were disconnected`);
  } catch (e) {
    if (e instanceof ConfigError) fail(e.message, 2);
    if (e instanceof AdminRequestError) fail(`xinbox user ${action}: ${e.message}`, 1);
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
