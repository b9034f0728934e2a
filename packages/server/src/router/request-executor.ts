import type { Bus } from '../core/ports/bus.js';
import type { RequestRunner } from '../gateway/ports.js';
import type { Logger } from '../logger.js';
import { EnvelopeType, Topics, encodeEnvelope } from './envelope.js';
import type { RequestHeader } from './rpc-client.js';

/**
 * The logic side of forwarded requests: hands the frame bytes, as the client
 * sent them, to the same RequestRunner a single node runs for its own sockets
 * (hot Send handler included), as the (user, device) the gateway vouched for,
 * and publishes the reply frame back to the gateway. Requests start in
 * arrival order, so one connection's sends keep their order.
 */
export class RequestExecutor {
  /** Requests executed for other nodes (metrics). */
  executed = 0;

  constructor(private readonly bus: Bus, private readonly runner: RequestRunner, private readonly log: Logger) {}

  execute(h: RequestHeader, payload: Uint8Array): void {
    this.executed++;
    this.runner.run({ userId: h.u, deviceId: h.d }, payload).then(
      (reply) => reply && this.reply(h, reply),
      (e) => this.log.error('forwarded request failed', e),
    );
  }

  private reply(h: RequestHeader, bytes: Uint8Array): void {
    this.bus.publish(Topics.node(h.from), encodeEnvelope(EnvelopeType.Reply, { r: h.r }, bytes)).catch((e) => this.log.warn('reply publish failed', e));
  }
}
