import { Errors, XinboxError, create, PinListResultSchema, PinnedMessageSchema, type PinListResult } from '@xinbox/protocol';
import type { ConversationId } from '../model.js';
import type { ConversationStore } from '../ports/conversation-store.js';
import type { MessageStore } from '../ports/message-store.js';
import type { Caller } from './send-types.js';
import { toWireMessage, visibleTo } from './wire.js';

export const DEFAULT_PIN_PAGE = 20;
export const MAX_PIN_PAGE = 100;

export interface PinListRequest {
  readonly conversationId: ConversationId;
  /** '' or the pin seq of the previous page's last pin. */
  readonly cursor: string;
  readonly limit: number;
}

/**
 * A conversation's current pins for one of its members (PinList), read from
 * the pins the stores keep in the append transaction
 * (MessageStore.listPins), so the list converges with the PinChange events
 * every device folds. Pins of messages the caller may not read (before the
 * join point, personalised to others) are left out; the cursor is the pin
 * seq, so paging neither repeats nor skips while pins change.
 */
export class PinListService {
  constructor(
    private readonly messages: MessageStore,
    private readonly conversations: ConversationStore,
  ) {}

  async list(caller: Caller, req: PinListRequest): Promise<PinListResult> {
    if (req.cursor !== '' && !/^[1-9]\d{0,9}$/.test(req.cursor)) throw new XinboxError(Errors.INVALID_ARGUMENT, 'the pin cursor is malformed');
    const limit = req.limit <= 0 ? DEFAULT_PIN_PAGE : Math.min(req.limit, MAX_PIN_PAGE);
    const member = await this.conversations.getMember(req.conversationId, caller.userId);
    if (!member) throw new XinboxError(Errors.NOT_A_MEMBER);
    const kind = (await this.conversations.getConversation(req.conversationId))?.kind ?? 'group';
    const page = await this.messages.listPins(req.conversationId, req.cursor === '' ? 0 : Number(req.cursor), limit + 1);
    const more = page.length > limit;
    const shown = page.slice(0, limit);
    const pins = shown
      .filter((p) => p.message.seq >= member.firstSeq && visibleTo(p.message, caller.userId))
      .map((p) => create(PinnedMessageSchema, {
        message: toWireMessage(p.message, kind),
        pinSeq: p.pinSeq,
        pinnedBy: String(p.pinnedBy),
        pinnedAt: p.pinnedAt,
      }));
    return create(PinListResultSchema, { pins, hasMore: more, nextCursor: more ? String(shown.at(-1)!.pinSeq) : '' });
  }
}
