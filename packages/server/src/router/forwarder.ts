import { Errors, XinboxError, encodeFrame, type Frame } from '@xinbox/protocol';
import type { Caller } from '../core/messaging/send-types.js';
import type { RequestForwarder } from '../gateway/ports.js';
import type { OwnerRing } from './owner-ring.js';
import type { RpcClient } from './rpc-client.js';

/** Frame kinds a gateway always handles itself (they touch its connections). */
const GATEWAY_LOCAL = new Set(['ping', 'auth', 'pushAck', 'presenceSubscribe', 'presenceQuery', 'roomJoin', 'roomLeave', 'roomSend', 'roomPushAck', 'roomPull', 'roomAdmin']);

/**
 * Gateway side of the routing layer: a request for a conversation goes to the
 * conversation's owner, anything else to the caller's owner. Returns null
 * when this node is that owner (run locally).
 */
export class Forwarder implements RequestForwarder {
  /** Requests sent to other nodes (metrics). */
  forwarded = 0;

  constructor(private readonly ring: OwnerRing, private readonly rpc: RpcClient, private readonly selfId: string, private readonly selfIsLogic: boolean) {}

  forward(caller: Caller, frame: Frame): Promise<Uint8Array> | null {
    const kind = frame.body.case;
    if (!kind || GATEWAY_LOCAL.has(kind)) return null;
    const owner = this.ring.ownerOfRequest(frame, caller.userId);
    if (owner === null) return Promise.reject(new XinboxError(Errors.UNAVAILABLE, 'no logic node is available'));
    if (owner === this.selfId && this.selfIsLogic) return null;
    this.forwarded++;
    return this.rpc.call(owner, caller.userId, caller.deviceId, encodeFrame(frame));
  }

  forwardSend(caller: Caller, conversationId: number, body: Uint8Array): Promise<Uint8Array> | null {
    const owner = this.ring.ownerOfConversation(conversationId);
    if (owner === null) return Promise.reject(new XinboxError(Errors.UNAVAILABLE, 'no logic node is available'));
    if (owner === this.selfId && this.selfIsLogic) return null;
    this.forwarded++;
    return this.rpc.call(owner, caller.userId, caller.deviceId, body);
  }
}
