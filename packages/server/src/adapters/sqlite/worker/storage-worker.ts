import { parentPort, workerData } from 'node:worker_threads';
import { openSqliteAdapters, type SqliteAdapters } from '../index.js';
import { dirname, join } from 'node:path';
import { SqliteRoomStore } from '../sqlite-room-store.js';
import { SqliteWebhookOutbox } from '../sqlite-webhook-outbox.js';
import { importLegacyWebhookOutbox } from '../legacy-webhook-outbox.js';
import { packAppendResults, unpackAppend, type PackedAppend } from './append-codec.js';
import { APPEND_PACKED, CLOSE, errorToWire, type CallMessage, type ReplyMessage, type StartMessage, type StorageWorkerData, type StoreName } from './wire.js';
import { SqliteMediaCatalog } from '../sqlite-media-catalog.js';
import { SqlitePushTokenStore } from '../sqlite-push-token-store.js';
import { SqliteEventLog } from '../sqlite-event-log.js';
import { SqliteServiceStore } from '../sqlite-service-store.js';
import { SqliteItemConversationStore } from '../sqlite-item-conversation-store.js';
import { SqliteSearchIndex } from '../sqlite-search-index.js';
import { lowerThreadPriority } from '../thread-priority.js';
import { SqliteAppStore } from '../sqlite-app-store.js';
import { DEFAULT_SUMMARY_FLUSH_MS } from '../conversation-summaries.js';

/**
 * The storage thread: owns the SQLite connection (and, through
 * openSqliteAdapters, the checkpoint thread), and runs every store call it
 * is sent in arrival order. Each call is synchronous inside better-sqlite3,
 * so calls never interleave: a reply is posted only after its transaction
 * has committed (durable per the configured synchronous policy).
 *
 * Appends keep their conversation summaries in memory (write-behind, ADR
 * 0016); this dispatcher is the one place other store calls enter, so it
 * writes them before running any call other than an append.
 */
const port = parentPort!;
const { options } = workerData as StorageWorkerData;
lowerThreadPriority(options.threadNice ?? 0);

let adapters: SqliteAdapters;
let webhooks: SqliteWebhookOutbox;
let pushTokens: SqlitePushTokenStore;
let eventLog: SqliteEventLog;
try {
  adapters = openSqliteAdapters(options, { summaryFlushMs: options.summaryFlushMs ?? DEFAULT_SUMMARY_FLUSH_MS });
  // Push tokens and the event log have files of their own next to the database, served by this thread too.
  const beside = (file: string): string => (options.path === ':memory:' ? ':memory:' : join(dirname(options.path), file));
  // The webhook outbox is in the database itself (a message and its events commit together); an older
  // server's outbox file is carried over once.
  if (options.path !== ':memory:') importLegacyWebhookOutbox(adapters.database, beside('webhook-outbox.db'));
  webhooks = new SqliteWebhookOutbox(adapters.database);
  pushTokens = new SqlitePushTokenStore(beside('push-tokens.db'), options.synchronous);
  eventLog = new SqliteEventLog(beside('event-log.db'), options.synchronous);
} catch (error) {
  port.postMessage({ started: false, error: errorToWire(error) } satisfies StartMessage);
  process.exit(1);
}
const stores: Record<StoreName, object> = {
  identity: adapters.identity,
  messages: adapters.messages,
  conversations: adapters.conversations,
  leases: adapters.leases,
  rooms: new SqliteRoomStore(adapters.database),
  webhooks,
  social: adapters.social,
  moderation: adapters.moderation,
  media: new SqliteMediaCatalog(adapters.database),
  pushTokens,
  eventLog,
  service: new SqliteServiceStore(adapters.database),
  items: new SqliteItemConversationStore(adapters.database),
  search: new SqliteSearchIndex(adapters.database),
  apps: new SqliteAppStore(adapters.database),
};

/**
 * Stores whose statements never touch conversations or members (other tables, or other files): their
 * calls, some periodic (webhook polling, lease renewal), need not write pending summaries first.
 * A store that reads or writes either table must not be listed.
 */
const SUMMARY_BLIND = new Set<StoreName>(['webhooks', 'pushTokens', 'eventLog', 'leases', 'media']);

port.on('message', (message: CallMessage | typeof CLOSE) => {
  if (message === CLOSE) {
    void webhooks.close().then(() => pushTokens.close()).then(() => eventLog.close()).then(() => adapters.close()).finally(() => process.exit(0));
    return;
  }
  const [id, store, method, args] = message;
  if (store === 'messages' && method === APPEND_PACKED) {
    // Synchronous (no promise, no microtask): the reply is posted as soon as the transaction has committed.
    // The sync seqs are a few bytes per message, cheaper copied than transferred.
    let flat: Float64Array;
    try {
      flat = packAppendResults(adapters.messages.appendNow(unpackAppend(args[0] as PackedAppend)));
    } catch (error) {
      port.postMessage([id, false, errorToWire(error)] satisfies ReplyMessage);
      return;
    }
    port.postMessage([id, true, flat] satisfies ReplyMessage);
    return;
  }
  const target = stores[store] as Record<string, (...a: unknown[]) => Promise<unknown>>;
  const fn = target[method];
  if (typeof fn !== 'function') {
    port.postMessage([id, false, { name: 'TypeError', message: `no store method ${store}.${method}` }] satisfies ReplyMessage);
    return;
  }
  let result: Promise<unknown>;
  try {
    // Anything but an append may read (or overwrite) conversation summaries: write the pending ones first.
    if ((store !== 'messages' || method !== 'append') && !SUMMARY_BLIND.has(store)) adapters.messages.flushSummaries();
    result = fn.apply(target, args);
  } catch (error) {
    port.postMessage([id, false, errorToWire(error)] satisfies ReplyMessage);
    return;
  }
  result.then(
    (value) => port.postMessage([id, true, value] satisfies ReplyMessage),
    (error: unknown) => port.postMessage([id, false, errorToWire(error)] satisfies ReplyMessage),
  );
});
port.postMessage({ started: true } satisfies StartMessage);
