import { joinChunks } from '@xinbox/protocol';
import type { Bus } from '../core/ports/bus.js';
import type { Outbox, UserPush } from '../core/ports/outbox.js';
import type { RouteRegistry } from '../core/ports/route-registry.js';
import type { ConversationId, UserId, UserPresence } from '../core/model.js';
import type { Logger } from '../logger.js';
import { EnvelopeType, Topics, encodeEnvelope } from './envelope.js';
import type { LocalOutbox } from './local-outbox.js';

/** Header of an Audience envelope: the conversation, the message id devices ack, the device that sent it. */
export interface AudienceHeader {
  readonly from: string;
  readonly c: ConversationId;
  readonly m: string;
  readonly xu: UserId;
  readonly xd: string;
}

/** Header of a Deliver envelope: one entry per push, frames concatenated in the payload. */
export type DeliverHeader = Array<{ u: UserId; s: number; x?: string; n: number }>;

/**
 * The cluster Outbox: looks up which gateway holds each recipient's devices
 * and hands every gateway ONE bus message per tick with all its frames.
 * Route lookups for a tick are batched into one registry call, and ticks are
 * processed in order, so frames for one device keep their order.
 */
export class ClusterOutbox implements Outbox {
  private batch: UserPush[] = [];
  private scheduled = false;
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly nodeId: string,
    private readonly bus: Bus,
    private readonly routes: RouteRegistry,
    /** Null when this node has no gateway role. */
    private readonly local: LocalOutbox | null,
    private readonly log: Logger,
  ) {}

  toUsers(pushes: readonly UserPush[]): void {
    for (const p of pushes) this.batch.push(p);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        const batch = this.batch;
        this.batch = [];
        this.chain = this.chain.then(() => this.route(batch)).catch((e) => this.log.warn('delivery routing failed (devices will sync)', e));
      });
    }
  }

  toAudience(conversationId: ConversationId, frame: Uint8Array, messageId: string, except?: { userId: UserId; deviceId: string }): void {
    this.local?.toAudience(conversationId, frame, messageId, except);
    const header: AudienceHeader = { from: this.nodeId, c: conversationId, m: messageId, xu: except?.userId ?? 0, xd: except?.deviceId ?? '' };
    this.publish(Topics.broadcast, encodeEnvelope(EnvelopeType.Audience, header, frame));
  }

  audienceChanged(conversationId: ConversationId, joined: readonly UserId[], left: readonly UserId[]): void {
    this.local?.audienceChanged(conversationId, joined, left);
    this.publish(Topics.broadcast, encodeEnvelope(EnvelopeType.Event, { t: 'audience', from: this.nodeId, c: conversationId, j: joined, l: left }));
  }

  presenceChanged(presence: UserPresence): void {
    this.local?.presenceChanged(presence);
    this.publish(Topics.broadcast, encodeEnvelope(EnvelopeType.Event, { t: 'presence', from: this.nodeId, p: presence }));
  }

  private async route(pushes: UserPush[]): Promise<void> {
    const users = [...new Set(pushes.map((p) => p.userId))];
    const routes = await this.routes.lookup(users);
    const nodesOf = new Map<UserId, Set<string>>();
    for (const r of routes) {
      let s = nodesOf.get(r.userId);
      if (!s) nodesOf.set(r.userId, (s = new Set()));
      s.add(r.nodeId);
    }
    const perNode = new Map<string, UserPush[]>();
    for (const p of pushes) {
      for (const node of nodesOf.get(p.userId) ?? []) {
        let list = perNode.get(node);
        if (!list) perNode.set(node, (list = []));
        list.push(p);
      }
    }
    for (const [node, list] of perNode) {
      if (node === this.nodeId && this.local) {
        this.local.toUsers(list);
        continue;
      }
      const header: DeliverHeader = list.map((p) => ({ u: p.userId, s: p.syncSeq, ...(p.exceptDeviceId ? { x: p.exceptDeviceId } : {}), n: p.frame.length }));
      this.publish(Topics.node(node), encodeEnvelope(EnvelopeType.Deliver, header, joinChunks(list.map((p) => p.frame))));
    }
  }

  private publish(topic: string, bytes: Uint8Array): void {
    this.bus.publish(topic, bytes).catch((e) => this.log.warn(`bus publish to ${topic} failed (devices will sync)`, e));
  }
}

/** Split a Deliver envelope back into pushes. */
export function unpackDeliver(header: DeliverHeader, payload: Uint8Array): UserPush[] {
  const out: UserPush[] = [];
  let at = 0;
  for (const h of header) {
    out.push({ userId: h.u, syncSeq: h.s, exceptDeviceId: h.x, frame: payload.subarray(at, at + h.n) });
    at += h.n;
  }
  return out;
}
