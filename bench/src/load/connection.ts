import {
  Limits, RoomMessageClass, decodeFrame, encodeFrame, splitFrames, withLengthPrefix,
  type AuthOk, type Frame, type FrameInit,
} from '@xinbox/protocol';
import type { ConnSpec } from './messages.js';
import { BENCH_KIND } from './payload.js';
import {
  FrameField as FIELD, RoomPushBatch, encodeCustomSendFrame, encodePushAckFrame, encodeTextSendFrame, encodeRoomPushAckFrame, peekFrame, peekPush, type PushPeek,
} from '@xinbox/protocol';
import { RoomAckTracker } from './room-acks.js';
import { openLink, type FrameLink } from './link.js';

/**
 * One client connection of a load process, speaking the wire protocol
 * directly: length-prefixed protobuf Frames in binary WebSocket messages
 * (several frames per message are accepted) or on a raw TCP stream
 * (link.ts; `spec.tcp`). The protocol package's codec
 * handles framing and every frame except the hot ones (bench Send, Push,
 * SendAck, PushAck, Pong, RoomPush, RoomPushAck), which use the byte-exact
 * fast path in fast-codec.ts.
 */

export interface ConnectionEvents {
  onPush(c: BenchConnection, push: PushPeek): void;
  onSendResult(c: BenchConnection, scheduledAt: number, errorName: string | undefined): void;
  onClose(c: BenchConnection, code: number): void;
  onAckDirty(c: BenchConnection): void;
  /** Every message of one RoomPush frame (W4), after the connection noted reliable seqs for its acks. */
  onRoomMessages?(c: BenchConnection, messages: RoomPushBatch): void;
  onRoomSendResult?(c: BenchConnection, scheduledAt: number, reliable: boolean, errorName: string | undefined): void;
}

interface PendingRpc {
  resolve(f: Frame): void;
  reject(e: Error): void;
  timer: NodeJS.Timeout;
}

/** One per process: RoomPush frames are read into it one at a time (no per-message allocations). */
const roomBatch = new RoomPushBatch(BENCH_KIND);

/** Most message ids in one PushAck (the protocol's per-request id limit). */
const MAX_ACK_IDS = Limits.maxIdsPerRequest;

export class BenchConnection {
  state: 'idle' | 'connecting' | 'open' | 'closed' = 'idle';
  authOk: AuthOk | undefined;
  nextPingAt = Number.POSITIVE_INFINITY;
  pingsSent = 0;
  pongs = 0;
  private link: FrameLink | undefined;
  private nextId = 1;
  private readonly rpcs = new Map<number, PendingRpc>();
  /** Frame id of each unacknowledged bench Send -> its scheduled time. */
  private readonly sends = new Map<number, number>();
  private ackSyncSeq = 0;
  private sentAckSyncSeq = 0;
  private ackIds: string[] = [];
  /** Frame id of each unanswered RoomSend -> its scheduled time and class. */
  private readonly roomSends = new Map<number, { scheduledAt: number; reliable: boolean }>();
  /** Joined rooms: reliable seqs delivered, for the cumulative RoomPushAck. */
  private readonly roomAcks = new Map<string, RoomAckTracker>();
  roomEvents = 0;

  constructor(
    readonly index: number,
    readonly spec: ConnSpec,
    private readonly events: ConnectionEvents,
  ) {}

  /** Open the socket and authenticate; resolves with AuthOk. */
  async connect(timeoutMs: number): Promise<AuthOk> {
    this.state = 'connecting';
    this.link = await openLink(this.spec, timeoutMs, {
      onBytes: (bytes) => this.onBytes(bytes),
      onClose: (code) => {
        const wasOpen = this.state === 'open';
        this.state = 'closed';
        for (const [, p] of this.rpcs) {
          clearTimeout(p.timer);
          p.reject(new Error(`closed ${code}`));
        }
        this.rpcs.clear();
        if (wasOpen) this.events.onClose(this, code);
      },
    });
    const reply = await this.request({ body: { case: 'auth', value: { token: this.spec.token, clientVersion: 'xinbox-bench' } } }, timeoutMs);
    if (reply.body.case !== 'authOk') {
      this.link.terminate();
      throw new Error(reply.body.case === 'error' ? `auth: ${reply.body.value.name}` : `auth: unexpected ${reply.body.case}`);
    }
    this.authOk = reply.body.value;
    this.state = 'open';
    return reply.body.value;
  }

  /** Send a request frame and wait for the frame with the same id (a result or an Error). */
  request(init: FrameInit, timeoutMs: number): Promise<Frame> {
    const id = this.nextId++;
    return new Promise<Frame>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.rpcs.delete(id);
        reject(new Error('request timeout'));
      }, timeoutMs);
      this.rpcs.set(id, { resolve, reject, timer });
      if (!this.write({ ...init, id })) {
        clearTimeout(timer);
        this.rpcs.delete(id);
        reject(new Error('not open'));
      }
    });
  }

  /** Fire one bench message; the ack (or error) comes back through events.onSendResult. */
  sendBench(conversationId: string, clientMsgId: string, data: Uint8Array, scheduledAt: number): boolean {
    const link = this.link;
    if (!link?.open) return false;
    const id = this.nextId++;
    link.send(encodeCustomSendFrame(id, conversationId, clientMsgId, BENCH_KIND, data));
    this.sends.set(id, scheduledAt);
    return true;
  }

  /** Like sendBench with Text content: `textUtf8` carries the stamp (payload.ts encodeTextStamp). */
  sendBenchText(conversationId: string, clientMsgId: string, textUtf8: Uint8Array, scheduledAt: number): boolean {
    const link = this.link;
    if (!link?.open) return false;
    const id = this.nextId++;
    link.send(encodeTextSendFrame(id, conversationId, clientMsgId, textUtf8));
    this.sends.set(id, scheduledAt);
    return true;
  }

  /** Fire one RoomSend with a bench payload; the Ok/SendAck (or error) comes back through events.onRoomSendResult. */
  sendRoom(roomId: string, reliable: boolean, clientMsgId: string, data: Uint8Array, scheduledAt: number): boolean {
    const id = this.nextId++;
    const ok = this.write({
      id,
      body: { case: 'roomSend', value: { roomId, class: reliable ? RoomMessageClass.RELIABLE : RoomMessageClass.ORDINARY, clientMsgId, content: { kind: { case: 'custom', value: { kind: BENCH_KIND, data } } } } },
    });
    if (ok) this.roomSends.set(id, { scheduledAt, reliable });
    return ok;
  }

  /** RoomSends that never got a reply; forgets them. */
  takeRoomUnacked(): number {
    const n = this.roomSends.size;
    this.roomSends.clear();
    return n;
  }

  /** Whether this connection joined the room (a RoomJoined reply arrived). */
  inRoom(roomId: string): boolean {
    return this.roomAcks.has(roomId);
  }

  ping(): void {
    if (this.write({ id: this.nextId++, body: { case: 'ping', value: {} } })) this.pingsSent++;
  }

  /** Sends that never got an ack or error; forgets them. */
  takeUnacked(): number {
    const n = this.sends.size;
    this.sends.clear();
    return n;
  }

  /** One cumulative PushAck (plus id lists for read-fan-out pushes) per call. */
  flushAcks(): void {
    if (this.ackSyncSeq > this.sentAckSyncSeq || this.ackIds.length > 0) {
      const ids = this.ackIds.splice(0, MAX_ACK_IDS);
      if (ids.length === 0) this.link?.send(encodePushAckFrame(this.ackSyncSeq));
      else this.write({ body: { case: 'pushAck', value: { syncSeq: this.ackSyncSeq, messageIds: ids } } });
      this.sentAckSyncSeq = this.ackSyncSeq;
      if (this.ackIds.length > 0) this.events.onAckDirty(this);
    }
    for (const [roomId, t] of this.roomAcks) {
      if (!t.ackDue) continue;
      this.link?.send(encodeRoomPushAckFrame(roomId, t.contiguous));
      t.sent = t.contiguous;
    }
  }

  close(): void {
    if (this.link && this.state !== 'closed') this.link.close(1000);
  }

  terminate(): void {
    this.link?.terminate();
  }

  private write(init: FrameInit): boolean {
    const link = this.link;
    if (!link?.open) return false;
    link.send(withLengthPrefix(encodeFrame(init)));
    return true;
  }

  private onBytes(data: Buffer): void {
    let bodies: Uint8Array[];
    try {
      bodies = splitFrames(data, Limits.maxFrameBytes);
    } catch {
      this.link?.close(4006, 'bench: broken framing');
      return;
    }
    try {
      for (const b of bodies) {
        const p = peekFrame(b);
        if (p.field === FIELD.push) this.onPush(peekPush(b, p, BENCH_KIND));
        else if (p.field === FIELD.sendAck && this.settleSend(p.id, undefined)) continue;
        else if (p.field === FIELD.pong) this.pongs++;
        else if (p.field === FIELD.roomPush) this.onRoomPush(roomBatch.read(b, p));
        else if (p.field === FIELD.roomEvent && p.id === 0) this.roomEvents++;
        else this.onFrame(decodeFrame(b));
      }
    } catch {
      this.link?.close(4006, 'bench: undecodable frame');
    }
  }

  private onPush(push: PushPeek): void {
    if (push.syncSeq > 0) {
      if (push.syncSeq > this.ackSyncSeq) this.ackSyncSeq = push.syncSeq;
    } else {
      this.ackIds.push(push.messageId);
    }
    this.events.onAckDirty(this);
    this.events.onPush(this, push);
  }

  private onRoomPush(messages: RoomPushBatch): void {
    let ackDue = false;
    for (let i = 0; i < messages.count; i++) {
      const seq = messages.seq[i]!;
      if (seq === 0) continue;
      const t = this.roomAcks.get(messages.roomId(i));
      if (!t) continue;
      messages.duplicate[i] = t.note(seq) ? 0 : 1;
      ackDue ||= t.ackDue;
    }
    if (ackDue) this.events.onAckDirty(this);
    this.events.onRoomMessages?.(this, messages);
  }

  private settleRoomSend(id: number, errorName: string | undefined): boolean {
    const s = this.roomSends.get(id);
    if (s === undefined) return false;
    this.roomSends.delete(id);
    this.events.onRoomSendResult?.(this, s.scheduledAt, s.reliable, errorName);
    return true;
  }

  private settleSend(id: number, errorName: string | undefined): boolean {
    const scheduledAt = this.sends.get(id);
    if (scheduledAt === undefined) return false;
    this.sends.delete(id);
    this.events.onSendResult(this, scheduledAt, errorName);
    return true;
  }

  private onFrame(f: Frame): void {
    const body = f.body;
    if (f.id !== 0 && this.roomSends.has(f.id)) {
      this.settleRoomSend(f.id, body.case === 'error' ? body.value.name || String(body.value.code) : undefined);
      return;
    }
    // A first join starts the room's ack position at its current seq (nothing older is owed).
    if (body.case === 'roomJoined' && !this.roomAcks.has(body.value.roomId)) this.roomAcks.set(body.value.roomId, new RoomAckTracker(body.value.lastSeq));
    if (body.case === 'error' && this.settleSend(f.id, body.value.name || String(body.value.code))) return;
    if (body.case === 'sendAck' && this.settleSend(f.id, undefined)) return;
    const pending = f.id !== 0 ? this.rpcs.get(f.id) : undefined;
    if (pending) {
      this.rpcs.delete(f.id);
      clearTimeout(pending.timer);
      pending.resolve(f);
    }
  }
}
