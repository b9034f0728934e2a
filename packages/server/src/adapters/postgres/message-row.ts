import type { StoredMessage } from '../../core/model.js';
import { messageIdFromSql } from './message-id.js';

/** A messages row as selected by messageColumns. */
export interface MessageRow {
  m_id: string;
  m_conversation_id: number;
  m_seq: number;
  m_sender_id: number;
  m_client_msg_id: string;
  m_server_time: number;
  m_content: Buffer;
  m_mentions: number[];
  m_mention_all: boolean;
  m_visible_to: number[];
}

/** Column list for a messages table aliased `alias`, prefixed m_ so it joins cleanly. */
export function messageColumns(alias: string): string {
  return [
    `${alias}.id::text AS m_id`,
    `${alias}.conversation_id AS m_conversation_id`,
    `${alias}.seq AS m_seq`,
    `${alias}.sender_id AS m_sender_id`,
    `${alias}.client_msg_id AS m_client_msg_id`,
    `${alias}.server_time AS m_server_time`,
    `${alias}.content AS m_content`,
    `${alias}.mentions AS m_mentions`,
    `${alias}.mention_all AS m_mention_all`,
    `${alias}.visible_to AS m_visible_to`,
  ].join(', ');
}

export function messageFromRow(row: MessageRow): StoredMessage {
  const content = row.m_content;
  return {
    id: messageIdFromSql(row.m_id),
    conversationId: row.m_conversation_id,
    seq: row.m_seq,
    senderId: row.m_sender_id,
    clientMsgId: row.m_client_msg_id,
    serverTime: row.m_server_time,
    // A plain Uint8Array view of the Buffer: no copy, and callers see the declared type.
    content: new Uint8Array(content.buffer, content.byteOffset, content.byteLength),
    mentions: row.m_mentions,
    mentionAll: row.m_mention_all,
    visibleTo: row.m_visible_to,
  };
}
