/**
 * Live rooms this user hosts (created from this device): opening one, and the
 * host controls — pin a message, mute or kick a viewer, close the room.
 * RoomJoined does not name the host, so the rooms created here are
 * remembered (per tab); the server checks every host action anyway
 * (PERMISSION_DENIED for anyone else).
 */
import type { XinboxClient } from '@xinbox/sdk';
import { Store } from './store.js';

export class RoomHost {
  /** Room ids this user opened here. */
  readonly hosted = new Store<ReadonlySet<string>>(new Set());

  constructor(private readonly client: XinboxClient) {}

  isHost(roomId: string): boolean {
    return this.hosted.value.has(roomId);
  }

  /** Opens a room with this id (the caller becomes its host). */
  async open(roomId: string): Promise<void> {
    const id = roomId.trim();
    await this.client.createRoom(id);
    this.hosted.set(new Set([...this.hosted.value, id]));
  }

  async close(roomId: string): Promise<void> {
    await this.client.closeRoom(roomId);
    const next = new Set(this.hosted.value);
    next.delete(roomId);
    this.hosted.set(next);
  }

  pin(roomId: string, text: string): Promise<void> {
    return this.client.pinInRoom(roomId, text);
  }

  /** Mutes a viewer for `minutes` (0: for the life of the room). */
  mute(roomId: string, userId: string, minutes: number): Promise<void> {
    return this.client.muteInRoom(roomId, userId, minutes > 0 ? Date.now() + minutes * 60_000 : 0);
  }

  unmute(roomId: string, userId: string): Promise<void> {
    return this.client.unmuteInRoom(roomId, userId);
  }

  kick(roomId: string, userId: string): Promise<void> {
    return this.client.kickFromRoom(roomId, userId);
  }
}
