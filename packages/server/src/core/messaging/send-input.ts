import { Errors, Limits, XinboxError } from '@xinbox/protocol';
import type { SendRequest } from './send-types.js';
import type { Content } from '@xinbox/protocol';
import { decodeValidContent } from './content.js';

/**
 * A Send as it comes off the wire: ids are the uint64 values of the frame,
 * content is the encoded xinbox.v1.Content exactly as the client sent it.
 */
export interface SendInput {
  readonly conversationId: number;
  readonly clientMsgId: string;
  readonly content: Uint8Array;
  readonly mentions: readonly number[];
  readonly mentionAll: boolean;
  readonly visibleTo: readonly number[];
}

/**
 * The one place a client's Send is checked (MessagingService.send calls it,
 * whichever socket, codec or node the frame came through). The content bytes
 * are checked and kept, not re-encoded.
 */
export function validateSend(s: SendInput): SendRequest {
  return validateSendDecoded(s).req;
}

/** validateSend, also returning the decoded content (decoded once, for the operation/reply/forward check; null for plain text/custom checked on the wire). */
export function validateSendDecoded(s: SendInput): { req: SendRequest; content: Content | null } {
  if (!isId(s.conversationId)) throw new XinboxError(Errors.INVALID_ARGUMENT, 'conversationId must be a positive id');
  if (!s.clientMsgId || s.clientMsgId.length > Limits.maxClientMsgIdLength) {
    throw new XinboxError(Errors.INVALID_ARGUMENT, `clientMsgId must be 1-${Limits.maxClientMsgIdLength} characters`);
  }
  checkIds(s.mentions, 'mentions');
  checkIds(s.visibleTo, 'visibleTo');
  const content = decodeValidContent(s.content);
  return {
    req: {
      conversationId: s.conversationId,
      clientMsgId: s.clientMsgId,
      content: s.content,
      mentions: s.mentions,
      mentionAll: s.mentionAll,
      visibleTo: s.visibleTo,
    },
    content,
  };
}

function isId(n: number): boolean {
  return Number.isSafeInteger(n) && n > 0;
}

function checkIds(ids: readonly number[], field: string): void {
  if (ids.length > Limits.maxIdsPerRequest) throw new XinboxError(Errors.LIST_TOO_LARGE, `${field} holds more than ${Limits.maxIdsPerRequest} ids`);
  for (const id of ids) if (!isId(id)) throw new XinboxError(Errors.INVALID_ARGUMENT, `${field} must hold positive ids`);
}
