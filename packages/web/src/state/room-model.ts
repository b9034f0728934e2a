/**
 * The live-room screen's state: one joined room at a time, its audience and a
 * bounded window of recent messages for the danmaku stream. Rooms are a newer
 * part of the protocol; a server without them answers UNKNOWN_OPERATION and
 * the screen says so instead of failing.
 */
import { Errors, XinboxError, type RoomMessage } from '@xinbox/protocol';
import type { XinboxClient } from '@xinbox/sdk';
import { Store } from './store.js';

export type RoomStatus = 'idle' | 'joining' | 'joined' | 'unavailable' | 'error';

export interface RoomView {
  readonly status: RoomStatus;
  readonly roomId: string;
  readonly audience: number;
  readonly messages: readonly RoomMessage[];
  readonly error?: string;
  /** Something to know while staying in the room (e.g. muted). */
  readonly notice?: string;
}

const MAX_ROOM_MESSAGES = 200;
const IDLE: RoomView = { status: 'idle', roomId: '', audience: 0, messages: [] };

export function isUnavailable(err: unknown): boolean {
  return err instanceof XinboxError && err.code === Errors.UNKNOWN_OPERATION.code;
}

export class RoomModel {
  readonly view = new Store<RoomView>(IDLE);
  private readonly offs: Array<() => void> = [];

  constructor(private readonly client: XinboxClient) {
    this.offs.push(
      client.on('room', (m) => {
        const v = this.view.value;
        if (v.roomId !== m.roomId || v.status !== 'joined') return;
        const messages = [...v.messages, m].slice(-MAX_ROOM_MESSAGES);
        this.view.set({ ...v, messages });
      }),
      client.on('roomEvent', (e) => {
        const v = this.view.value;
        if (v.roomId !== e.roomId || v.status !== 'joined') return;
        const me = e.userId && e.userId !== '0' && e.userId === client.userId;
        if (e.kind === 'closed') this.view.set({ ...v, status: 'error', error: 'The room was closed by its host.' });
        else if (e.kind === 'kicked' && me) this.view.set({ ...v, status: 'error', error: 'You were removed from this room.' });
        else if (e.kind === 'muted' && me) this.view.set({ ...v, notice: 'You are muted in this room for now.' });
        else if (e.kind === 'unmuted' && me) this.view.set({ ...v, notice: undefined });
        else if (e.audience) this.view.set({ ...v, audience: e.audience });
      }),
    );
  }

  async join(roomId: string): Promise<void> {
    const id = roomId.trim();
    if (!id) return;
    const cur = this.view.value;
    if (cur.roomId === id && (cur.status === 'joined' || cur.status === 'joining')) return;
    await this.leave();
    this.view.set({ status: 'joining', roomId: id, audience: 0, messages: [] });
    try {
      const joined = await this.client.joinRoom(id);
      if (this.view.value.roomId !== id) return;
      const pinned = joined.pinned ? [joined.pinned] : [];
      this.view.set({ status: 'joined', roomId: id, audience: joined.audience, messages: pinned });
    } catch (err) {
      if (this.view.value.roomId !== id) return;
      this.fail(id, err);
    }
  }

  async send(text: string): Promise<void> {
    const v = this.view.value;
    if (v.status !== 'joined' || !text.trim()) return;
    try {
      await this.client.sendRoom(v.roomId, text.trim());
    } catch (err) {
      this.fail(v.roomId, err);
    }
  }

  async leave(): Promise<void> {
    const v = this.view.value;
    if (!v.roomId) return;
    this.view.set(IDLE);
    if (v.status === 'joined') await this.client.leaveRoom(v.roomId).catch(() => undefined);
  }

  dispose(): void {
    for (const off of this.offs.splice(0)) off();
  }

  private fail(roomId: string, err: unknown): void {
    const v = this.view.value;
    if (isUnavailable(err)) {
      this.view.set({ ...v, roomId, status: 'unavailable', error: 'Live rooms are not available on this server yet.' });
    } else if (err instanceof XinboxError && err.code === Errors.ROOM_NOT_FOUND.code) {
      this.view.set({ ...v, roomId, status: 'error', error: `There is no open live room "${roomId}". Rooms are opened by their host.` });
    } else if (err instanceof XinboxError && err.code === Errors.MUTED.code && v.status === 'joined') {
      this.view.set({ ...v, notice: 'You are muted in this room for now.' });
    } else if (err instanceof XinboxError && v.status === 'joined' && (err.code === Errors.RATE_LIMITED.code || err.retryable)) {
      // Sending too fast (5 a second per viewer) is no reason to leave the room: say so, then clear it.
      this.view.set({ ...v, notice: 'Slow down: you are sending too fast. Try again in a moment.' });
      setTimeout(() => {
        const now = this.view.value;
        if (now.roomId === roomId && now.notice?.startsWith('Slow down')) this.view.set({ ...now, notice: undefined });
      }, Math.max(1_000, err.retryAfterMs ?? 0));
    } else {
      this.view.set({ ...v, roomId, status: 'error', error: (err as Error).message || 'Could not use the room.' });
    }
  }
}
