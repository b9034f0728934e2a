import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { Errors, XinboxError } from '@xinbox/protocol';
import {
  APP_ID_PATTERN, DEFAULT_APP_ID,
  type AppId, type AppPatch, type AppPushCredentials, type AppRecord, type AppStore, type AppWebhook,
} from '../ports/app-store.js';

/** What the config says about the built-in `default` app (node.ts builds it from the frozen config). */
export interface DefaultAppSettings {
  readonly name?: string;
  /** The server API secrets (config `appSecrets`), in clear: the config holds them so. */
  readonly secrets: readonly string[];
  readonly webhook: AppWebhook | null;
  readonly push: AppPushCredentials;
}

/** A newly created or rotated secret: shown to the operator once, stored only as a digest. */
export interface IssuedSecret {
  readonly app: AppRecord;
  readonly secret: string;
  readonly digest: string;
}

export interface AppDirectoryOptions {
  readonly clock?: () => number;
  /** How long a looked-up app is reused before the store is asked again (other nodes' changes show within it). Default 2 s. */
  readonly cacheMs?: number;
  /** Most apps cached (default 10,000). */
  readonly cacheSize?: number;
}

/**
 * The apps of this deployment (ADR 0013): the `default` app synthesised from
 * the config, never stored and never changed here, plus the AppStore's. Every
 * caller (server API authentication, webhooks, push, limits, admin routes)
 * asks here rather than the store, so `default` is handled in one place.
 */
export class AppDirectory {
  private readonly defaultApp: AppRecord;
  private readonly defaultDigests: Buffer[];
  private readonly cache = new Map<AppId, { app: AppRecord | null; until: number }>();
  private recent: { apps: Promise<AppRecord[]>; until: number } | null = null;
  private readonly clock: () => number;
  private readonly cacheMs: number;
  private readonly cacheSize: number;

  constructor(private readonly store: AppStore, defaults: DefaultAppSettings, opts: AppDirectoryOptions = {}) {
    this.clock = opts.clock ?? Date.now;
    this.cacheMs = opts.cacheMs ?? 2_000;
    this.cacheSize = opts.cacheSize ?? 10_000;
    this.defaultDigests = defaults.secrets.map((s) => createHash('sha256').update(s).digest());
    this.defaultApp = Object.freeze({
      id: DEFAULT_APP_ID,
      name: defaults.name ?? 'Default app',
      createdAt: 0,
      secretDigests: Object.freeze(this.defaultDigests.map((d) => d.toString('hex'))),
      webhook: defaults.webhook,
      push: Object.freeze({ ...defaults.push }),
      limits: Object.freeze({}),
      version: 1,
    });
  }

  /** The app, or null when there is none with this id. Cached for `cacheMs`. */
  async get(id: AppId): Promise<AppRecord | null> {
    if (id === DEFAULT_APP_ID) return this.defaultApp;
    const now = this.clock();
    const hit = this.cache.get(id);
    if (hit && hit.until > now) return hit.app;
    const app = await this.store.get(id);
    if (this.cache.size >= this.cacheSize) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(id, { app, until: now + this.cacheMs });
    return app;
  }

  /** The app, or APP_NOT_FOUND. */
  async require(id: AppId): Promise<AppRecord> {
    const app = await this.get(id);
    if (!app) throw new XinboxError(Errors.APP_NOT_FOUND);
    return app;
  }

  /** `default` first, then the stored apps by id. */
  async list(): Promise<AppRecord[]> {
    return [this.defaultApp, ...(await this.store.list())];
  }

  /**
   * Like `list`, from a copy at most `cacheMs` old: the periodic snapshots
   * of webhooks, push and limits share one store read per interval.
   */
  async listRecent(): Promise<AppRecord[]> {
    const now = this.clock();
    if (this.recent && this.recent.until > now) return this.recent.apps;
    const apps = this.list();
    this.recent = { apps, until: now + this.cacheMs };
    apps.catch(() => (this.recent = null));
    return apps;
  }

  /**
   * The app a server API secret belongs to, or null. The config's secrets are
   * compared in constant time (every one, no early exit); stored ones are
   * found by their SHA-256 digest, which reveals nothing about a near miss.
   */
  async bySecret(secret: string): Promise<AppRecord | null> {
    const presented = createHash('sha256').update(secret).digest();
    let isDefault = false;
    for (const d of this.defaultDigests) isDefault = timingSafeEqual(presented, d) || isDefault;
    if (isDefault) return this.defaultApp;
    return this.store.findBySecretDigest(presented.toString('hex'));
  }

  /** Creates an app with one fresh secret. APP_ID_INVALID, APP_ID_TAKEN. */
  async create(id: AppId, name: string): Promise<IssuedSecret> {
    if (!APP_ID_PATTERN.test(id)) throw new XinboxError(Errors.APP_ID_INVALID);
    if (id === DEFAULT_APP_ID) throw new XinboxError(Errors.APP_ID_TAKEN);
    const { secret, digest } = newSecret();
    const app = await this.store.create({ id, name: name || id, createdAt: this.clock(), secretDigests: [digest], webhook: null, push: {}, limits: {} });
    this.cache.delete(id);
    this.recent = null;
    return { app, secret, digest };
  }

  /** Adds a fresh secret (the old ones keep working until retired). */
  async rotateSecret(id: AppId): Promise<IssuedSecret> {
    this.refuseDefault(id);
    const { secret, digest } = newSecret();
    const app = await this.store.addSecret(id, digest);
    this.cache.delete(id);
    this.recent = null;
    return { app, secret, digest };
  }

  /** Retires a secret by its digest. APP_SECRET_LAST when it is the app's only one. */
  async retireSecret(id: AppId, digestHex: string): Promise<AppRecord> {
    this.refuseDefault(id);
    const app = await this.store.removeSecret(id, digestHex);
    this.cache.delete(id);
    this.recent = null;
    return app;
  }

  async update(id: AppId, patch: AppPatch): Promise<AppRecord> {
    this.refuseDefault(id);
    const app = await this.store.update(id, patch);
    this.cache.delete(id);
    this.recent = null;
    return app;
  }

  async delete(id: AppId): Promise<boolean> {
    this.refuseDefault(id);
    this.cache.delete(id);
    this.recent = null;
    return this.store.delete(id);
  }

  private refuseDefault(id: AppId): void {
    if (id === DEFAULT_APP_ID) throw new XinboxError(Errors.APP_DEFAULT_IMMUTABLE);
  }
}

function newSecret(): { secret: string; digest: string } {
  const secret = `xbs_${randomBytes(32).toString('base64url')}`;
  return { secret, digest: createHash('sha256').update(secret).digest('hex') };
}
