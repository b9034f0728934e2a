/**
 * The durable outbox of webhook events (issue 16): events are appended when
 * they happen and delivered later, with retries, by whichever node holds the
 * lease on their lane. Nothing is lost across restarts or a receiver's
 * downtime, because an event leaves the outbox only after the receiver
 * acknowledged it.
 *
 * Ordering: every event has an order key (`conversation:42`, `user:7`,
 * `room:abc`); the key picks one of WEBHOOK_LANES lanes, and a lane is
 * delivered strictly in append order, one batch at a time. So events of one
 * key arrive in the order they were appended; different lanes proceed
 * independently (a receiver failing for one lane does not hold up another,
 * and lanes deliver concurrently).
 *
 * Apps (ADR 0013): each event carries the app it belongs to, and is
 * delivered to that app's receiver. Each app has a lane set of its own
 * (`webhookLaneOf`: the default app's are lanes 0-31, as before apps;
 * another app's, 32 lanes further up, picked by its id), so a receiver that
 * is down holds back its own app's events only. Lane rows beyond the first
 * 32 are created by the append that first uses them.
 */
import { DEFAULT_APP_ID, type AppId } from './app-store.js';

/** Fixed, so a stored event's lane never changes when settings change. */
export const WEBHOOK_LANES = 32;

export interface NewWebhookEvent {
  /** Unique event id (the receiver's dedupe key). */
  readonly id: string;
  readonly type: string;
  readonly orderKey: string;
  /** The event as the receiver gets it: a JSON object, serialized. */
  readonly json: string;
  readonly createdAt: number;
  /** The app whose receiver gets the event; absent = `default` (adapters store and return it, defaulting to `default`). */
  readonly appId?: AppId;
}

export interface StoredWebhookEvent extends NewWebhookEvent {
  /** Append position; increases in append order within a lane. */
  readonly position: number;
  readonly lane: number;
}

/** A lane's head events, leased to one deliverer. */
export interface WebhookBatch {
  readonly lane: number;
  readonly events: readonly StoredWebhookEvent[];
  /** Failed delivery attempts of this lane's head so far (0 on the first try). */
  readonly attempts: number;
}

export interface WebhookLaneState {
  readonly lane: number;
  readonly pending: number;
  readonly attempts: number;
  readonly nextAttemptAt: number;
  readonly lastError: string;
}

/** How many delivery attempts the delivery log keeps (newest win): bounded, whatever the traffic. */
export const WEBHOOK_DELIVERY_LOG_SIZE = 1000;

/** One delivery attempt of a lane's batch, as the admin console's delivery log shows it. */
export interface WebhookDeliveryRecord {
  /** Increases with each recorded attempt. */
  readonly seq: number;
  readonly lane: number;
  /** The app whose receiver the batch went to (a batch is one app's; rows recorded before apps say `default`). */
  readonly app: AppId;
  readonly at: number;
  readonly status: 'delivered' | 'failed';
  /** 1 for the first try of this batch's head, 2 for the first retry, ... */
  readonly attempt: number;
  /** The batch's events (id, type, order key), in delivery order. */
  readonly events: ReadonlyArray<{ readonly id: string; readonly type: string; readonly orderKey: string }>;
  /** '' when delivered. */
  readonly error: string;
  /** When failed: when the lane is tried again; 0 when delivered. */
  readonly nextAttemptAt: number;
}

export interface WebhookDeliveryQuery {
  readonly limit: number;
  readonly lane?: number;
  readonly eventType?: string;
  readonly eventId?: string;
  /** Only attempts of this app's batches. */
  readonly app?: AppId;
}

/**
 * Contract (shared suite: test/contracts/webhook-outbox.contract.ts):
 * - `append` is durable when it resolves; events of one call keep their
 *   order, and a later call's events come after an earlier call's. The
 *   same storage's MessageStore.append also appends (AppendItem.webhookEvents,
 *   in the message's transaction), ordered with these calls the same way
 *   (suite: test/contracts/message-webhook-events.contract.ts).
 * - `claim` leases one lane that has events, is due (its retry time has
 *   passed) and is not leased by another holder (or whose lease expired),
 *   and returns its first `limit` events in order. Two holders never hold
 *   one lane at once. Returns null when no lane qualifies.
 * - `complete` removes the batch's events and clears the lane's retry
 *   state; `retryLater` keeps them, counts an attempt and makes the lane due
 *   again at `nextAttemptAt`. Both release the lease, and both do nothing
 *   (return false) if the holder no longer holds the lane.
 * - `complete` and `retryLater` each record one delivery attempt (when they
 *   return true) in the same write; `deliveries` lists the newest first, at
 *   most WEBHOOK_DELIVERY_LOG_SIZE are kept.
 */
export interface WebhookOutbox {
  append(events: readonly NewWebhookEvent[]): Promise<void>;
  claim(holder: string, now: number, leaseMs: number, limit: number): Promise<WebhookBatch | null>;
  /** `at`: when the receiver answered (the log's time; default now). */
  complete(batch: WebhookBatch, holder: string, at?: number): Promise<boolean>;
  retryLater(batch: WebhookBatch, holder: string, nextAttemptAt: number, error: string, at?: number): Promise<boolean>;
  /** Lanes with pending events (for metrics and the delivery log). */
  lanes(): Promise<WebhookLaneState[]>;
  /** The delivery log, newest first; `lane` narrows it to one lane, `eventType` / `eventId` to attempts carrying that type / event, `app` to one app's. */
  deliveries(query: WebhookDeliveryQuery): Promise<WebhookDeliveryRecord[]>;
  close(): Promise<void>;
}

/** Lane sets: the default app's plus up to 1,023 for other apps (two apps whose ids fold onto one set share it). */
export const WEBHOOK_LANE_SETS = 1024;
/** Every lane number is below this. */
export const WEBHOOK_MAX_LANES = WEBHOOK_LANES * WEBHOOK_LANE_SETS;

/** FNV-1a of the order key, folded onto the lanes of one set (the default app's lane). */
export function webhookLane(orderKey: string): number {
  return fnv1a(orderKey) % WEBHOOK_LANES;
}

/** The lane of an event: its order key's lane within its app's lane set. */
export function webhookLaneOf(appId: AppId | undefined, orderKey: string): number {
  if (appId === undefined || appId === DEFAULT_APP_ID) return webhookLane(orderKey);
  return WEBHOOK_LANES * (1 + (fnv1a(appId) % (WEBHOOK_LANE_SETS - 1))) + webhookLane(orderKey);
}

function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
