/** The webhook delivery log's calls (/v1/admin/webhooks/*). */
import type { AdminApi } from './admin-api.js';

export interface WebhookDelivery {
  readonly seq: number;
  readonly lane: number;
  /** The app whose receiver the batch went to. */
  readonly app: string;
  readonly at: number;
  readonly status: 'delivered' | 'failed';
  readonly attempt: number;
  readonly events: ReadonlyArray<{ readonly id: string; readonly type: string; readonly orderKey: string }>;
  readonly error: string;
  readonly nextAttemptAt: number;
}

export interface WebhookLane {
  readonly lane: number;
  readonly pending: number;
  readonly attempts: number;
  readonly nextAttemptAt: number;
  readonly lastError: string;
}

export interface DeliveryFilter { lane?: number; type?: string; event?: string; app?: string }

export async function listDeliveries(api: AdminApi, filter: DeliveryFilter): Promise<WebhookDelivery[]> {
  const q = new URLSearchParams({ limit: '100' });
  if (filter.lane !== undefined) q.set('lane', String(filter.lane));
  if (filter.type) q.set('type', filter.type);
  if (filter.event) q.set('event', filter.event);
  if (filter.app) q.set('app', filter.app);
  return ((await api.call('GET', `/v1/admin/webhooks/deliveries?${q}`)) as { deliveries: WebhookDelivery[] }).deliveries;
}

export async function listLanes(api: AdminApi): Promise<WebhookLane[]> {
  return ((await api.call('GET', '/v1/admin/webhooks/lanes')) as { lanes: WebhookLane[] }).lanes;
}
