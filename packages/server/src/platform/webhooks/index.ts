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
import type { PlatformEvents } from '../../core/ports/platform-events.js';
import type { AppDirectory } from '../../core/apps/app-directory.js';
import type { AppOfUser } from '../../core/ports/app-store.js';
import { AppWebhooks } from './app-webhooks.js';
import type { SendAdmission } from '../../core/ports/send-admission.js';
import type { NewWebhookEvent, WebhookOutbox } from '../../core/ports/webhook-outbox.js';
import { BeforeSendHook } from './before-send-hook.js';
import { AppBeforeSend } from './app-before-send.js';
import { afterSendEvents } from './message-events.js';
import { WebhookDispatcher } from './webhook-dispatcher.js';
import { WebhookEmitter } from './webhook-emitter.js';

export { verifyWebhook, signatureHeaders, TIMESTAMP_HEADER, SIGNATURE_HEADER } from './signature.js';

export interface Webhooks {
  /** Where the core and the node report events; drops at once what no app's webhook subscribes to. */
  readonly events: PlatformEvents;
  /** The before-send check of the sender's app (AppBeforeSend); `enabled` false while no app has one. */
  readonly admission: SendAdmission;
  /**
   * The send pipeline's builder of a message's after-send events (message.sent,
   * group.*), committed with the message; undefined when none is subscribed
   * (then the send path builds nothing).
   */
  readonly afterSend: ((m: StoredMessage, kind: ConversationKind, system: boolean) => Promise<NewWebhookEvent[] | undefined> | undefined) | undefined;
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
  /** The deployment's apps (ADR 0013): `default` is the config's webhook. */
  readonly apps: AppDirectory;
  /** The app of a user (an event's app is its acting user's). */
  readonly appOfUser: AppOfUser;
}

const MAX_BUFFERED_EVENTS = 100_000;
/** Kept-alive connections to the before-send server; more checks than this wait for a free one. */
const BEFORE_SEND_SOCKETS = 128;

export async function createWebhooks(deps: WebhooksDeps): Promise<Webhooks> {
  const { config, log } = deps;
  const secrets = config.webhookSecret.split(',').map((s) => s.trim()).filter(Boolean);
  // `default`'s check is the config's; every other app's is its own (AppWebhook.beforeSend). Always built, since an app may
  // get a hook at any time: while none has one, `enabled` is false and the send pipeline skips it.
  const defaultHook = config.beforeSendUrl
    ? new BeforeSendHook({ url: config.beforeSendUrl, secrets, timeoutMs: config.beforeSendTimeoutMs, onFailure: config.beforeSendOnFailure, maxSockets: BEFORE_SEND_SOCKETS }, log)
    : undefined;
  const admission = new AppBeforeSend(deps.apps, deps.appOfUser, defaultHook, log, {
    timeoutMs: config.beforeSendTimeoutMs, onFailure: config.beforeSendOnFailure, maxSockets: BEFORE_SEND_SOCKETS,
  });
  await admission.start();
  // Every app's webhook, `default` (the config's) included: an app may get one at any time, so the emitter always exists
  // and drops at once what no app subscribes to.
  const receivers = new AppWebhooks(deps.apps, deps.appOfUser, log, {
    timeoutMs: config.webhookTimeoutMs, maxSockets: config.webhookConcurrency,
  });
  await receivers.start();
  const dispatcher = deps.deliver
    ? new WebhookDispatcher(deps.outbox, (appId) => receivers.posterFor(appId), log, {
      nodeId: deps.nodeId,
      concurrency: config.webhookConcurrency,
      batchSize: config.webhookBatchSize,
      retryBaseMs: config.webhookRetryBaseMs,
      retryMaxMs: config.webhookRetryMaxMs,
      timeoutMs: config.webhookTimeoutMs,
      // No app has a webhook: nothing to claim (events kept before a webhook was removed wait for the next one, or are discarded then).
      active: () => receivers.any,
    })
    : null;
  const emitter = new WebhookEmitter(deps.outbox, receivers, log, { maxBuffered: MAX_BUFFERED_EVENTS, appended: () => dispatcher?.poke() });
  dispatcher?.start();

  // After-send events, built per message in the send pipeline for the sender's app and its subscriptions, and
  // counted once the message committed (a refused batch's events were never stored).
  const built = new WeakMap<StoredMessage, number>();
  let afterSendCommitted = 0;
  let afterSendFailures = 0;
  const buildFor = async (m: StoredMessage, kind: ConversationKind, system: boolean): Promise<NewWebhookEvent[] | undefined> => {
    try {
      const route = await receivers.messageFilterFor(m.senderId);
      const events = route ? afterSendEvents(route.filter, m, kind, system, route.appId) : undefined;
      if (events) built.set(m, events.length);
      return events;
    } catch (e) {
      // The sender's app could not be read (storage failing): the message still commits, without its events. Logged, counted.
      if (afterSendFailures++ === 0) log.error(`after-send webhook events could not be built: ${(e as Error).message}`);
      return undefined;
    }
  };
  const afterSend = (m: StoredMessage, kind: ConversationKind, system: boolean): Promise<NewWebhookEvent[] | undefined> | undefined =>
    // No app wants messages or group notices: nothing is built (one property read per message).
    receivers.wantsMessages ? buildFor(m, kind, system) : undefined;
  const committed = (m: StoredMessage): void => {
    const n = built.get(m);
    if (n === undefined) return;
    afterSendCommitted += n;
    dispatcher?.poke();
  };

  return {
    events: emitter,
    admission,
    afterSend,
    committed,
    // emitted: every event stored (or buffered to be), the after-send events committed with their messages included.
    stats: () => {
      const e = emitter.stats();
      return {
        ...e, emitted: e.emitted + afterSendCommitted, appended: e.appended + afterSendCommitted, afterSend: afterSendCommitted,
        afterSendFailures, ...dispatcher?.stats(), beforeSend: admission.enabled ? admission.stats() : undefined,
      };
    },
    stop: async () => {
      await emitter.drain();
      await dispatcher?.stop();
      receivers.stop();
      admission.close();
    },
  };
}
