import { Errors, XinboxError, decodeFrame, decodeHotFrame, encodeFrame, encodeSendAckFrame, withLengthPrefix, type Frame, type HotSend } from '@xinbox/protocol';
import type { Caller } from '../core/messaging/send-types.js';
import type { Logger } from '../logger.js';
import type { HotSendHandler } from './handlers/messaging-handlers.js';
import type { Handler, HandlerTable, ReplyBody, RequestContext } from './handlers/types.js';
import type { RequestRunner } from './ports.js';

/**
 * Runs authenticated client requests: the one code path for a frame read
 * from this gateway's socket and for one a gateway forwarded to this (logic)
 * node. A Send the hot codec can read goes to the hot Send handler with its
 * content bytes untouched; anything else is decoded generically and goes to
 * the handler table. Errors become error frames from the catalog.
 */
/** Told of every request refused with RATE_LIMITED (metrics); optional, injected. */
export interface RateLimitObserver {
  rateLimited(scope: string): void;
}

export class RequestDispatcher implements RequestRunner {
  constructor(
    readonly handlers: HandlerTable,
    private readonly hotSend: HotSendHandler,
    private readonly log: Logger,
    private readonly observer: RateLimitObserver | null = null,
  ) {}

  /** A frame body as bytes (forwarded from another node). */
  run(caller: Caller, body: Uint8Array): Promise<Uint8Array | null> {
    const hot = decodeHotFrame(body);
    if (hot?.kind === 'send') return this.send(caller, hot);
    let frame: Frame;
    try {
      frame = decodeFrame(body);
    } catch {
      return Promise.resolve(this.errorFrame(0, new XinboxError(Errors.BAD_FRAME)));
    }
    return this.frame({ caller }, frame);
  }

  /** A Send read by the hot codec. */
  send(caller: Caller, hot: HotSend): Promise<Uint8Array> {
    return this.hotSend(caller, hot).then((ack) => encodeSendAckFrame(hot.id, ack), (e) => this.errorFrame(hot.id, e, caller));
  }

  /** A generically decoded frame; `ctx.conn` is set when it came from a local socket. */
  frame(ctx: RequestContext, frame: Frame): Promise<Uint8Array | null> {
    const body = frame.body;
    const handler = body.case ? (this.handlers[body.case] as Handler | undefined) : undefined;
    if (!handler) {
      const message = body.case ? `${body.case} is not a client operation` : 'empty or unknown frame body';
      return Promise.resolve(this.errorFrame(frame.id, new XinboxError(Errors.UNKNOWN_OPERATION, message)));
    }
    let result: Promise<ReplyBody> | ReplyBody;
    try {
      result = handler(ctx, body.value);
    } catch (e) {
      return Promise.resolve(this.errorFrame(frame.id, e, ctx.caller));
    }
    return Promise.resolve(result).then((r) => (r ? replyFrame(frame.id, r) : null), (e) => this.errorFrame(frame.id, e, ctx.caller));
  }

  /** The length-prefixed error frame for `e`; anything not from the catalog is logged (with who asked) and answered INTERNAL. */
  errorFrame(id: number, e: unknown, caller?: Caller): Uint8Array {
    let err: XinboxError;
    if (e instanceof XinboxError) {
      err = e;
      if (err.code === Errors.RATE_LIMITED.code) this.observer?.rateLimited('request');
    } else {
      (caller ? this.log.child({ user: caller.userId, device: caller.deviceId, frameId: id }) : this.log).error('request failed', e);
      err = new XinboxError(Errors.INTERNAL);
    }
    return replyFrame(id, { case: 'error', value: { code: err.code, name: err.errorName, message: err.message, retryable: err.retryable, retryAfterMs: err.retryAfterMs } });
  }
}

export function replyFrame(id: number, body: NonNullable<ReplyBody>): Uint8Array {
  return withLengthPrefix(encodeFrame({ id, body }));
}
