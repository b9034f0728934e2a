import type { StoredMessage } from '../../../core/model.js';
import type { AppendItem, AppendResult } from '../../../core/ports/message-store.js';

// A field added to StoredMessage or AppendItem must be packed below: this stops the build until it is.
type PackedMessageFields = 'id' | 'conversationId' | 'seq' | 'senderId' | 'clientMsgId' | 'serverTime' | 'content' | 'mentions' | 'mentionAll' | 'visibleTo';
const everyMessageFieldPacked: [Exclude<keyof StoredMessage, PackedMessageFields>] extends [never] ? true : never = true;
const everyItemFieldPacked: [Exclude<keyof AppendItem, 'message' | 'timelineUsers' | 'senderReadsOwn' | 'searchText'>] extends [never] ? true : never = true;
void everyMessageFieldPacked;
void everyItemFieldPacked;

/**
 * `MessageStore.append` batches as they cross to the storage thread: columns
 * instead of one object graph per message. Structured clone writes every
 * property name of every object; a batch of 500 messages would be ~8,000
 * keys. Here a batch is one Float64Array of numbers, one array of strings and
 * one buffer of all contents — both buffers transferred, not copied.
 *
 * Numbers per item: conversationId, seq, senderId, serverTime, mentionAll,
 * senderReadsOwn, content length, then three counted lists (mentions,
 * visibleTo, timelineUsers). Strings per item: id, clientMsgId, searchText.
 */
export interface PackedAppend {
  readonly numbers: Float64Array;
  readonly strings: string[];
  readonly contents: Uint8Array;
}

const FIXED = 7;

export function packAppend(batch: readonly AppendItem[]): PackedAppend {
  let count = 0;
  let bytes = 0;
  for (const { message: m, timelineUsers } of batch) {
    count += FIXED + 3 + m.mentions.length + m.visibleTo.length + timelineUsers.length;
    bytes += m.content.byteLength;
  }
  const numbers = new Float64Array(count);
  const contents = new Uint8Array(bytes);
  const strings: string[] = new Array<string>(batch.length * 3);
  let n = 0;
  let b = 0;
  for (let i = 0; i < batch.length; i++) {
    const { message: m, timelineUsers, senderReadsOwn, searchText } = batch[i]!;
    strings[3 * i] = m.id;
    strings[3 * i + 1] = m.clientMsgId;
    strings[3 * i + 2] = searchText ?? '';
    numbers[n++] = m.conversationId;
    numbers[n++] = m.seq;
    numbers[n++] = m.senderId;
    numbers[n++] = m.serverTime;
    numbers[n++] = m.mentionAll ? 1 : 0;
    numbers[n++] = senderReadsOwn ? 1 : 0;
    numbers[n++] = m.content.byteLength;
    contents.set(m.content, b);
    b += m.content.byteLength;
    for (const list of [m.mentions, m.visibleTo, timelineUsers]) {
      numbers[n++] = list.length;
      for (let j = 0; j < list.length; j++) numbers[n++] = list[j]!;
    }
  }
  return { numbers, strings, contents };
}

export function unpackAppend(p: PackedAppend): AppendItem[] {
  const { numbers, strings, contents } = p;
  const items: AppendItem[] = [];
  let n = 0;
  let b = 0;
  const list = (): number[] => {
    const len = numbers[n++]!;
    const out = new Array<number>(len);
    for (let j = 0; j < len; j++) out[j] = numbers[n++]!;
    return out;
  };
  for (let i = 0; n < numbers.length; i++) {
    const conversationId = numbers[n++]!;
    const seq = numbers[n++]!;
    const senderId = numbers[n++]!;
    const serverTime = numbers[n++]!;
    const mentionAll = numbers[n++] === 1;
    const senderReadsOwn = numbers[n++] === 1;
    const length = numbers[n++]!;
    const content = contents.subarray(b, b + length);
    b += length;
    const mentions = list();
    const visibleTo = list();
    const timelineUsers = list();
    items.push({
      message: { id: strings[3 * i]!, conversationId, seq, senderId, clientMsgId: strings[3 * i + 1]!, serverTime, content, mentions, mentionAll, visibleTo },
      timelineUsers,
      senderReadsOwn,
      searchText: strings[3 * i + 2]!,
    });
  }
  return items;
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
