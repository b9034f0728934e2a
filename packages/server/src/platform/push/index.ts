/**
 * Offline push notifications (issue 16), assembled from the settings: one
 * notifier per configured provider and the PushService (the token routes
 * are in api/push-token-routes.ts).
 */
import { readFileSync } from 'node:fs';
import type { XinboxConfig } from '../../config.js';
import type { Logger } from '../../logger.js';
import type { ConversationKind, StoredMessage, UserId } from '../../core/model.js';
import type { ConversationStore } from '../../core/ports/conversation-store.js';
import type { IdentityStore } from '../../core/ports/identity-store.js';
import type { Presence } from '../../core/ports/presence.js';
import type { PushNotifier } from '../../core/ports/push-notifier.js';
import type { PushProvider, PushTokenStore } from '../../core/ports/push-tokens.js';
import { ApnsNotifier } from './apns-notifier.js';
import { FcmNotifier, type ServiceAccount } from './fcm-notifier.js';
import { PushService, type PushServiceDeps } from './push-service.js';
import { AppNotifiers } from './app-notifiers.js';
import type { AppDirectory } from '../../core/apps/app-directory.js';
import type { AppOfUser } from '../../core/ports/app-store.js';
import { WebhookPushNotifier } from './webhook-notifier.js';
import { WebPushNotifier } from './webpush-notifier.js';
import { checkWebPushToken } from './webpush-subscription.js';

export interface Push {
  readonly service: PushService | null;
  readonly committed: ((m: StoredMessage, kind: ConversationKind, system: boolean, recipients: readonly UserId[]) => void) | undefined;
  stats(): Record<string, number> | undefined;
  stop(): Promise<void>;
}

export interface PushDeps {
  readonly config: XinboxConfig;
  readonly tokens: PushTokenStore;
  readonly presence: Presence;
  readonly conversations: ConversationStore;
  readonly identity: IdentityStore;
  readonly log: Logger;
  /** Per-user conversation mute and badge rule (PushServiceDeps.settingsOf), from ConversationSettingsService. */
  readonly settingsOf?: PushServiceDeps['settingsOf'];
  /** The deployment's apps: each app's users are pushed with its credentials (`default`: the config's). */
  readonly apps: AppDirectory;
  readonly appOfUser: AppOfUser;
}

export function notifiersFrom(config: XinboxConfig): Map<PushProvider, PushNotifier> {
  const notifiers = new Map<PushProvider, PushNotifier>();
  if (config.apnsTeamId) {
    if (!config.apnsKeyId || !config.apnsKeyFile || !config.apnsTopic) throw new Error('APNs needs apnsKeyId, apnsKeyFile and apnsTopic with apnsTeamId');
    notifiers.set('apns', new ApnsNotifier({
      url: config.apnsUrl, teamId: config.apnsTeamId, keyId: config.apnsKeyId, topic: config.apnsTopic,
      privateKeyPem: readFileSync(config.apnsKeyFile, 'utf8'), timeoutMs: config.notifyTimeoutMs,
    }));
  }
  if (config.fcmServiceAccountFile) {
    const account = JSON.parse(readFileSync(config.fcmServiceAccountFile, 'utf8')) as ServiceAccount;
    notifiers.set('fcm', new FcmNotifier({ account, url: config.fcmUrl, timeoutMs: config.notifyTimeoutMs }));
  }
  if (config.pushWebhookUrl) {
    const secrets = config.webhookSecret.split(',').map((s) => s.trim()).filter(Boolean);
    notifiers.set('webhook', new WebhookPushNotifier(config.pushWebhookUrl, secrets, config.notifyTimeoutMs));
  }
  if (config.webPushPublicKey) {
    notifiers.set('webpush', new WebPushNotifier({
      publicKey: config.webPushPublicKey, privateKey: config.webPushPrivateKey, subject: config.webPushSubject,
      ttlSeconds: config.webPushTtlSeconds, timeoutMs: config.notifyTimeoutMs, ca: config.webPushCaFile ? readFileSync(config.webPushCaFile, 'utf8') : null,
    }));
  }
  return notifiers;
}

/** Registration-time check of a token's shape, per provider (Web Push: a subscription on an allowed push service). */
export function pushTokenCheck(config: XinboxConfig): (provider: PushProvider, token: string) => void {
  const hosts = config.webPushAllowedHosts.split(',').map((h) => h.trim().toLowerCase()).filter(Boolean);
  return (provider, token) => {
    if (provider === 'webpush') checkWebPushToken(token, hosts);
  };
}

export async function createPush(deps: PushDeps): Promise<Push> {
  const { config } = deps;
  const defaults = notifiersFrom(config);
  const notifiers = new AppNotifiers(defaults, deps.apps, deps.appOfUser, config, deps.log);
  await notifiers.start();
  // Apps may get credentials at any time, so the service always exists; it starts no burst while nobody can push.
  const service = new PushService(
    {
      tokens: deps.tokens, presence: deps.presence, conversations: deps.conversations, identity: deps.identity, notifiersOf: (u) => notifiers.forUser(u), log: deps.log,
      ...(deps.settingsOf ? { settingsOf: deps.settingsOf } : {}),
    },
    { coalesceMs: config.notifyCoalesceMs, retries: config.notifyRetries, retryBaseMs: config.notifyRetryBaseMs, maxPending: 100_000 },
  );
  return {
    service,
    committed: (m, _kind, system, recipients) => {
      if (notifiers.any) service.committed(m, recipients, system);
    },
    stats: () => (notifiers.any ? { ...service.counters } : undefined),
    stop: async () => {
      await service.stop();
      await notifiers.stop();
      await Promise.all([...defaults.values()].map((n) => n.close()));
    },
  };
}
