import type { MessageId } from '../../core/model.js';

/**
 * Message ids are unsigned 64-bit snowflakes as decimal strings; SQLite
 * integers are signed 64-bit. Ids below 2^63 (every snowflake with a clear
 * top bit) are stored as is; larger ones wrap to negative and unwrap on read,
 * so every 64-bit id round-trips exactly.
 */
export function messageIdToSql(id: MessageId): bigint {
  // Up to 18 digits is below 2^63 (every snowflake for the next centuries): no wrap to compute.
  return id.length <= 18 ? BigInt(id) : BigInt.asIntN(64, BigInt(id));
}

/** Reads a column selected as CAST(id AS TEXT). */
export function messageIdFromSql(text: string): MessageId {
  return text.startsWith('-') ? BigInt.asUintN(64, BigInt(text)).toString() : text;
}

/** messageIdToSql, or null for a string that is no 64-bit id. */
export function tryMessageIdToSql(id: MessageId): bigint | null {
  if (!/^\d{1,20}$/.test(id)) return null;
  const value = BigInt(id);
  return value < 1n << 64n ? BigInt.asIntN(64, value) : null;
}
