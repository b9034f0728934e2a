import type { AppLimits, AppPushCredentials, AppRecord, AppWebhook } from '../core/ports/app-store.js';

/** An `apps` row as both SQL adapters read it (JSON columns as text). */
export interface AppRow {
  id: string;
  name: string;
  created_at: number | string;
  webhook: string | null;
  push: string;
  limits: string;
  version: number | string;
}

/** The record of an app row and its secret digests (oldest first). Frozen, as the memory adapter's. */
export function appOf(row: AppRow, digests: readonly string[]): AppRecord {
  const webhook = row.webhook === null ? null : (JSON.parse(row.webhook) as AppWebhook);
  return Object.freeze({
    id: row.id,
    name: row.name,
    createdAt: Number(row.created_at),
    secretDigests: Object.freeze([...digests]),
    webhook: webhook ? Object.freeze({ ...webhook, signingSecrets: Object.freeze([...webhook.signingSecrets]) }) : null,
    push: Object.freeze(JSON.parse(row.push) as AppPushCredentials),
    limits: Object.freeze(JSON.parse(row.limits) as AppLimits),
    version: Number(row.version),
  });
}

export const webhookJson = (w: AppWebhook | null): string | null => (w === null ? null : JSON.stringify(w));
