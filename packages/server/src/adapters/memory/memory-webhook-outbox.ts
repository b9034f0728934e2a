import {
  WEBHOOK_DELIVERY_LOG_SIZE, webhookLaneOf,
  type NewWebhookEvent, type WebhookDeliveryQuery, type WebhookDeliveryRecord, type StoredWebhookEvent, type WebhookBatch, type WebhookLaneState, type WebhookOutbox,
} from '../../core/ports/webhook-outbox.js';
import { DEFAULT_APP_ID } from '../../core/ports/app-store.js';

interface Lane {
  readonly events: StoredWebhookEvent[];
  holder: string;
  leaseUntil: number;
  /** Round robin: the lane claimed longest ago goes first. */
  claimedAt: number;
  attempts: number;
  nextAttemptAt: number;
  lastError: string;
}

/** WebhookOutbox in memory: the reference implementation for tests and storage=memory. Nothing survives a restart. */
export class MemoryWebhookOutbox implements WebhookOutbox {
  /** Lanes by number, created on first use (each app has a lane set of its own). */
  private readonly laneList = new Map<number, Lane>();
  private position = 0;
  private claims = 0;
  /** The delivery log, oldest first; at most WEBHOOK_DELIVERY_LOG_SIZE. */
  private log: WebhookDeliveryRecord[] = [];
  private logSeq = 0;

  async append(events: readonly NewWebhookEvent[]): Promise<void> {
    this.appendNow(events);
  }

  /** Synchronous append: the memory message store's writes (a batch's messages and their events) never interleave with others. */
  appendNow(events: readonly NewWebhookEvent[]): void {
    for (const e of events) {
      const lane = webhookLaneOf(e.appId, e.orderKey);
      let l = this.laneList.get(lane);
      if (!l) this.laneList.set(lane, (l = { events: [], holder: '', leaseUntil: 0, claimedAt: 0, attempts: 0, nextAttemptAt: 0, lastError: '' }));
      l.events.push({ ...e, appId: e.appId ?? DEFAULT_APP_ID, lane, position: ++this.position });
    }
  }

  async claim(holder: string, now: number, leaseMs: number, limit: number): Promise<WebhookBatch | null> {
    let best = -1;
    for (const i of this.laneNumbers()) {
      const l = this.laneList.get(i)!;
      if (l.events.length === 0 || l.nextAttemptAt > now || l.leaseUntil > now) continue;
      const b = best < 0 ? null : this.laneList.get(best)!;
      if (!b || l.nextAttemptAt < b.nextAttemptAt || (l.nextAttemptAt === b.nextAttemptAt && l.claimedAt < b.claimedAt)) best = i;
    }
    if (best < 0) return null;
    const l = this.laneList.get(best)!;
    l.holder = holder;
    l.leaseUntil = now + leaseMs;
    l.claimedAt = ++this.claims;
    return { lane: best, events: l.events.slice(0, limit), attempts: l.attempts };
  }

  async complete(batch: WebhookBatch, holder: string, at = Date.now()): Promise<boolean> {
    const l = this.laneList.get(batch.lane);
    if (!l || l.holder !== holder) return false;
    this.record(batch, at, 'delivered', '', 0);
    const last = batch.events.at(-1)?.position ?? 0;
    let n = 0;
    while (n < l.events.length && l.events[n]!.position <= last) n++;
    l.events.splice(0, n);
    Object.assign(l, { holder: '', leaseUntil: 0, attempts: 0, nextAttemptAt: 0, lastError: '' });
    return true;
  }

  async retryLater(batch: WebhookBatch, holder: string, nextAttemptAt: number, error: string, at = Date.now()): Promise<boolean> {
    const l = this.laneList.get(batch.lane);
    if (!l || l.holder !== holder) return false;
    this.record(batch, at, 'failed', error.slice(0, 500), nextAttemptAt);
    Object.assign(l, { holder: '', leaseUntil: 0, attempts: l.attempts + 1, nextAttemptAt, lastError: error });
    return true;
  }

  async lanes(): Promise<WebhookLaneState[]> {
    return this.laneNumbers().flatMap((lane) => {
      const l = this.laneList.get(lane)!;
      return l.events.length === 0 ? [] : [{ lane, pending: l.events.length, attempts: l.attempts, nextAttemptAt: l.nextAttemptAt, lastError: l.lastError }];
    });
  }

  async deliveries(query: WebhookDeliveryQuery): Promise<WebhookDeliveryRecord[]> {
    const out: WebhookDeliveryRecord[] = [];
    for (let i = this.log.length - 1; i >= 0 && out.length < query.limit; i--) {
      const r = this.log[i]!;
      if (query.lane !== undefined && r.lane !== query.lane) continue;
      if (query.eventType !== undefined && !r.events.some((e) => e.type === query.eventType)) continue;
      if (query.eventId !== undefined && !r.events.some((e) => e.id === query.eventId)) continue;
      if (query.app !== undefined && r.app !== query.app) continue;
      out.push(r);
    }
    return out;
  }

  async close(): Promise<void> {}

  private laneNumbers(): number[] {
    return [...this.laneList.keys()].sort((a, b) => a - b);
  }

  private record(batch: WebhookBatch, at: number, status: WebhookDeliveryRecord['status'], error: string, nextAttemptAt: number): void {
    const events = batch.events.map((e) => ({ id: e.id, type: e.type, orderKey: e.orderKey }));
    const app = batch.events[0]?.appId ?? DEFAULT_APP_ID;
    this.log.push({ seq: ++this.logSeq, lane: batch.lane, app, at, status, attempt: batch.attempts + 1, events, error, nextAttemptAt });
    if (this.log.length > WEBHOOK_DELIVERY_LOG_SIZE) this.log.shift();
  }
}
