/**
 * Webhooks (issue 16), assembled: the node wires them with a few lines.
 * Events go PlatformEvents -> WebhookEmitter -> WebhookOutbox (durable) ->
 * WebhookDispatcher -> the receiver. After-send events (message.sent,
 * group.*) skip the emitter: the send pipeline asks `afterSend` for them and
 * the message store writes them in the message's own transaction. The
 * before-send check is a SendAdmission the send pipeline consults.
 */
import type { XinboxConfig } from '../../config.js';
import type { Logger } from '../../logger.js';
import type { ConversationKind, StoredMessage, UserId } from '../../core/model.js';
import { noPlatformEvents, type PlatformEvents } from '../../core/ports/platform-events.js';
import type { SendAdmission } from '../../core/ports/send-admission.js';
import type { NewWebhookEvent, WebhookOutbox } from '../../core/ports/webhook-outbox.js';
import { BeforeSendHook } from './before-send-hook.js';
import { EventFilter } from './event-filter.js';
import { afterSendEvents } from './message-events.js';
import { WebhookDispatcher } from './webhook-dispatcher.js';
import { WebhookEmitter } from './webhook-emitter.js';
import { WebhookPoster } from './webhook-poster.js';

export { verifyWebhook, signatureHeaders, TIMESTAMP_HEADER, SIGNATURE_HEADER } from './signature.js';

export interface Webhooks {
  /** Where the core and the node report events; drops everything when no webhook is configured. */
  readonly events: PlatformEvents;
  readonly admission: SendAdmission | undefined;
  /**
   * The send pipeline's builder of a message's after-send events (message.sent,
   * group.*), committed with the message; undefined when none is subscribed
   * (then the send path builds nothing).
   */
  readonly afterSend: ((m: StoredMessage, kind: ConversationKind, system: boolean) => NewWebhookEvent[] | undefined) | undefined;
  /** The send pipeline's `committed` listener: counts the events just committed and wakes this node's dispatcher. */
  readonly committed: ((m: StoredMessage, kind: ConversationKind, system: boolean, recipients: readonly UserId[]) => void) | undefined;
  stats(): Record<string, unknown> | undefined;
  /** Appends what is buffered, then stops delivering (undelivered events stay in the outbox). */
  stop(): Promise<void>;
}

export interface WebhooksDeps {
  readonly config: XinboxConfig;
  readonly outbox: WebhookOutbox;
  readonly nodeId: string;
  /** Only nodes that deliver run the dispatcher (logic role); every node may emit. */
  readonly deliver: boolean;
  readonly log: Logger;
}

const MAX_BUFFERED_EVENTS = 100_000;
/** Kept-alive connections to the before-send server; more checks than this wait for a free one. */
const BEFORE_SEND_SOCKETS = 128;

export function createWebhooks(deps: WebhooksDeps): Webhooks {
  const { config, log } = deps;
  const secrets = config.webhookSecret.split(',').map((s) => s.trim()).filter(Boolean);
  const admission = config.beforeSendUrl
    ? new BeforeSendHook({ url: config.beforeSendUrl, secrets, timeoutMs: config.beforeSendTimeoutMs, onFailure: config.beforeSendOnFailure, maxSockets: BEFORE_SEND_SOCKETS }, log)
    : undefined;
  const filter = new EventFilter(config.webhookEvents);
  if (!config.webhookUrl || filter.none) {
    return {
      events: noPlatformEvents,
      admission,
      afterSend: undefined,
      committed: undefined,
      stats: () => (admission ? { beforeSend: admission.stats() } : undefined),
      stop: async () => admission?.close(),
    };
  }
  const poster = new WebhookPoster(config.webhookUrl, secrets, config.webhookTimeoutMs, config.webhookConcurrency);
  const dispatcher = deps.deliver
    ? new WebhookDispatcher(deps.outbox, poster, log, {
      nodeId: deps.nodeId,
      concurrency: config.webhookConcurrency,
      batchSize: config.webhookBatchSize,
      retryBaseMs: config.webhookRetryBaseMs,
      retryMaxMs: config.webhookRetryMaxMs,
      timeoutMs: config.webhookTimeoutMs,
    })
    : null;
  const emitter = new WebhookEmitter(deps.outbox, filter, log, { maxBuffered: MAX_BUFFERED_EVENTS, appended: () => dispatcher?.poke() });
  dispatcher?.start();

  const wantsMessages = filter.matches('message.sent') || filter.mayMatchPrefix('group.');
  // Events built per message, counted once the message committed (a refused batch's events were never stored).
  const built = new WeakMap<StoredMessage, number>();
  let afterSendCommitted = 0;
  const afterSend = (m: StoredMessage, kind: ConversationKind, system: boolean): NewWebhookEvent[] | undefined => {
    const events = afterSendEvents(filter, m, kind, system);
    if (events) built.set(m, events.length);
    return events;
  };
  const committed = (m: StoredMessage): void => {
    afterSendCommitted += built.get(m) ?? 0;
    dispatcher?.poke();
  };

  return {
    events: emitter,
    admission,
    afterSend: wantsMessages ? afterSend : undefined,
    committed: wantsMessages ? committed : undefined,
    // emitted: every event stored (or buffered to be), the after-send events committed with their messages included.
    stats: () => {
      const e = emitter.stats();
      return { ...e, emitted: e.emitted + afterSendCommitted, appended: e.appended + afterSendCommitted, afterSend: afterSendCommitted, ...dispatcher?.stats(), beforeSend: admission?.stats() };
    },
    stop: async () => {
      await emitter.drain();
      await dispatcher?.stop();
      poster.close();
      admission?.close();
    },
  };
}
