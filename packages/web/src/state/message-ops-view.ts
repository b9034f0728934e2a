/**
 * Message operations (recall, edit, reactions, pins) arrive as messages of
 * their own in the conversation's sequence; the chat shows them folded into
 * the messages they name (the SDK's ConversationFold) and no row of their own.
 */
import type { Message } from '@xinbox/protocol';
import { ConversationFold, isSilent, type MessageView } from '@xinbox/sdk';

export interface FoldedTimeline {
  /** The messages to show as rows (operations left out), ascending. */
  readonly rows: readonly Message[];
  readonly views: ReadonlyMap<number, MessageView>;
}

export function foldTimeline(messages: readonly Message[]): FoldedTimeline {
  const fold = new ConversationFold();
  for (const m of messages) fold.add(m);
  const rows = messages.filter((m) => !m.hidden && !isSilent(m));
  const views = new Map<number, MessageView>();
  for (const m of rows) {
    const v = fold.view(m.seq);
    if (v) views.set(m.seq, v);
  }
  return { rows, views };
}

/** Emojis offered in the quick reaction bar. */
export const QUICK_REACTIONS = ['👍', '❤️', '😂', '🎉', '😮', '😢'] as const;
