/**
 * `xinbox user create <username> [--password <pw>]`: adds an account in the
 * configured storage (SQLite in XINBOX_DATA_DIR, or PostgreSQL), through the
 * same IdentityService rules as /v1/register (username syntax, password
 * length, scrypt cost). Without --password a random one is generated and
 * printed once.
 */
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { XinboxError } from '@xinbox/protocol';
import { configFromEnv, type XinboxConfig } from '../config.js';
import { IdentityService } from '../core/identity/identity-service.js';
import { TokenSigner } from '../core/identity/tokens.js';
import { openStorage, type Storage } from '../storage.js';
import { explainStartError } from './explain-error.js';

export const USER_USAGE = 'usage: xinbox user create <username> [--password <password>]';

export async function runUser(args: string[]): Promise<void> {
  const [action, ...rest] = args;
  let parsed;
  try {
    parsed = parseArgs({ args: rest, allowPositionals: true, options: { password: { type: 'string' } } });
  } catch (e) {
    fail(`xinbox user: ${(e as Error).message}\n${USER_USAGE}`, 64);
  }
  const [username, ...extra] = parsed.positionals;
  if (action !== 'create' || !username || extra.length) fail(USER_USAGE, 64);

  let config: XinboxConfig | undefined;
  let storage: Storage | undefined;
  try {
    config = configFromEnv();
    storage = await openStorage(config, resolve(config.dataDir), `xinbox-cli-${process.pid}`);
    // Registration signs no token; the signer is required by the constructor only.
    const identity = new IdentityService(storage.identity, new TokenSigner(config.tokenSecret || randomBytes(16).toString('hex')), config);
    const generated = parsed.values.password === undefined;
    const password = parsed.values.password ?? randomBytes(12).toString('base64url');
    const { userId } = await identity.register(username, password);
    console.log(`created user ${username.toLowerCase()} (id ${userId})${generated ? ` with password ${password}` : ''}`);
  } catch (e) {
    await storage?.close().catch(() => undefined);
    if (e instanceof XinboxError) fail(`xinbox user create: ${e.errorName}: ${e.message}`, 1);
    fail(explainStartError(e, config), config ? 1 : 2);
  }
  await storage.close();
}

function fail(message: string, code: number): never {
  console.error(message);
  process.exit(code);
}
