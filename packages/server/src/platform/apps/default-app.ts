import type { XinboxConfig } from '../../config.js';
import type { DefaultAppSettings } from '../../core/apps/app-directory.js';

const list = (s: string): string[] => s.split(',').map((x) => x.trim()).filter(Boolean);

/**
 * The built-in `default` app as the config describes it (ADR 0013 §2): the
 * server API secrets, the webhook receiver and the push credentials every
 * deployment had before apps. Nothing of it is stored.
 */
export function defaultAppSettingsOf(c: XinboxConfig): DefaultAppSettings {
  return {
    secrets: list(c.serverApiSecrets),
    webhook: c.webhookUrl ? { url: c.webhookUrl, signingSecrets: list(c.webhookSecret), events: c.webhookEvents } : null,
    push: {
      ...(c.apnsTeamId ? { apnsTeamId: c.apnsTeamId, apnsKeyId: c.apnsKeyId, apnsKeyFile: c.apnsKeyFile, apnsTopic: c.apnsTopic } : {}),
      ...(c.fcmServiceAccountFile ? { fcmServiceAccountFile: c.fcmServiceAccountFile } : {}),
      ...(c.webPushPublicKey ? { webPushPublicKey: c.webPushPublicKey, webPushSubject: c.webPushSubject } : {}),
      ...(c.pushWebhookUrl ? { pushWebhookUrl: c.pushWebhookUrl } : {}),
    },
  };
}
