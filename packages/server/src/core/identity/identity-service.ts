import { randomUUID } from 'node:crypto';
import { Errors, XinboxError } from '@xinbox/protocol';
import type { IdentityStore } from '../ports/identity-store.js';
import type { RateLimiter } from '../ports/rate-limiter.js';
import type { Platform, SessionRecord, UserId } from '../model.js';
import { randomUserId } from './public-ids.js';
import { DUMMY_HASH_PROMISE, hashPassword, verifyPassword } from './passwords.js';
import { newOpaqueToken, sha256, TokenSigner, type AccessClaims } from './tokens.js';
import { APP_ID_PATTERN, DEFAULT_APP_ID, type AppId } from '../ports/app-store.js';

export interface LoginResult {
  readonly userId: UserId;
  readonly deviceId: string;
  readonly accessToken: string;
  readonly refreshToken: string;
  readonly accessExpiresAt: number;
  readonly refreshExpiresAt: number;
}

/** Why sessions ended: an explicit logout, or the same device logging in again. */
export type RevokeReason = 'logout' | 'replaced';

export interface IdentityOptions {
  readonly accessTokenTtlMs: number;
  readonly refreshTokenTtlMs: number;
  /** scrypt cost as log2(N). */
  readonly scryptCost: number;
  /** How long a verified live session may be trusted without a store read. */
  readonly sessionCacheMs?: number;
  /** Refuses accounts that may not log in or connect (a moderator's ban); throws a XinboxError. */
  readonly accountCheck?: (userId: UserId) => Promise<void>;
  /** First wait after a failed password on an account (doubling per failure); 0 = no backoff. */
  readonly loginBackoffBaseMs?: number;
  readonly loginBackoffMaxMs?: number;
  /** Told about every login and logout (the user event log); must not throw or block. */
  readonly sessionEvents?: (e: SessionEvent) => void;
  /** Whether an app other than `default` exists (the AppDirectory); without it only `default` does. */
  readonly appExists?: (appId: AppId) => Promise<boolean>;
}

/** A login (password, or issued by the server API) or an explicit logout. */
export interface SessionEvent {
  readonly type: 'login' | 'logout';
  readonly userId: UserId;
  readonly deviceId: string;
  readonly platform: Platform;
  /** The client's address ('' when unknown). */
  readonly ip: string;
  readonly detail: string;
}

const USERNAME = /^[a-z0-9_.-]{3,32}$/;
const PLATFORMS: readonly Platform[] = ['ios', 'android', 'web', 'desktop', 'other'];
const DEVICE_ID = /^[A-Za-z0-9_.:-]{1,64}$/;

/** Registration, login, token refresh and revocation. */
export class IdentityService {
  /** sessionId -> time it was last confirmed live. Bounded. */
  private readonly liveSessions = new Map<string, number>();
  private readonly revokeListeners: Array<(sessionIds: string[], reason: RevokeReason) => void> = [];

  constructor(
    private readonly store: IdentityStore,
    private readonly signer: TokenSigner,
    private readonly opts: IdentityOptions,
    private readonly clock: () => number = Date.now,
    private readonly newUserId: () => UserId = randomUserId,
    /** Per-account backoff after failed passwords (shared across nodes in a cluster); null = none. */
    private readonly limiter: RateLimiter | null = null,
  ) {}

  /** A new user in `appIdRaw` (absent = `default`; an unknown app is APP_NOT_FOUND). */
  async register(usernameRaw: unknown, password: unknown, appIdRaw?: unknown): Promise<{ userId: UserId }> {
    const username = normalizeUsername(usernameRaw);
    if (typeof password !== 'string' || password.length < 8 || password.length > 256) {
      throw new XinboxError(Errors.INVALID_ARGUMENT, 'password must be 8 to 256 characters');
    }
    const appId = await this.knownApp(appIdRaw);
    const hash = await hashPassword(password, this.opts.scryptCost);
    // Random public ids (ADR 0008): a null answer is a taken name or, very rarely, a taken id; retry only the latter.
    for (let attempt = 0; attempt < 5; attempt++) {
      const user = await this.store.createUser(username, hash, this.clock(), this.newUserId(), appId);
      if (user) return { userId: user.id };
      if (await this.store.findUserByName(username, appId)) throw new XinboxError(Errors.USERNAME_TAKEN);
    }
    throw new XinboxError(Errors.INTERNAL, 'could not allocate a user id');
  }

  /** Logs a user of `appIdRaw` (absent = `default`) in; the same name in another app is another account. */
  async login(usernameRaw: unknown, password: unknown, deviceIdRaw: unknown, platformRaw: unknown, ip = '', appIdRaw?: unknown): Promise<LoginResult> {
    const username = normalizeUsername(usernameRaw);
    const deviceId = validDeviceId(deviceIdRaw);
    const platform = validPlatform(platformRaw);
    if (typeof password !== 'string') throw new XinboxError(Errors.INVALID_ARGUMENT, 'password is required');
    const appId = await this.knownApp(appIdRaw);
    // Against guessing: each failure on an account (known or not, so as not to reveal
    // which exist) doubles the wait before the next attempt on it.
    const account = appId === DEFAULT_APP_ID ? username : `${appId}/${username}`;
    const backoff = this.limiter && (this.opts.loginBackoffBaseMs ?? 0) > 0 ? `login:acct:${account}` : null;
    if (backoff) {
      const wait = await this.limiter!.blockedFor(backoff, this.clock());
      if (wait > 0) throw new XinboxError(Errors.RATE_LIMITED, `too many failed logins for this account; retry in ${wait} ms`, wait);
    }
    const user = await this.store.findUserByName(username, appId);
    // Compare against a dummy hash for unknown users so response time does not reveal them.
    const ok = await verifyPassword(password, user?.passwordHash ?? (await DUMMY_HASH_PROMISE));
    if (!user || !ok) {
      if (backoff) await this.limiter!.fail(backoff, this.opts.loginBackoffBaseMs!, this.opts.loginBackoffMaxMs ?? 300_000, this.clock());
      throw new XinboxError(Errors.BAD_CREDENTIALS);
    }
    if (backoff) await this.limiter!.succeed(backoff);
    return this.openSession(user.id, appId, deviceId, platform, ip, 'password');
  }

  /**
   * A session for an existing user without a password: the application's
   * backend logs its own users in (the server API). Same checks (a banned
   * account is refused) and same tokens as a password login.
   */
  async issueSession(userId: UserId, deviceIdRaw: unknown, platformRaw: unknown): Promise<LoginResult> {
    const deviceId = validDeviceId(deviceIdRaw);
    const platform = validPlatform(platformRaw);
    const [user] = await this.store.getUsers([userId]);
    if (!user) throw new XinboxError(Errors.NOT_FOUND, 'no such user');
    return this.openSession(user.id, user.appId ?? DEFAULT_APP_ID, deviceId, platform, '', 'server API');
  }

  /**
   * A session for another device of the user who holds a live access token:
   * a new browser tab of a logged-in browser becomes a device of its own
   * without asking for the password again (docs/protocol.md 3, POST /v1/sessions).
   */
  async addDevice(accessToken: unknown, deviceIdRaw: unknown, platformRaw: unknown, ip = ''): Promise<LoginResult> {
    const claims = await this.authenticate(accessToken);
    const deviceId = validDeviceId(deviceIdRaw);
    if (deviceId === claims.did) throw new XinboxError(Errors.INVALID_ARGUMENT, 'the new device id must differ from the token\'s own device');
    return this.openSession(claims.uid, claims.app ?? DEFAULT_APP_ID, deviceId, validPlatform(platformRaw), ip, 'added by a live session');
  }

  /**
   * A user created by the application's backend (the server API). Without a
   * password the account gets a random one nobody holds, so it cannot log in
   * with a password;
   * the backend issues its sessions instead.
   */
  async createUser(usernameRaw: unknown, password: unknown, appId: AppId = DEFAULT_APP_ID): Promise<{ userId: UserId }> {
    if (password !== undefined) return this.register(usernameRaw, password, appId);
    return this.register(usernameRaw, `!${newOpaqueToken()}${newOpaqueToken()}`.slice(0, 256), appId);
  }

  /** The app a register/login names: absent is `default`; one that does not exist is APP_NOT_FOUND. */
  private async knownApp(raw: unknown): Promise<AppId> {
    if (raw === undefined || raw === null || raw === '' || raw === DEFAULT_APP_ID) return DEFAULT_APP_ID;
    if (typeof raw !== 'string') throw new XinboxError(Errors.INVALID_ARGUMENT, 'appId must be a string');
    if (!APP_ID_PATTERN.test(raw) || !(await this.opts.appExists?.(raw))) throw new XinboxError(Errors.APP_NOT_FOUND);
    return raw;
  }

  private async openSession(userId: UserId, appId: AppId, deviceId: string, platform: Platform, ip: string, how: string): Promise<LoginResult> {
    const user = { id: userId };
    await this.opts.accountCheck?.(user.id);
    const now = this.clock();
    await this.store.upsertDevice(user.id, deviceId, platform, now);
    const refreshToken = newOpaqueToken();
    const session: SessionRecord = {
      id: randomUUID(),
      userId: user.id,
      deviceId,
      platform,
      refreshHash: sha256(refreshToken),
      refreshExpiresAt: now + this.opts.refreshTokenTtlMs,
      createdAt: now,
      revoked: false,
    };
    await this.store.createSession(session);
    // A device that logs in again replaces its earlier sessions.
    const revoked = await this.store.revokeDeviceSessions(user.id, deviceId, session.id);
    if (revoked.length) this.forget(revoked, 'replaced');
    this.opts.sessionEvents?.({ type: 'login', userId: user.id, deviceId, platform, ip, detail: how });
    return this.issue(session, refreshToken, appId);
  }

  async refresh(refreshTokenRaw: unknown): Promise<LoginResult> {
    const presented = typeof refreshTokenRaw === 'string' ? this.signer.verifyRefresh(refreshTokenRaw) : null;
    if (!presented) throw new XinboxError(Errors.REFRESH_INVALID);
    const session = await this.store.getSession(presented.sessionId);
    const now = this.clock();
    if (!session || session.revoked || session.refreshExpiresAt <= now) throw new XinboxError(Errors.REFRESH_INVALID);
    await this.opts.accountCheck?.(session.userId);
    const next = newOpaqueToken();
    const presentedHash = sha256(presented.secret);
    const swapped = presentedHash === session.refreshHash
      && (await this.store.rotateRefresh(session.id, presentedHash, sha256(next), now + this.opts.refreshTokenTtlMs));
    if (!swapped) {
      // A token we issued for this session, but no longer the current one: it was
      // used before, so it leaked or was copied. Revoke the whole family (the
      // session and every token rotated from it), OAuth 2.0 security BCP 4.14.
      await this.store.revokeSession(session.id);
      this.forget([session.id], 'logout');
      throw new XinboxError(Errors.REFRESH_INVALID, 'refresh token reused; the session is revoked, log in again');
    }
    // The session row has no app: a user's app never changes, so it is the user's.
    const appId = (await this.store.appOf(session.userId)) ?? DEFAULT_APP_ID;
    return this.issue({ ...session, refreshExpiresAt: now + this.opts.refreshTokenTtlMs }, next, appId);
  }

  /** End the session of a live access token (an expired or revoked one is refused like everywhere else). */
  async logout(accessToken: string, ip = ''): Promise<void> {
    const claims = await this.authenticate(accessToken);
    await this.store.revokeSession(claims.sid);
    this.forget([claims.sid], 'logout');
    this.opts.sessionEvents?.({ type: 'logout', userId: claims.uid, deviceId: claims.did, platform: claims.plat, ip, detail: '' });
  }

  /** Verify an access token and that its session is still live. */
  async authenticate(token: unknown): Promise<AccessClaims> {
    if (typeof token !== 'string' || token === '') throw new XinboxError(Errors.TOKEN_INVALID);
    const now = this.clock();
    const claims = this.signer.verify(token, now);
    await this.opts.accountCheck?.(claims.uid);
    const seen = this.liveSessions.get(claims.sid);
    if (seen !== undefined && now - seen < (this.opts.sessionCacheMs ?? 30_000)) return claims;
    const session = await this.store.getSession(claims.sid);
    if (!session || session.revoked || session.userId !== claims.uid) throw new XinboxError(Errors.TOKEN_REVOKED);
    if (this.liveSessions.size >= 100_000) this.liveSessions.clear();
    this.liveSessions.set(claims.sid, now);
    return claims;
  }

  /** Called with session ids revoked here (or, in a cluster, announced by another node). */
  onRevoked(listener: (sessionIds: string[], reason: RevokeReason) => void): void {
    this.revokeListeners.push(listener);
  }

  /** Drop cached liveness of sessions revoked elsewhere (another node), without notifying. */
  evict(sessionIds: readonly string[]): void {
    for (const id of sessionIds) this.liveSessions.delete(id);
  }

  forget(sessionIds: string[], reason: RevokeReason): void {
    for (const id of sessionIds) this.liveSessions.delete(id);
    for (const l of this.revokeListeners) l(sessionIds, reason);
  }

  private issue(session: SessionRecord, refreshSecret: string, appId: AppId): LoginResult {
    const accessExpiresAt = this.clock() + this.opts.accessTokenTtlMs;
    // `app` only off `default`: default tokens stay byte-for-byte what they were before apps.
    const accessToken = this.signer.sign({
      uid: session.userId, did: session.deviceId, sid: session.id, plat: session.platform, exp: accessExpiresAt,
      ...(appId === DEFAULT_APP_ID ? {} : { app: appId }),
    });
    return {
      userId: session.userId,
      deviceId: session.deviceId,
      accessToken,
      refreshToken: this.signer.signRefresh(session.id, refreshSecret),
      accessExpiresAt,
      refreshExpiresAt: session.refreshExpiresAt,
    };
  }
}

export function normalizeUsername(raw: unknown): string {
  if (typeof raw !== 'string') throw new XinboxError(Errors.INVALID_ARGUMENT, 'username is required');
  const u = raw.trim().toLowerCase();
  if (!USERNAME.test(u)) throw new XinboxError(Errors.INVALID_ARGUMENT, 'username must be 3-32 of a-z 0-9 _ . -');
  return u;
}

function validDeviceId(raw: unknown): string {
  if (typeof raw !== 'string' || !DEVICE_ID.test(raw)) throw new XinboxError(Errors.INVALID_ARGUMENT, 'deviceId must be 1-64 of A-Z a-z 0-9 _ . : -');
  return raw;
}

function validPlatform(raw: unknown): Platform {
  const p = raw ?? 'other';
  if (typeof p !== 'string' || !PLATFORMS.includes(p as Platform)) throw new XinboxError(Errors.INVALID_ARGUMENT, `platform must be one of ${PLATFORMS.join(', ')}`);
  return p as Platform;
}
