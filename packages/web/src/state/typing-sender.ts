/**
 * Tells the other side that this user is typing: typing=true when typing
 * starts and again every few seconds while it goes on (receivers expire it),
 * typing=false after a pause or when the message is sent.
 */
import type { XinboxClient } from '@xinbox/sdk';

/** Receivers drop a typing=true after 6 s; repeat it well before. */
const REPEAT_MS = 3_000;
const IDLE_MS = 4_000;

export class TypingSender {
  private readonly sentAt = new Map<string, number>();
  private readonly idle = new Map<string, ReturnType<typeof setTimeout>>();

  constructor(private readonly client: XinboxClient) {}

  /** Called on every keystroke in the composer. */
  keystroke(conversationId: string): void {
    const now = Date.now();
    if (now - (this.sentAt.get(conversationId) ?? 0) > REPEAT_MS && this.client.state === 'connected') {
      this.sentAt.set(conversationId, now);
      this.client.typing(conversationId, true).catch(() => undefined);
    }
    const t = this.idle.get(conversationId);
    if (t) clearTimeout(t);
    this.idle.set(conversationId, setTimeout(() => this.stop(conversationId), IDLE_MS));
  }

  stop(conversationId: string): void {
    const t = this.idle.get(conversationId);
    if (t) clearTimeout(t);
    this.idle.delete(conversationId);
    if (!this.sentAt.has(conversationId)) return;
    this.sentAt.delete(conversationId);
    if (this.client.state === 'connected') this.client.typing(conversationId, false).catch(() => undefined);
  }
}
