import type { Content, ForwardOrigin, Message, Quote } from '@xinbox/protocol';

/** A message as a device shows it after applying every operation on it it has seen. */
export interface MessageView {
  readonly seq: number;
  readonly id: string;
  readonly senderId: string;
  readonly serverTime: number;
  /** The current content (with the latest edit's text); undefined once recalled (the stored content is gone). */
  readonly content: Content | undefined;
  readonly recalled: { readonly by: string; readonly at: number } | null;
  /** Earlier texts, oldest first (the original, then each edit but the last); empty if never edited. */
  readonly editHistory: readonly string[];
  readonly edited: boolean;
  /** emoji -> user ids that reacted with it, in the order they reacted. */
  readonly reactions: Readonly<Record<string, readonly string[]>>;
  readonly pinned: boolean;
  readonly reply: Quote | undefined;
  readonly forwarded: ForwardOrigin | undefined;
}

type OpCase = 'recall' | 'edit' | 'reaction' | 'pin';

/** The operation a message carries (recall, edit, reaction, pin), or null for an ordinary message. */
export function operationOf(m: Message): { kind: OpCase; targetSeq: number } | null {
  const k = m.content?.kind;
  if (k?.case === 'recall' || k?.case === 'edit' || k?.case === 'reaction' || k?.case === 'pin') return { kind: k.case, targetSeq: k.value.targetSeq };
  return null;
}

/** Whether a message is an operation event or a recalled edit: it takes a seq but shows as no row of its own. */
export function isSilent(m: Message): boolean {
  const k = m.content?.kind;
  return operationOf(m) !== null || (k?.case === 'recalled' && k.value.op);
}

/**
 * One conversation's messages with their operations folded in. Operations are
 * ordinary messages in the conversation's sequence, so whatever order a
 * device receives them in (push, sync, history pages, gap fills) the result
 * depends only on which seqs it holds: each target's operations are applied
 * in seq order when a view is read.
 */
export class ConversationFold {
  private readonly messages = new Map<number, Message>();
  private readonly opsByTarget = new Map<number, Message[]>();

  /** Add a message (any order, duplicates ignored). */
  add(m: Message): void {
    if (this.messages.has(m.seq)) {
      // A newer copy of a stored message (e.g. its content was recalled since): keep the latest content.
      this.messages.set(m.seq, m);
      return;
    }
    this.messages.set(m.seq, m);
    const op = operationOf(m);
    if (!op) return;
    const list = this.opsByTarget.get(op.targetSeq) ?? [];
    list.push(m);
    list.sort((a, b) => a.seq - b.seq);
    this.opsByTarget.set(op.targetSeq, list);
  }

  has(seq: number): boolean {
    return this.messages.has(seq);
  }

  /** The view of message `seq`, or undefined when it is not held or is an operation. */
  view(seq: number): MessageView | undefined {
    const m = this.messages.get(seq);
    if (!m || isSilent(m)) return undefined;
    let content = m.content;
    let recalled: MessageView['recalled'] = content?.kind.case === 'recalled' ? { by: content.kind.value.by, at: content.kind.value.at } : null;
    const history: string[] = [];
    const reactions = new Map<string, string[]>();
    let pinned = false;
    for (const op of this.opsByTarget.get(seq) ?? []) {
      const k = op.content!.kind;
      if (k.case === 'recall') recalled = { by: op.senderId, at: op.serverTime };
      if (recalled) continue;
      if (k.case === 'edit' && op.senderId === m.senderId) {
        if (content?.kind.case === 'text') history.push(content.kind.value.text);
        content = { ...content!, kind: { case: 'text', value: { ...(content!.kind.value as object), text: k.value.text } } } as Content;
      } else if (k.case === 'reaction') {
        const who = reactions.get(k.value.emoji) ?? [];
        const at = who.indexOf(op.senderId);
        if (k.value.add && at < 0) who.push(op.senderId);
        if (!k.value.add && at >= 0) who.splice(at, 1);
        if (who.length) reactions.set(k.value.emoji, who);
        else reactions.delete(k.value.emoji);
      } else if (k.case === 'pin') {
        pinned = k.value.pinned;
      }
    }
    if (recalled) {
      return { seq, id: m.id, senderId: m.senderId, serverTime: m.serverTime, content: undefined, recalled, editHistory: [], edited: false, reactions: {}, pinned: false, reply: undefined, forwarded: undefined };
    }
    return {
      seq, id: m.id, senderId: m.senderId, serverTime: m.serverTime, content, recalled: null,
      editHistory: history, edited: history.length > 0, reactions: Object.fromEntries(reactions), pinned,
      reply: m.content?.reply, forwarded: m.content?.forwarded,
    };
  }

  /** Views of every held ordinary message, ascending seq. */
  views(): MessageView[] {
    return [...this.messages.keys()].sort((a, b) => a - b).map((s) => this.view(s)).filter((v): v is MessageView => v !== undefined);
  }

  /** Seqs of the pinned messages among those held, ascending. */
  pinnedSeqs(): number[] {
    return this.views().filter((v) => v.pinned).map((v) => v.seq);
  }
}
