import { readFile } from 'node:fs/promises';
import type { XinboxConfig } from '../../config.js';
import type { Logger } from '../../logger.js';
import type { AppDirectory } from '../../core/apps/app-directory.js';
import type { UserId } from '../../core/model.js';
import { DEFAULT_APP_ID, type AppId, type AppOfUser, type AppRecord } from '../../core/ports/app-store.js';
import type { PushNotifier } from '../../core/ports/push-notifier.js';
import type { PushProvider } from '../../core/ports/push-tokens.js';
import { ApnsNotifier } from './apns-notifier.js';
import { FcmNotifier, type ServiceAccount } from './fcm-notifier.js';
import { WebhookPushNotifier } from './webhook-notifier.js';
import { WebPushNotifier } from './webpush-notifier.js';
import { AppSnapshotRefresh } from '../../core/apps/app-snapshot-refresh.js';

type Notifiers = ReadonlyMap<PushProvider, PushNotifier>;
const NONE: Notifiers = new Map();

/** Provider settings shared by every app (endpoints, timeouts): the config's. */
export type SharedPushSettings = Pick<XinboxConfig, 'apnsUrl' | 'fcmUrl' | 'notifyTimeoutMs' | 'webPushTtlSeconds' | 'webPushCaFile'>;

export interface AppNotifiersOptions {
  /** Apps whose notifiers are kept constructed (least recently used closed first). Default 64. */
  readonly maxApps?: number;
  /** How often the apps are read for "does any app have push credentials". Default 2 s. */
  readonly refreshMs?: number;
}

/**
 * The push notifiers of each app (ADR 0013 (7)): the recipient's app decides
 * which credentials a notification is sent with (B's APNs team and key for
 * B's users). `default` uses the config's notifiers, as before apps. Other
 * apps' notifiers are built from their stored credentials on first use
 * (key files read asynchronously, never on the socket thread's critical
 * path) and kept in a small LRU keyed by app id + record version, so a
 * changed credential is picked up at the next notification. An app without
 * credentials for a provider sends nothing through it: its users are never
 * pushed with another app's credentials.
 */
export class AppNotifiers {
  private readonly built = new Map<AppId, { version: number; notifiers: Promise<Notifiers> }>();
  private anyApp = false;
  private refresher: AppSnapshotRefresh | null = null;

  constructor(
    private readonly defaults: Notifiers,
    private readonly apps: AppDirectory,
    private readonly appOfUser: AppOfUser,
    private readonly shared: SharedPushSettings,
    private readonly log: Logger,
    private readonly opts: AppNotifiersOptions = {},
  ) {}

  async start(): Promise<void> {
    this.refresher ??= new AppSnapshotRefresh(() => this.refresh(), this.opts.refreshMs ?? 2_000, this.log, "the apps' push credentials");
    await this.refresher.start();
  }

  async refresh(): Promise<void> {
    this.anyApp = (await this.apps.listRecent()).some((a) => a.id !== DEFAULT_APP_ID && hasPush(a));
  }

  /** Some app (default included) can push: otherwise committed messages need no burst at all. */
  get any(): boolean {
    return this.defaults.size > 0 || this.anyApp;
  }

  /**
   * The notifiers of the user's app. Always by the user's app (a cached
   * lookup): answering `defaults` from the 2 s snapshot while it says no other
   * app has credentials would push a user of an app given credentials (or
   * created) a moment ago with the config's, i.e. another app's.
   */
  async forUser(userId: UserId): Promise<Notifiers> {
    return this.forApp(await this.appOfUser(userId));
  }

  async forApp(appId: AppId): Promise<Notifiers> {
    if (appId === DEFAULT_APP_ID) return this.defaults;
    const app = await this.apps.get(appId);
    const hit = this.built.get(appId);
    if (!app || !hasPush(app)) {
      if (hit) this.close(appId);
      return NONE;
    }
    if (hit && hit.version === app.version) {
      this.built.delete(appId);
      this.built.set(appId, hit); // most recently used last
      return hit.notifiers;
    }
    if (hit) this.close(appId);
    if (this.built.size >= (this.opts.maxApps ?? 64)) this.close(this.built.keys().next().value!);
    const notifiers = this.build(app).catch((e: unknown) => {
      // A missing or bad key file: this version of the app sends nothing (logged once), until its credentials change.
      this.log.warn(`push credentials of app ${app.id} are unusable: ${(e as Error).message}`);
      return NONE;
    });
    this.built.set(appId, { version: app.version, notifiers });
    return notifiers;
  }

  async stop(): Promise<void> {
    this.refresher?.stop();
    const all = [...this.built.values()];
    this.built.clear();
    await Promise.all(all.map(async (b) => Promise.all([...(await b.notifiers).values()].map((n) => n.close()))));
  }

  private close(appId: AppId): void {
    const b = this.built.get(appId);
    this.built.delete(appId);
    // Sends in flight on them finish or fail (and are retried with the new ones).
    void b?.notifiers.then((ns) => Promise.all([...ns.values()].map((n) => n.close()))).catch(() => undefined);
  }

  private async build(app: AppRecord): Promise<Notifiers> {
    const p = app.push;
    const s = this.shared;
    const notifiers = new Map<PushProvider, PushNotifier>();
    if (p.apnsTeamId && p.apnsKeyId && p.apnsKeyFile && p.apnsTopic) {
      notifiers.set('apns', new ApnsNotifier({
        url: s.apnsUrl, teamId: p.apnsTeamId, keyId: p.apnsKeyId, topic: p.apnsTopic,
        privateKeyPem: await readFile(p.apnsKeyFile, 'utf8'), timeoutMs: s.notifyTimeoutMs,
      }));
    }
    if (p.fcmServiceAccountFile) {
      const account = JSON.parse(await readFile(p.fcmServiceAccountFile, 'utf8')) as ServiceAccount;
      notifiers.set('fcm', new FcmNotifier({ account, url: s.fcmUrl, timeoutMs: s.notifyTimeoutMs }));
    }
    if (p.pushWebhookUrl && app.webhook?.signingSecrets.length) {
      notifiers.set('webhook', new WebhookPushNotifier(p.pushWebhookUrl, app.webhook.signingSecrets, s.notifyTimeoutMs));
    }
    if (p.webPushPublicKey && p.webPushPrivateKeyFile && p.webPushSubject) {
      notifiers.set('webpush', new WebPushNotifier({
        publicKey: p.webPushPublicKey, privateKey: (await readFile(p.webPushPrivateKeyFile, 'utf8')).trim(), subject: p.webPushSubject,
        ttlSeconds: s.webPushTtlSeconds, timeoutMs: s.notifyTimeoutMs, ca: s.webPushCaFile ? await readFile(s.webPushCaFile, 'utf8') : null,
      }));
    }
    return notifiers;
  }
}

function hasPush(app: AppRecord): boolean {
  const p = app.push;
  return Boolean(p.apnsTeamId || p.fcmServiceAccountFile || p.pushWebhookUrl || p.webPushPublicKey);
}
