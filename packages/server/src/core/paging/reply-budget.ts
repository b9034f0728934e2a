import { Limits } from '@xinbox/protocol';
import type { StoredMessage } from '../model.js';

/**
 * Cutting list replies by bytes as well as by count, so no reply frame grows
 * with the size of what it lists (a page of 500 12 KB messages would be 6 MB).
 * Sizes are upper estimates of the encoded entry, cheap to compute from the
 * stored form: the page is cut before it is converted and encoded.
 */

/** A page of at most `limit` rows whose estimated size stays within `budget` (never empty if rows exist). */
export function fitPage<T>(rows: readonly T[], limit: number, sizeOf: (row: T) => number, budget: number = Limits.maxReplyBytes): { page: T[]; hasMore: boolean } {
  let bytes = 0;
  let n = 0;
  const max = Math.min(limit, rows.length);
  while (n < max) {
    const size = sizeOf(rows[n]!);
    if (n > 0 && bytes + size > budget) break;
    bytes += size;
    n++;
  }
  return { page: rows.slice(0, n), hasMore: rows.length > n };
}

/** Fixed per-message overhead of the wire form: ids, seqs, times, kinds, field tags. */
const MESSAGE_OVERHEAD = 96;

/** Upper estimate of a stored message's encoded wire size (Message inside Push/History). */
export function messageWireSize(m: StoredMessage): number {
  return MESSAGE_OVERHEAD + m.content.length + m.clientMsgId.length + 12 * (m.mentions.length + m.visibleTo.length);
}
