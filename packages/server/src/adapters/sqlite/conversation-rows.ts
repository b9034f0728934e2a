import type {
  ConversationKind, ConversationRecord, GroupRecord, GroupRole, JoinPolicy, MemberRecord,
} from '../../core/model.js';
import { messageIdFromSql } from './snowflake-column.js';

/** Conversation columns, prefixed c_, for a conversations table aliased `alias`. */
export function conversationColumns(alias: string): string {
  return [
    `${alias}.id AS c_id`,
    `${alias}.kind AS c_kind`,
    `${alias}.created_at AS c_created_at`,
    `${alias}.last_seq AS c_last_seq`,
    `CAST(${alias}.last_message_id AS TEXT) AS c_last_message_id`,
    `${alias}.updated_at AS c_updated_at`,
    `${alias}.member_count AS c_member_count`,
    `${alias}.large AS c_large`,
  ].join(', ');
}

export interface ConversationRow {
  c_id: number;
  c_kind: ConversationKind;
  c_created_at: number;
  c_last_seq: number;
  c_last_message_id: string | null;
  c_updated_at: number;
  c_member_count: number;
  c_large: number;
}

export function conversationFromRow(row: ConversationRow): ConversationRecord {
  return {
    id: row.c_id,
    kind: row.c_kind,
    createdAt: row.c_created_at,
    lastSeq: row.c_last_seq,
    lastMessageId: row.c_last_message_id === null ? null : messageIdFromSql(row.c_last_message_id),
    updatedAt: row.c_updated_at,
    memberCount: row.c_member_count,
    large: row.c_large !== 0,
  };
}

/** Member columns, prefixed mb_, for a members table aliased `alias`. */
export function memberColumns(alias: string): string {
  return [
    `${alias}.conversation_id AS mb_conversation_id`,
    `${alias}.user_id AS mb_user_id`,
    `${alias}.role AS mb_role`,
    `${alias}.read_seq AS mb_read_seq`,
    `${alias}.first_seq AS mb_first_seq`,
    `${alias}.joined_at AS mb_joined_at`,
    `${alias}.muted_until AS mb_muted_until`,
    `${alias}.dnd AS mb_dnd`,
  ].join(', ');
}

export interface MemberRow {
  mb_conversation_id: number;
  mb_user_id: number;
  mb_role: GroupRole;
  mb_read_seq: number;
  mb_first_seq: number;
  mb_joined_at: number;
  mb_muted_until: number;
  mb_dnd: number;
}

export function memberFromRow(row: MemberRow): MemberRecord {
  return {
    conversationId: row.mb_conversation_id,
    userId: row.mb_user_id,
    role: row.mb_role,
    readSeq: row.mb_read_seq,
    firstSeq: row.mb_first_seq,
    joinedAt: row.mb_joined_at,
    mutedUntil: row.mb_muted_until,
    doNotDisturb: row.mb_dnd !== 0,
  };
}

/** Group columns, prefixed g_, for a groups table aliased `alias`. */
export function groupColumns(alias: string): string {
  return [
    `${alias}.conversation_id AS g_conversation_id`,
    `${alias}.name AS g_name`,
    `${alias}.avatar_url AS g_avatar_url`,
    `${alias}.announcement AS g_announcement`,
    `${alias}.owner_id AS g_owner_id`,
    `${alias}.join_policy AS g_join_policy`,
    `${alias}.muted_all AS g_muted_all`,
    `${alias}.dissolved AS g_dissolved`,
  ].join(', ');
}

export interface GroupRow {
  g_conversation_id: number;
  g_name: string;
  g_avatar_url: string;
  g_announcement: string;
  g_owner_id: number;
  g_join_policy: JoinPolicy;
  g_muted_all: number;
  g_dissolved: number;
}

export function groupFromRow(row: GroupRow): GroupRecord {
  return {
    conversationId: row.g_conversation_id,
    name: row.g_name,
    avatarUrl: row.g_avatar_url,
    announcement: row.g_announcement,
    ownerId: row.g_owner_id,
    joinPolicy: row.g_join_policy,
    mutedAll: row.g_muted_all !== 0,
    dissolved: row.g_dissolved !== 0,
  };
}

/** SQLite has no booleans; null passes through for COALESCE-style patches. */
export function flag(value: boolean | undefined): number | null {
  return value === undefined ? null : value ? 1 : 0;
}
