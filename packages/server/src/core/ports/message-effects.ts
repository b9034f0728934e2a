import { ContentSchema, RecalledSchema, contentSearchText, create, fromBinary, toBinary, type Content } from '@xinbox/protocol';

/**
 * What a stored message does to its conversation besides being a message,
 * derived from its content bytes. Every MessageStore applies it inside the
 * append transaction, so no adapter, codec or worker message needs a field
 * of its own and the effect commits with the event or not at all.
 *
 * Message operations (Recall, Edit, Reaction, PinChange; Content fields 8-11)
 * are "silent": they take a seq like any message but never count as unread.
 * A Recall also replaces the stored content of its target (and of the
 * target's edits) with a Recalled placeholder and removes the target from
 * the search index; an Edit replaces the target's indexed text.
 *
 * The server re-encodes operation content canonically (MessageOperations), so
 * an operation always starts with its own tag; ordinary content is the
 * client's bytes and is decoded here only when its first byte looks like an
 * operation tag.
 */
export type OperationKind = 'recall' | 'edit' | 'reaction' | 'pin';

export interface MessageEffect {
  readonly kind: OperationKind;
  readonly targetSeq: number;
  /**
   * An edit's new text: the stores replace the target's search-index row
   * with it in the append transaction (old text no longer found, new text
   * found on the target; the edit event itself is never indexed).
   */
  readonly text?: string;
  /** A pin change: pinned (true) or unpinned; the stores keep the conversation's pins table. */
  readonly pinned?: boolean;
}

/** First bytes of Content fields 8-11 (wire type 2). */
const OP_TAGS = new Set([0x42, 0x4a, 0x52, 0x5a]);

export function messageEffect(content: Uint8Array): MessageEffect | null {
  if (!OP_TAGS.has(content[0] ?? 0)) return null;
  let decoded: Content;
  try {
    decoded = fromBinary(ContentSchema, content);
  } catch {
    return null;
  }
  return operationOf(decoded);
}

export function operationOf(content: Content): MessageEffect | null {
  const k = content.kind;
  switch (k.case) {
    case 'edit':
      return { kind: 'edit', targetSeq: k.value.targetSeq, text: k.value.text.replaceAll('\0', '') };
    case 'recall':
    case 'reaction':
      return { kind: k.case, targetSeq: k.value.targetSeq };
    case 'pin':
      return { kind: 'pin', targetSeq: k.value.targetSeq, pinned: k.value.pinned };
    default:
      return null;
  }
}

/**
 * The content a recalled message keeps: who recalled it and when. `op` marks
 * a former edit of the recalled message (its text is gone too), which
 * clients show as nothing rather than as a second placeholder.
 */
export function recalledContent(by: number, at: number, op = false): Uint8Array {
  return toBinary(ContentSchema, create(ContentSchema, { kind: { case: 'recalled', value: create(RecalledSchema, { by: String(by), at, op }) } }));
}

/**
 * The text the search index holds for a stored message (SearchIndex.backfill):
 * its latest edit's text when it was edited (appending an edit re-indexes
 * the target), otherwise what the send pipeline indexes (contentSearchText,
 * NUL removed). Recalled messages (their edits are redacted too) and
 * operation events yield ''.
 */
export function indexedText(content: Uint8Array, latestEdit: Uint8Array | null): string {
  const edit = latestEdit ? messageEffect(latestEdit) : null;
  const raw = edit?.kind === 'edit' ? edit.text ?? '' : contentSearchText(content);
  return raw.includes('\0') ? raw.replaceAll('\0', '') : raw;
}
