/**
 * Live rooms (chat rooms, live-stream audiences), kept minimal: join, leave,
 * and delivery of RoomPush messages. Ordinary messages pass straight through
 * (they may be thinned by the server anyway). Reliable ones carry a per-room
 * seq and go through the same reorder/gap logic as conversations: a gap is
 * filled with RoomPull, and after a reconnect every joined room is joined
 * again from its last delivered seq.
 */
import { Errors, Limits, XinboxError, type RoomJoined, type RoomMessage, type RoomPullResult, type RoomPush } from '@xinbox/protocol';
import { ReorderBuffer } from './reorder-buffer.js';

export interface RoomRpc {
  join(roomId: string, afterSeq: number): Promise<RoomJoined>;
  pull(roomId: string, afterSeq: number, limit: number): Promise<RoomPullResult>;
  ack(roomId: string, seq: number): void;
}

export interface RoomHooks {
  deliver(message: RoomMessage): void;
  changed(): void;
  error(err: unknown): void;
}

export class RoomTracker {
  private readonly joined = new Set<string>();
  private readonly reorder = new ReorderBuffer<RoomMessage>();
  private readonly filling = new Set<string>();
  private rpc: RoomRpc | undefined;
  private generation = 0;
  private readonly ackDue = new Set<string>();
  private ackTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly hooks: RoomHooks) {}

  load(rooms: Record<string, number>): void {
    for (const [id, seq] of Object.entries(rooms)) this.reorder.setPosition(id, seq);
  }

  positions(): Record<string, number> {
    const all = this.reorder.positions();
    const out: Record<string, number> = {};
    for (const id of this.joined) if (all[id] !== undefined) out[id] = all[id]!;
    return out;
  }

  rooms(): string[] {
    return [...this.joined];
  }

  /** A connection is up: join every room again and fill what was missed. */
  async attach(rpc: RoomRpc): Promise<void> {
    this.rpc = rpc;
    const gen = ++this.generation;
    await Promise.all(
      [...this.joined].map((id) =>
        this.joinOn(rpc, id, gen).catch((err) => {
          if (gen === this.generation) this.hooks.error(err);
        }),
      ),
    );
  }

  detach(): void {
    this.rpc = undefined;
    this.generation++;
    this.filling.clear();
    if (this.ackTimer) clearTimeout(this.ackTimer);
    this.ackTimer = undefined;
    this.ackDue.clear();
  }

  async join(roomId: string): Promise<RoomJoined> {
    if (!this.rpc) throw new XinboxError(Errors.UNAVAILABLE, 'not connected');
    this.joined.add(roomId);
    try {
      return await this.joinOn(this.rpc, roomId, this.generation);
    } catch (err) {
      this.joined.delete(roomId);
      throw err;
    }
  }

  leave(roomId: string): void {
    this.joined.delete(roomId);
    this.reorder.forget(roomId);
    this.hooks.changed();
  }

  onPush(push: RoomPush): void {
    for (const m of push.messages) {
      if (!this.joined.has(m.roomId)) continue;
      const res = this.reorder.offer(m.roomId, m);
      this.deliverAll(m.roomId, res.deliver);
      if (this.reorder.gap(m.roomId)) void this.fill(m.roomId, this.generation);
    }
  }

  private async joinOn(rpc: RoomRpc, roomId: string, gen: number): Promise<RoomJoined> {
    const known = this.reorder.position(roomId);
    const joined = await rpc.join(roomId, known ?? 0);
    if (gen !== this.generation) return joined;
    if (known === undefined) {
      // First join: reliable delivery starts from now.
      this.reorder.setPosition(roomId, joined.lastSeq);
      this.hooks.changed();
    } else {
      this.reorder.expect(roomId, joined.lastSeq);
      await this.fill(roomId, gen);
    }
    return joined;
  }

  private async fill(roomId: string, gen: number): Promise<void> {
    const rpc = this.rpc;
    if (!rpc || gen !== this.generation || this.filling.has(roomId)) return;
    this.filling.add(roomId);
    try {
      for (let g = this.reorder.gap(roomId); g; g = this.reorder.gap(roomId)) {
        const res = await rpc.pull(roomId, g.fromSeq - 1, Math.min(Limits.maxPageSize, g.toSeq - g.fromSeq + 1));
        if (gen !== this.generation || !this.joined.has(roomId)) return;
        for (const m of res.messages) this.deliverAll(roomId, this.reorder.offer(roomId, m).deliver);
        const last = res.messages[res.messages.length - 1];
        const covered = res.hasMore && last && last.seq >= g.fromSeq ? Math.min(last.seq, g.toSeq) : g.toSeq;
        this.deliverAll(roomId, this.reorder.release(roomId, covered));
      }
    } catch (err) {
      if (gen === this.generation) this.hooks.error(err);
    } finally {
      if (gen === this.generation) this.filling.delete(roomId);
    }
  }

  private deliverAll(roomId: string, list: readonly RoomMessage[]): void {
    let reliable = false;
    for (const m of list) {
      if (m.seq > 0) reliable = true;
      this.hooks.deliver(m);
    }
    if (reliable) {
      this.ackDue.add(roomId);
      this.ackTimer ??= setTimeout(() => this.flushAcks(), 0);
      this.hooks.changed();
    }
  }

  private flushAcks(): void {
    this.ackTimer = undefined;
    for (const id of this.ackDue) {
      const seq = this.reorder.position(id);
      if (seq !== undefined && seq > 0) this.rpc?.ack(id, seq);
    }
    this.ackDue.clear();
  }
}
