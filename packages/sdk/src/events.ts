/** The events a XinboxClient emits, each with its payload type. */
import type { ServiceConversation, AuthOk, ConversationSettings, ConversationSummary, GroupInfo, Message, ReconnectAdvice, RelationChange, RoomEvent, RoomMessage, TypingUpdate, UserPresence } from '@xinbox/protocol';
import type { Session } from './http-api.js';

export type ConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'closed';

/** A read position moved: this user's (another device or this one) or a peer's (receipt). */
export interface ReadEvent {
  readonly conversationId: string;
  readonly userId: string;
  readonly readSeq: number;
  /** True when the reader is the logged-in user. */
  readonly self: boolean;
}

/** The server ended the connection on purpose. */
export interface KickedEvent {
  readonly code: number;
  readonly name: string;
  readonly reason: string;
  readonly reconnect: ReconnectAdvice;
}

export interface XinboxEvents {
  state: ConnectionState;
  /** Authenticated (after every (re)connect). */
  connected: AuthOk;
  /** The catch-up sync after a (re)connect finished. */
  synced: { readonly cursor: number };
  /**
   * A message of one of the user's conversations, exactly once, in seq order
   * per conversation, including messages this client or the user's other
   * devices sent. Hidden placeholders are not emitted.
   */
  message: Message;
  /** A conversation's summary (unread, last message, read positions) changed. */
  conversation: ConversationSummary;
  /** Total unread over all known conversations changed. */
  unread: number;
  typing: TypingUpdate;
  presence: UserPresence;
  read: ReadEvent;
  kicked: KickedEvent;
  error: Error;
  /** A message in a joined room (ordinary or reliable). */
  room: RoomMessage;
  roomEvent: RoomEvent;
  group: GroupInfo;
  /**
   * A relationship change of this user (a relation, a friend request, the own
   * profile or privacy), exactly once and in feed order on every device.
   */
  relationChange: RelationChange;
  /**
   * This user's settings of one conversation changed (pin, mute, archive,
   * mark unread, draft) on this or another device: the whole new state.
   * Also delivered as a relationChange (case conversationSettings).
   */
  conversationSettings: ConversationSettings;
  /**
   * This user deleted these messages for themselves (here or on another
   * device): drop them from what you show. History and sync return them as
   * hidden placeholders from now on.
   */
  messagesHidden: { readonly conversationId: string; readonly seqs: readonly number[] };
  /**
   * A customer-service conversation's routing state changed (queued and its
   * position, assigned, rerouted, transferred, closed, rated). Best effort:
   * openService / serviceBoard return the current state.
   */
  service: { readonly conversation: ServiceConversation; readonly reason: string };
  /** Local state was dropped because the sync cursor expired on the server. */
  resync: undefined;
  /** Tokens changed (login, refresh, logout); persist them to resume later. */
  session: Session | undefined;
}
