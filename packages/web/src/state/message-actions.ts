/**
 * What the message menu does: each action is one SDK call (an operation in
 * the conversation's sequence, or a send). Refusals (window passed, not
 * allowed) are announced in the words of the error catalog.
 */
import type { MessageView, XinboxClient } from '@xinbox/sdk';
import { Store } from './store.js';

export interface ReplyTarget {
  readonly conversationId: string;
  readonly seq: number;
  readonly senderName: string;
  readonly snippet: string;
}

export class MessageActionsModel {
  /** The message the composer's next send quotes (one at a time, per app). */
  readonly replyTo = new Store<ReplyTarget | undefined>(undefined);
  /** The last refusal, shown under the history until the next action. */
  readonly error = new Store<string | undefined>(undefined);

  constructor(private readonly client: XinboxClient, private readonly announce: (text: string) => void) {}

  startReply(conversationId: string, view: MessageView, senderName: string): void {
    const k = view.content?.kind;
    const snippet = k?.case === 'text' ? k.value.text.slice(0, 120) : `[${k?.case ?? 'message'}]`;
    this.replyTo.set({ conversationId, seq: view.seq, senderName, snippet });
  }

  /** The quote to attach to a send in this conversation, consumed by it. */
  takeReply(conversationId: string): number | undefined {
    const r = this.replyTo.value;
    if (!r || r.conversationId !== conversationId) return undefined;
    this.replyTo.set(undefined);
    return r.seq;
  }

  react(conversationId: string, seq: number, emoji: string, add: boolean): void {
    this.run(this.client.react(conversationId, seq, emoji, add));
  }

  edit(conversationId: string, seq: number, text: string): void {
    this.run(this.client.edit(conversationId, seq, text));
  }

  recall(conversationId: string, seq: number): void {
    this.run(this.client.recall(conversationId, seq), 'Message recalled');
  }

  /** Hidden on this user's devices only; the 'messagesHidden' event removes it from every open timeline. */
  deleteForMe(conversationId: string, seq: number): void {
    this.run(this.client.deleteForMe(conversationId, [seq]), 'Message deleted for you');
  }

  pin(conversationId: string, seq: number, pinned: boolean): void {
    this.run(this.client.pin(conversationId, seq, pinned), pinned ? 'Message pinned' : 'Message unpinned');
  }

  forward(conversationId: string, seq: number, to: string): void {
    this.run(this.client.forward([{ conversationId, seq }], [to]), 'Message forwarded');
  }

  private run(p: Promise<unknown>, done?: string): void {
    this.error.set(undefined);
    p.then(
      () => {
        if (done) this.announce(done);
      },
      (err: unknown) => {
        const text = err instanceof Error ? err.message : 'the action failed';
        this.error.set(text);
        this.announce(text);
      },
    );
  }
}
