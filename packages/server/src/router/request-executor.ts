import { Errors, XinboxError, decodeFrame, encodeFrame, withLengthPrefix, type FrameInit } from '@xinbox/protocol';
import type { Bus } from '../core/ports/bus.js';
import type { Handler, HandlerTable, ReplyBody } from '../gateway/handlers/types.js';
import type { Logger } from '../logger.js';
import { EnvelopeType, Topics, encodeEnvelope } from './envelope.js';
import type { RequestHeader } from './rpc-client.js';

/**
 * The logic side of forwarded requests: runs the same handlers a single-node
 * gateway would, as the authenticated (user, device) the gateway vouched for,
 * and publishes the reply frame back to the gateway. Requests start in
 * arrival order, so one connection's sends keep their order.
 */
export class RequestExecutor {
  /** Requests executed for other nodes (metrics). */
  executed = 0;

  constructor(private readonly bus: Bus, private readonly handlers: HandlerTable, private readonly log: Logger) {}

  execute(h: RequestHeader, payload: Uint8Array): void {
    this.executed++;
    let id = 0;
    let run: Promise<ReplyBody> | ReplyBody;
    try {
      const frame = decodeFrame(payload);
      id = frame.id;
      const handler = frame.body.case ? (this.handlers[frame.body.case] as Handler | undefined) : undefined;
      if (!handler) throw new XinboxError(Errors.UNKNOWN_OPERATION);
      run = handler({ caller: { userId: h.u, deviceId: h.d } }, frame.body.value);
    } catch (e) {
      run = Promise.reject(e);
    }
    Promise.resolve(run).then(
      (body) => this.reply(h, { id, body: body ?? { case: 'ok', value: {} } }),
      (e) => this.reply(h, { id, body: { case: 'error', value: toWireError(e, this.log) } }),
    );
  }

  private reply(h: RequestHeader, frame: FrameInit): void {
    const bytes = withLengthPrefix(encodeFrame(frame));
    this.bus.publish(Topics.node(h.from), encodeEnvelope(EnvelopeType.Reply, { r: h.r }, bytes)).catch((e) => this.log.warn('reply publish failed', e));
  }
}

export function toWireError(e: unknown, log: Logger): { code: number; name: string; message: string; retryable: boolean } {
  let err: XinboxError;
  if (e instanceof XinboxError) err = e;
  else {
    log.error('request failed', e);
    err = new XinboxError(Errors.INTERNAL);
  }
  return { code: err.code, name: err.errorName, message: err.message, retryable: err.retryable };
}
