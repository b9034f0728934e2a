/**
 * Checks an app's settings from `PATCH /v1/admin/apps/{id}` the way the
 * config checks the same settings (config.ts): the same field types (the
 * limits reuse the config schema's own ranges), 16+ character signing
 * secrets, http(s) URLs, and the same "needs" rules for APNs and Web Push.
 * Every problem is listed in one INVALID_ARGUMENT message naming the field.
 */
import { Errors, XinboxError } from '@xinbox/protocol';
import { configSchema } from '../config.js';
import { httpUrl } from '../config-fields.js';
import { APP_LIMIT_KEYS } from '../core/apps/app-limits.js';
import type { AppBeforeSend, AppLimits, AppPatch, AppPushCredentials, AppRecord, AppWebhook } from '../core/ports/app-store.js';

export const LIMIT_KEYS = APP_LIMIT_KEYS;
export const PUSH_KEYS = [
  'apnsTeamId', 'apnsKeyId', 'apnsKeyFile', 'apnsTopic', 'fcmServiceAccountFile',
  'webPushPublicKey', 'webPushPrivateKeyFile', 'webPushSubject', 'pushWebhookUrl',
] as const satisfies ReadonlyArray<keyof AppPushCredentials>;
/** Most signing secrets one webhook holds (an overlap of a few during rotation is all that is needed). */
export const MAX_SIGNING_SECRETS = 5;
const EVENT_PATTERN = /^(\*|[a-z][a-z_]*(\.[a-z_]+)*(\.\*)?)$/;

/** The body of PATCH /v1/admin/apps/{id} after JSON Schema checked its shape. */
export interface AppPatchInput {
  readonly name?: string;
  /** `signingSecrets` absent: keep the app's current ones (the listing never shows them, so an edit need not repeat them). */
  readonly webhook?: {
    readonly url: string; readonly signingSecrets?: readonly string[]; readonly events?: string;
    /** null = no before-send check; absent = keep the current one. */
    readonly beforeSend?: AppBeforeSend | null;
  } | null;
  readonly push?: AppPushCredentials;
  readonly limits?: AppLimits;
}

/** The AppPatch to store, or INVALID_ARGUMENT listing every problem. */
export function appPatchOf(input: AppPatchInput, current: AppRecord): AppPatch {
  const problems: string[] = [];
  const patch: { -readonly [K in keyof AppPatch]: AppPatch[K] } = {};
  if (input.name !== undefined) {
    const name = input.name.trim();
    if (!name) problems.push('name must not be empty');
    patch.name = name;
  }
  if (input.webhook !== undefined) patch.webhook = input.webhook === null ? null : webhookOf(input.webhook, current.webhook, problems);
  if (input.push !== undefined) patch.push = pushOf(input.push, patch.webhook === undefined ? current.webhook : patch.webhook, problems);
  if (input.limits !== undefined) patch.limits = limitsOf(input.limits, problems);
  if (problems.length) throw new XinboxError(Errors.INVALID_ARGUMENT, problems.join('; '));
  return patch;
}

function webhookOf(w: NonNullable<AppPatchInput['webhook']>, current: AppWebhook | null, problems: string[]): AppWebhook {
  if (!w.url || !httpUrl.safeParse(w.url).success) problems.push('webhook.url must be an http(s) URL');
  const signingSecrets = (w.signingSecrets ?? current?.signingSecrets ?? []).map((s) => s.trim()).filter(Boolean);
  if (signingSecrets.length === 0) problems.push('webhook.signingSecrets: a webhook needs at least one signing secret (16+ characters)');
  if (signingSecrets.some((s) => s.length < 16)) problems.push('webhook.signingSecrets: each must be at least 16 characters');
  if (signingSecrets.length > MAX_SIGNING_SECRETS) problems.push(`webhook.signingSecrets: at most ${MAX_SIGNING_SECRETS}`);
  const events = (w.events ?? current?.events ?? '*').split(',').map((s) => s.trim()).filter(Boolean);
  if (events.length === 0) problems.push('webhook.events must name at least one event type, `prefix.*` or `*`');
  const bad = events.filter((e) => !EVENT_PATTERN.test(e));
  if (bad.length) problems.push(`webhook.events: ${bad.map((b) => JSON.stringify(b)).join(', ')} is not an event type, \`prefix.*\` or \`*\``);
  const beforeSend = w.beforeSend === undefined ? current?.beforeSend : w.beforeSend === null ? undefined : beforeSendOf(w.beforeSend, problems);
  return { url: w.url, signingSecrets, events: events.join(','), ...(beforeSend ? { beforeSend } : {}) };
}

/** The config's own fields (beforeSendUrl, beforeSendTimeoutMs, beforeSendOnFailure): same checks, same ranges. */
function beforeSendOf(b: AppBeforeSend, problems: string[]): AppBeforeSend {
  if (!b.url || !httpUrl.safeParse(b.url).success) problems.push('webhook.beforeSend.url must be an http(s) URL');
  if (b.timeoutMs !== undefined) {
    const r = configSchema.shape.beforeSendTimeoutMs.safeParse(b.timeoutMs);
    if (!r.success) problems.push(`webhook.beforeSend.timeoutMs ${r.error.issues[0]?.message ?? 'is out of range'}`);
  }
  if (b.onFailure !== undefined && b.onFailure !== 'allow' && b.onFailure !== 'reject') problems.push('webhook.beforeSend.onFailure must be `allow` or `reject`');
  return { url: b.url, ...(b.timeoutMs !== undefined ? { timeoutMs: b.timeoutMs } : {}), ...(b.onFailure !== undefined ? { onFailure: b.onFailure } : {}) };
}

function pushOf(p: AppPushCredentials, webhook: AppWebhook | null, problems: string[]): AppPushCredentials {
  const out: Record<string, string> = {};
  for (const k of PUSH_KEYS) {
    const v = p[k]?.trim();
    if (v) out[k] = v;
  }
  const c = out as AppPushCredentials;
  // The same rules as config.ts checks for the config's own push settings.
  if (c.apnsTeamId && (!c.apnsKeyId || !c.apnsKeyFile || !c.apnsTopic)) problems.push('push: APNs (apnsTeamId) needs apnsKeyId, apnsKeyFile and apnsTopic');
  if ((c.apnsKeyId || c.apnsKeyFile || c.apnsTopic) && !c.apnsTeamId) problems.push('push: apnsKeyId, apnsKeyFile and apnsTopic need apnsTeamId');
  if (!c.webPushPublicKey !== !c.webPushPrivateKeyFile) problems.push('push: Web Push needs both webPushPublicKey and webPushPrivateKeyFile');
  if (c.webPushPublicKey && !/^(mailto:|https:\/\/)/.test(c.webPushSubject ?? '')) problems.push('push.webPushSubject must be a mailto: address or an https URL when Web Push is on');
  if (c.pushWebhookUrl && !httpUrl.safeParse(c.pushWebhookUrl).success) problems.push('push.pushWebhookUrl must be an http(s) URL');
  if (c.pushWebhookUrl && !webhook?.signingSecrets.length) problems.push('push.pushWebhookUrl needs the app\'s webhook signing secrets (set webhook first): its requests are signed with them');
  return c;
}

function limitsOf(l: AppLimits, problems: string[]): AppLimits {
  const out: Record<string, number> = {};
  for (const k of LIMIT_KEYS) {
    const v = l[k];
    if (v === undefined || v === null) continue;
    // The config schema's own field: same range, same message.
    const r = configSchema.shape[k].safeParse(v);
    if (!r.success || typeof v !== 'number') problems.push(`limits.${k} ${r.error?.issues[0]?.message ?? 'must be a number'}`);
    else out[k] = v;
  }
  return out as AppLimits;
}
