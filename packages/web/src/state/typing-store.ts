/**
 * Who is typing where. A typing=true update counts for a few seconds only
 * (the sender repeats it while still typing), so a lost typing=false or a
 * peer that went away never leaves the indicator stuck.
 */
import { Store } from './store.js';

const TYPING_TTL_MS = 6_000;

/** conversationId -> userIds currently typing there. */
export type TypingMap = ReadonlyMap<string, readonly string[]>;

export class TypingStore {
  readonly typing = new Store<TypingMap>(new Map());
  private readonly expiry = new Map<string, ReturnType<typeof setTimeout>>();

  set(conversationId: string, userId: string, typing: boolean): void {
    const key = `${conversationId}:${userId}`;
    const old = this.expiry.get(key);
    if (old) clearTimeout(old);
    this.expiry.delete(key);
    if (typing) this.expiry.set(key, setTimeout(() => this.set(conversationId, userId, false), TYPING_TTL_MS));
    const cur = this.typing.value.get(conversationId) ?? [];
    const has = cur.includes(userId);
    if (has === typing) return;
    const next = new Map(this.typing.value);
    const users = typing ? [...cur, userId] : cur.filter((u) => u !== userId);
    if (users.length) next.set(conversationId, users);
    else next.delete(conversationId);
    this.typing.set(next);
  }

  clear(): void {
    for (const t of this.expiry.values()) clearTimeout(t);
    this.expiry.clear();
    this.typing.set(new Map());
  }
}
