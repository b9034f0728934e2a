import type { StoredMessage } from '../../../core/model.js';
import type { AppendItem, AppendResult } from '../../../core/ports/message-store.js';
import type { NewWebhookEvent } from '../../../core/ports/webhook-outbox.js';
import { DEFAULT_APP_ID } from '../../../core/ports/app-store.js';

// A field added to StoredMessage or AppendItem must be packed below: this stops the build until it is.
type PackedMessageFields = 'id' | 'conversationId' | 'seq' | 'senderId' | 'clientMsgId' | 'serverTime' | 'content' | 'mentions' | 'mentionAll' | 'visibleTo';
const everyMessageFieldPacked: [Exclude<keyof StoredMessage, PackedMessageFields>] extends [never] ? true : never = true;
const everyItemFieldPacked: [Exclude<keyof AppendItem, 'message' | 'timelineUsers' | 'senderReadsOwn' | 'searchText' | 'webhookEvents'>] extends [never] ? true : never = true;
void everyMessageFieldPacked;
void everyItemFieldPacked;

/**
 * `MessageStore.append` batches as they cross to the storage thread: columns
 * instead of one object graph per message. Structured clone writes every
 * property name of every object; a batch of 500 messages would be ~8,000
 * keys. Here a batch is a tuple of one Float64Array of numbers, one array of
 * strings and the bytes of all contents, the numbers and the contents in one
 * ArrayBuffer (one transfer; on the worker one buffer and two views, and no
 * property names to read back).
 *
 * Numbers per item: conversationId, seq, senderId, serverTime, mentionAll,
 * senderReadsOwn, content length, then three counted lists (mentions,
 * visibleTo, timelineUsers), then the webhook event count and each event's
 * createdAt. Strings per item: id, clientMsgId, searchText, then each
 * webhook event's id, type, orderKey, json and app id.
 */
export type PackedAppend = readonly [numbers: Float64Array, strings: string[], contents: Uint8Array];

const FIXED = 7;
/** Shared by every unpacked item with an empty list (the lists are readonly). */
const NONE: readonly number[] = Object.freeze([]);

export function packAppend(batch: readonly AppendItem[]): PackedAppend {
  let count = 0;
  let bytes = 0;
  for (const { message: m, timelineUsers, webhookEvents } of batch) {
    count += FIXED + 4 + m.mentions.length + m.visibleTo.length + timelineUsers.length + (webhookEvents?.length ?? 0);
    bytes += m.content.byteLength;
  }
  const buffer = new ArrayBuffer(count * 8 + bytes);
  const numbers = new Float64Array(buffer, 0, count);
  const contents = new Uint8Array(buffer, count * 8, bytes);
  // Filled by push, not preallocated: a holey array crosses structured clone in the slower sparse form.
  const strings: string[] = [];
  let n = 0;
  let b = 0;
  for (let i = 0; i < batch.length; i++) {
    const { message: m, timelineUsers, senderReadsOwn, searchText, webhookEvents } = batch[i]!;
    strings.push(m.id, m.clientMsgId, searchText ?? '');
    numbers[n++] = m.conversationId;
    numbers[n++] = m.seq;
    numbers[n++] = m.senderId;
    numbers[n++] = m.serverTime;
    numbers[n++] = m.mentionAll ? 1 : 0;
    numbers[n++] = senderReadsOwn ? 1 : 0;
    numbers[n++] = m.content.byteLength;
    contents.set(m.content, b);
    b += m.content.byteLength;
    n = putList(numbers, n, m.mentions);
    n = putList(numbers, n, m.visibleTo);
    n = putList(numbers, n, timelineUsers);
    numbers[n++] = webhookEvents?.length ?? 0;
    if (webhookEvents) {
      for (const e of webhookEvents) {
        numbers[n++] = e.createdAt;
        strings.push(e.id, e.type, e.orderKey, e.json, e.appId ?? DEFAULT_APP_ID);
      }
    }
  }
  return [numbers, strings, contents];
}

/** Writes a counted list at `n`; returns the index after it. */
function putList(numbers: Float64Array, n: number, ids: readonly number[]): number {
  numbers[n++] = ids.length;
  for (let j = 0; j < ids.length; j++) numbers[n++] = ids[j]!;
  return n;
}

/** The one buffer to transfer with a packed batch. */
export function packedBuffer(p: PackedAppend): ArrayBuffer {
  return p[0].buffer as ArrayBuffer;
}

export function unpackAppend(p: PackedAppend): AppendItem[] {
  const [numbers, strings, contents] = p;
  const items: AppendItem[] = [];
  let n = 0;
  let b = 0;
  let s = 0;
  while (n < numbers.length) {
    const id = strings[s++]!;
    const clientMsgId = strings[s++]!;
    const searchText = strings[s++]!;
    const conversationId = numbers[n++]!;
    const seq = numbers[n++]!;
    const senderId = numbers[n++]!;
    const serverTime = numbers[n++]!;
    const mentionAll = numbers[n++] === 1;
    const senderReadsOwn = numbers[n++] === 1;
    const length = numbers[n++]!;
    const content = contents.subarray(b, b + length);
    b += length;
    const mentions = getList(numbers, n);
    n += 1 + mentions.length;
    const visibleTo = getList(numbers, n);
    n += 1 + visibleTo.length;
    const timelineUsers = getList(numbers, n);
    n += 1 + timelineUsers.length;
    const eventCount = numbers[n++]!;
    let webhookEvents: NewWebhookEvent[] | undefined;
    if (eventCount > 0) {
      webhookEvents = new Array<NewWebhookEvent>(eventCount);
      for (let j = 0; j < eventCount; j++) {
        webhookEvents[j] = { createdAt: numbers[n++]!, id: strings[s++]!, type: strings[s++]!, orderKey: strings[s++]!, json: strings[s++]!, appId: strings[s++]! };
      }
    }
    items.push({
      message: { id, conversationId, seq, senderId, clientMsgId, serverTime, content, mentions, mentionAll, visibleTo },
      timelineUsers,
      senderReadsOwn,
      searchText,
      webhookEvents,
    });
  }
  return items;
}

/** The counted list at `n` (its length, then its ids). */
function getList(numbers: Float64Array, n: number): readonly number[] {
  const len = numbers[n]!;
  if (len === 0) return NONE;
  const out = new Array<number>(len);
  for (let j = 0; j < len; j++) out[j] = numbers[n + 1 + j]!;
  return out;
}

/** Results back: every item's sync seqs, concatenated (the caller knows each item's timeline length). */
export function packAppendResults(results: readonly AppendResult[]): Float64Array {
  let count = 0;
  for (const r of results) count += r.syncSeqs.length;
  const out = new Float64Array(count);
  let n = 0;
  for (const r of results) for (const s of r.syncSeqs) out[n++] = s;
  return out;
}

export function unpackAppendResults(batch: readonly AppendItem[], flat: Float64Array): AppendResult[] {
  const results: AppendResult[] = new Array<AppendResult>(batch.length);
  let n = 0;
  for (let i = 0; i < batch.length; i++) {
    const len = batch[i]!.timelineUsers.length;
    const syncSeqs = new Array<number>(len);
    for (let j = 0; j < len; j++) syncSeqs[j] = flat[n++]!;
    results[i] = { syncSeqs };
  }
  return results;
}
