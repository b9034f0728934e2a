import type { ConversationId, MessageId, UserId } from '../model.js';

/** Who is calling: the authenticated device behind a connection. */
export interface Caller {
  readonly userId: UserId;
  readonly deviceId: string;
}

export interface SendRequest {
  readonly conversationId: ConversationId;
  readonly clientMsgId: string;
  /** Encoded, validated xinbox.v1.Content. */
  readonly content: Uint8Array;
  readonly mentions: readonly UserId[];
  readonly mentionAll: boolean;
  readonly visibleTo: readonly UserId[];
}

export interface SendAckInfo {
  readonly messageId: MessageId;
  readonly conversationId: ConversationId;
  readonly seq: number;
  readonly serverTime: number;
  readonly clientMsgId: string;
  readonly duplicate: boolean;
}
