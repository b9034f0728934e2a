/**
 * The webhook delivery log: every delivery attempt, newest first (status,
 * attempt number, the app, the batch's events, the receiver's error, the next retry),
 * narrowed to one app, one lane, one event type or one event (by id), and the lanes whose events are
 * still waiting. Polled while shown.
 */
import { useState } from 'preact/hooks';
import type { AdminApi } from './admin-api.js';
import { usePolling } from './use-polling.js';
import { listDeliveries, listLanes, type DeliveryFilter, type WebhookDelivery, type WebhookLane } from './webhook-log-api.js';

export function WebhookLogPanel({ api }: { api: AdminApi }) {
  const [lane, setLane] = useState('');
  const [type, setType] = useState('');
  const [event, setEvent] = useState('');
  const [app, setApp] = useState('');
  const [filter, setFilter] = useState<DeliveryFilter>({});
  const [deliveries, setDeliveries] = useState<WebhookDelivery[]>([]);
  const [lanes, setLanes] = useState<WebhookLane[]>([]);
  const [error, setError] = useState('');
  usePolling(async () => {
    try {
      const [d, l] = await Promise.all([listDeliveries(api, filter), listLanes(api)]);
      setDeliveries(d);
      setLanes(l);
      setError('');
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  }, 2_000, [api, filter]);
  const apply = (e: Event) => {
    e.preventDefault();
    setFilter({
      ...(lane.trim() ? { lane: Number(lane) } : {}), ...(type.trim() ? { type: type.trim() } : {}), ...(event.trim() ? { event: event.trim() } : {}),
      ...(app.trim() ? { app: app.trim() } : {}),
    });
  };
  return (
    <section class="admin__panel admin__panel--wide" aria-labelledby="webhooks-title" data-testid="admin-webhooks">
      <h2 id="webhooks-title">Webhook deliveries</h2>
      <form class="admin__search" onSubmit={apply}>
        <input aria-label="Lane" placeholder="lane (0-31: default app)" inputMode="numeric" value={lane} onInput={(e) => setLane(e.currentTarget.value)} />
        <input aria-label="Event type" placeholder="event type, e.g. message.sent" value={type} onInput={(e) => setType(e.currentTarget.value)} />
        <input aria-label="Event id" placeholder="event id" value={event} onInput={(e) => setEvent(e.currentTarget.value)} />
        <input aria-label="Filter by app" placeholder="app id" value={app} onInput={(e) => setApp(e.currentTarget.value)} />
        <button type="submit" class="btn">Filter</button>
      </form>
      {error && <p class="error" role="alert">{error}</p>}
      <p class="admin__meta" data-testid="admin-webhook-lanes">
        {lanes.length === 0 ? 'Nothing waiting.' : lanes.map((l) =>
          `lane ${l.lane}: ${l.pending} waiting, ${l.attempts} failed, next ${time(l.nextAttemptAt)}${l.lastError ? ` (${l.lastError})` : ''}`).join(' · ')}
      </p>
      <table class="admin__deliveries">
        <thead><tr><th>time</th><th>app</th><th>lane</th><th>status</th><th>attempt</th><th>events</th><th>error</th><th>next retry</th></tr></thead>
        <tbody data-testid="admin-deliveries">
          {deliveries.map((d) => (
            <tr key={d.seq} data-status={d.status} data-app={d.app}>
              <td>{new Date(d.at).toLocaleTimeString()}</td>
              <td>{d.app}</td>
              <td>{d.lane}</td>
              <td>{d.status}</td>
              <td>{d.attempt}</td>
              <td title={d.events.map((e) => `${e.type} ${e.orderKey} ${e.id}`).join('\n')}>{summary(d)}</td>
              <td>{d.error}</td>
              <td>{d.status === 'failed' ? time(d.nextAttemptAt) : ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function time(ms: number): string {
  return ms ? new Date(ms).toLocaleTimeString() : 'now';
}

/** "3 × message.sent, group.created (conversation:42)". */
function summary(d: WebhookDelivery): string {
  const types = [...new Set(d.events.map((e) => e.type))].join(', ');
  const keys = [...new Set(d.events.map((e) => e.orderKey))];
  return `${d.events.length} × ${types} (${keys.length === 1 ? keys[0] : `${keys.length} keys`})`;
}
