/**
 * The node's AppDirectory (ADR 0013): the `default` app from the frozen
 * config (server API secrets, webhook, push credentials) plus the apps in
 * `store`. node.ts passes the store; this is the one line to change when the
 * storage adapters provide a durable AppStore.
 */
import type { XinboxConfig } from '../../config.js';
import { AppDirectory, type AppDirectoryOptions, type DefaultAppSettings } from '../../core/apps/app-directory.js';
import type { AppPushCredentials, AppStore } from '../../core/ports/app-store.js';

export function createAppDirectory(config: XinboxConfig, store: AppStore, opts: AppDirectoryOptions = {}): AppDirectory {
  return new AppDirectory(store, defaultAppSettingsOf(config), opts);
}

const commaList = (s: string): string[] => s.split(',').map((x) => x.trim()).filter(Boolean);

export function defaultAppSettingsOf(config: XinboxConfig): DefaultAppSettings {
  const signingSecrets = commaList(config.webhookSecret);
  const push: Record<string, string> = {
    apnsTeamId: config.apnsTeamId, apnsKeyId: config.apnsKeyId, apnsKeyFile: config.apnsKeyFile, apnsTopic: config.apnsTopic,
    fcmServiceAccountFile: config.fcmServiceAccountFile, webPushPublicKey: config.webPushPublicKey, webPushSubject: config.webPushSubject,
    pushWebhookUrl: config.pushWebhookUrl,
  };
  // The config holds the VAPID private key itself, not a file: the default app's notifiers read it from the config (never listed).
  for (const k of Object.keys(push)) if (!push[k]) delete push[k];
  return {
    secrets: commaList(config.serverApiSecrets),
    webhook: config.webhookUrl ? { url: config.webhookUrl, signingSecrets, events: config.webhookEvents } : null,
    push: push as AppPushCredentials,
  };
}
