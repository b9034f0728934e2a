/**
 * What the client knows about other users: their names (learned from direct
 * conversation titles and group member lists; the protocol has no user lookup
 * by id) and whether they are online.
 */
import { Store } from './store.js';

export class Directory {
  readonly names = new Store<ReadonlyMap<string, string>>(new Map());
  readonly online = new Store<ReadonlyMap<string, boolean>>(new Map());

  learnName(userId: string, username: string): void {
    if (!userId || userId === '0' || !username || this.names.value.get(userId) === username) return;
    const next = new Map(this.names.value);
    next.set(userId, username);
    this.names.set(next);
  }

  nameOf(userId: string): string | undefined {
    return this.names.value.get(userId);
  }

  setOnline(userId: string, online: boolean): void {
    if (this.online.value.get(userId) === online) return;
    const next = new Map(this.online.value);
    next.set(userId, online);
    this.online.set(next);
  }

  clear(): void {
    this.names.set(new Map());
    this.online.set(new Map());
  }
}
