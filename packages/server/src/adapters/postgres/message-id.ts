import type { MessageId } from '../../core/model.js';

/**
 * Message ids are unsigned 64-bit snowflakes as decimal strings; PostgreSQL
 * bigint is signed. Ids below 2^63 (every snowflake until the 41-bit clock
 * runs out) are stored as is; larger ones wrap to negative and unwrap on
 * read, so every 64-bit id round-trips exactly (the SQLite adapter does the same).
 */
export function messageIdToSql(id: MessageId): string {
  return BigInt.asIntN(64, BigInt(id)).toString();
}

/** Reads an id selected as text. */
export function messageIdFromSql(text: string): MessageId {
  return text.startsWith('-') ? BigInt.asUintN(64, BigInt(text)).toString() : text;
}

/** messageIdToSql, or null for a string that is no 64-bit id. */
export function tryMessageIdToSql(id: MessageId): string | null {
  if (!/^\d{1,20}$/.test(id)) return null;
  const value = BigInt(id);
  return value < 1n << 64n ? BigInt.asIntN(64, value).toString() : null;
}
