import {
  ContentSchema, Errors, ForwardOriginSchema, QuoteSchema, XinboxError, create, toBinary, type Content,
} from '@xinbox/protocol';
import type { MessageStore } from '../ports/message-store.js';
import { operationOf } from '../ports/message-effects.js';
import type { ConversationId, MemberRecord, StoredMessage, UserId } from '../model.js';
import type { ConversationCache, ConversationState } from './conversation-cache.js';
import type { Caller, SendRequest } from './send-types.js';
import { visibleTo } from './wire.js';
import { decodeStoredContent, snippetOf } from './snippet.js';

export interface MessageOperationsOptions {
  /** How long after sending the sender may recall a message (group owners and admins: any time). */
  readonly recallWindowMs: number;
  readonly clock?: () => number;
}

/**
 * Checks and completes the sends that refer to another message: operations
 * (recall, edit, reaction, pin), replies and forwards. They then go through
 * the ordinary send pipeline, so they take the conversation's next seq and
 * reach every device, sync, history and push like any message; the stores
 * apply their effects in the append transaction (core/ports/message-effects).
 *
 * Runs on the conversation's owner before the send joins a batch (as the
 * media attacher does). The content is re-encoded canonically, which
 * message-effects relies on to tell an operation by its first byte.
 */
export class MessageOperations {
  private readonly clock: () => number;

  constructor(
    private readonly cache: ConversationCache,
    private readonly messages: MessageStore,
    private readonly opts: MessageOperationsOptions,
  ) {
    this.clock = opts.clock ?? Date.now;
  }

  /** Whether a decoded send needs this check (the common text/media send does not). */
  static applies(content: Content): boolean {
    return content.reply !== undefined || content.forwarded !== undefined || operationOf(content) !== null;
  }

  async resolve(caller: Caller, req: SendRequest, content: Content): Promise<SendRequest> {
    const { state, member } = await this.memberOf(req.conversationId, caller.userId);
    const op = operationOf(content);
    let out: Content;
    if (op) {
      // Every member must see an operation, or devices would fold different states.
      if (req.visibleTo.length > 0 || req.mentions.length > 0 || req.mentionAll) {
        throw new XinboxError(Errors.INVALID_ARGUMENT, 'an operation carries no mentions and no visibleTo');
      }
      const target = await this.target(req.conversationId, op.targetSeq, caller.userId, member);
      this.authorize(op.kind, target, caller.userId, state, member, content);
      out = content;
    } else {
      out = { ...content };
      if (content.reply) {
        const quoted = await this.target(req.conversationId, content.reply.seq, caller.userId, member);
        out.reply = create(QuoteSchema, {
          seq: quoted.seq, messageId: quoted.id, senderId: String(quoted.senderId), snippet: snippetOf(decodeStoredContent(quoted.content)),
        });
      }
      if (content.forwarded) out = await this.forward(caller.userId, out, content.forwarded.conversationId, content.forwarded.seq);
    }
    return { ...req, content: toBinary(ContentSchema, create(ContentSchema, out)) };
  }

  private authorize(kind: string, target: StoredMessage, userId: UserId, state: ConversationState, member: MemberRecord, content: Content): void {
    const manager = state.record.kind === 'group' && (member.role === 'owner' || member.role === 'admin');
    switch (kind) {
      case 'recall':
        if (target.senderId === userId) {
          if (this.clock() - target.serverTime <= this.opts.recallWindowMs || manager) return;
          throw new XinboxError(Errors.RECALL_WINDOW_PASSED, `messages can be recalled within ${Math.round(this.opts.recallWindowMs / 1000)} s of sending`);
        }
        if (!manager) throw new XinboxError(Errors.NOT_YOUR_MESSAGE, 'only the sender or a group owner/admin may recall this message');
        return;
      case 'edit': {
        if (target.senderId !== userId) throw new XinboxError(Errors.NOT_YOUR_MESSAGE, 'only the sender may edit a message');
        const kindOfTarget = decodeStoredContent(target.content).kind.case;
        if (kindOfTarget !== 'text') throw new XinboxError(Errors.CONTENT_INVALID, 'only text messages can be edited');
        return;
      }
      case 'pin':
        if (state.record.kind === 'group' && !manager) throw new XinboxError(Errors.PERMISSION_DENIED, 'only group owners and admins pin messages');
        return;
      default:
        void content;
    }
  }

  /** The message `seq` of the conversation as the caller may see it: not before the join point, not hidden, not an operation, not recalled. */
  private async target(conversationId: ConversationId, seq: number, userId: UserId, member: MemberRecord): Promise<StoredMessage> {
    const [m] = seq >= member.firstSeq ? await this.messages.getRange(conversationId, seq, seq, 1) : [];
    if (!m || !visibleTo(m, userId)) throw new XinboxError(Errors.TARGET_NOT_FOUND, `no message ${seq} in this conversation`);
    const kind = decodeStoredContent(m.content).kind.case;
    if (kind === 'recalled') throw new XinboxError(Errors.MESSAGE_RECALLED);
    if (kind === 'recall' || kind === 'edit' || kind === 'reaction' || kind === 'pin') throw new XinboxError(Errors.TARGET_NOT_FOUND, `message ${seq} is an operation`);
    return m;
  }

  /** A forward carries the source's content (never the client's claim of it) and where it came from. */
  private async forward(userId: UserId, content: Content, sourceId: string, seq: number): Promise<Content> {
    const conversationId = Number(sourceId);
    const { member } = await this.memberOf(conversationId, userId);
    const source = await this.target(conversationId, seq, userId, member);
    const original = decodeStoredContent(source.content);
    if (original.kind.case === 'system') throw new XinboxError(Errors.CONTENT_INVALID, 'system notices cannot be forwarded');
    return {
      ...content,
      kind: original.kind,
      reply: undefined,
      // A forward of a forward names the first origin.
      forwarded: original.forwarded ?? create(ForwardOriginSchema, {
        conversationId: String(conversationId), seq: source.seq, messageId: source.id, senderId: String(source.senderId), serverTime: source.serverTime,
      }),
    };
  }

  private async memberOf(conversationId: ConversationId, userId: UserId): Promise<{ state: ConversationState; member: MemberRecord }> {
    const state = await this.cache.get(conversationId);
    if (!state) throw new XinboxError(Errors.NOT_FOUND, 'conversation not found');
    const member = await this.cache.member(state, userId);
    if (!member) throw new XinboxError(Errors.NOT_A_MEMBER);
    return { state, member };
  }
}
