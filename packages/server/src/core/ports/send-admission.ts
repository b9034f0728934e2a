import type { Caller, SendRequest } from '../messaging/send-types.js';

/**
 * A check every client send passes before it may join a commit batch (the
 * before-send webhook). It resolves with the request to commit (possibly
 * rewritten) or rejects with a XinboxError. It runs per message and
 * concurrently, so a slow check delays only the sends waiting on it; the
 * pipeline keeps each sender's order within a conversation.
 */
export interface SendAdmission {
  /** false: nothing is checked right now (no hook anywhere) and the pipeline skips `admit`; absent = always consulted. */
  readonly enabled?: boolean;
  admit(caller: Caller, req: SendRequest): Promise<SendRequest>;
}
