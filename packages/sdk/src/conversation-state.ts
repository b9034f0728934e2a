/**
 * The local conversation list with unread counts. Unread follows the server's
 * definition (lastSeq - readSeq, less message operations), so a count computed here and one read from
 * ListConversations agree; the total is always the sum over conversations.
 * Read positions only move forward: reads from several devices may arrive in
 * any order.
 */
import { clone, ConversationKind, ConversationSummarySchema, create, type ConversationSummary, type Message, type UnreadUpdate } from '@xinbox/protocol';
import { isSilent } from './message-ops.js';

/** uint64 ids arrive as strings; "0" means unset. */
function known(id: string): boolean {
  return id !== '' && id !== '0';
}

interface MentionTrack {
  /** Mentions counted by the server up to `upToSeq` (its lastSeq then). */
  serverCount: number;
  upToSeq: number;
  /** Seqs of mentions that arrived locally after that snapshot. */
  local: number[];
}

/**
 * Message operations (recall, edit, reaction, pin) take seqs but are never
 * unread: those the server counted above the read position in its last
 * summary, and those delivered since.
 */
interface SilentTrack {
  serverCount: number;
  upToSeq: number;
  local: number[];
}

export class ConversationState {
  private readonly byId = new Map<string, ConversationSummary>();
  private readonly mentions = new Map<string, MentionTrack>();
  private readonly silent = new Map<string, SilentTrack>();
  private total = 0;

  constructor(private selfId = '') {}

  setSelf(userId: string): void {
    this.selfId = userId;
  }

  get(conversationId: string): ConversationSummary | undefined {
    const s = this.byId.get(conversationId);
    return s ? clone(ConversationSummarySchema, s) : undefined;
  }

  has(conversationId: string): boolean {
    return this.byId.has(conversationId);
  }

  /** All known conversations, most recently active first. */
  list(): ConversationSummary[] {
    return [...this.byId.values()]
      .sort((a, b) => b.updatedAt - a.updatedAt)
      .map((s) => clone(ConversationSummarySchema, s));
  }

  get totalUnread(): number {
    return this.total;
  }

  /** A summary from the server (list, open, sync). Returns whether anything changed. */
  applySummary(incoming: ConversationSummary): boolean {
    const id = incoming.conversationId;
    const cur = this.byId.get(id);
    const next = clone(ConversationSummarySchema, incoming);
    if (cur) {
      // Local knowledge may be ahead of the snapshot (pushes after it was built).
      next.lastSeq = Math.max(cur.lastSeq, next.lastSeq);
      next.readSeq = Math.max(cur.readSeq, next.readSeq);
      next.peerReadSeq = Math.max(cur.peerReadSeq, next.peerReadSeq);
      if (cur.lastMessage && (!next.lastMessage || cur.lastMessage.seq > next.lastMessage.seq)) next.lastMessage = cur.lastMessage;
      next.updatedAt = Math.max(cur.updatedAt, next.updatedAt);
    }
    const prevSilent = this.silent.get(id)?.local ?? [];
    this.silent.set(id, {
      serverCount: Math.max(0, incoming.lastSeq - incoming.readSeq - incoming.unread),
      upToSeq: incoming.lastSeq,
      local: prevSilent.filter((s) => s > incoming.lastSeq),
    });
    const prevLocal = this.mentions.get(id)?.local ?? [];
    this.mentions.set(id, {
      serverCount: incoming.mentions,
      upToSeq: incoming.lastSeq,
      local: prevLocal.filter((s) => s > incoming.lastSeq),
    });
    return this.store(id, next, cur);
  }

  /** A delivered message (pushed, synced, pulled, or sent by this client). */
  applyMessage(m: Message): boolean {
    const id = m.conversationId;
    const cur = this.byId.get(id);
    const next = cur
      ? clone(ConversationSummarySchema, cur)
      : create(ConversationSummarySchema, {
          conversationId: id,
          kind: m.conversationKind || ConversationKind.UNSPECIFIED,
          // Unknown until the next list refresh; assume this message is the first unread.
          readSeq: Math.max(0, m.seq - 1),
        });
    const silent = isSilent(m);
    if (silent) {
      const t = this.silentTrack(id);
      if (m.seq > t.upToSeq && !t.local.includes(m.seq)) t.local.push(m.seq);
    }
    if (m.seq >= next.lastSeq) {
      next.lastSeq = m.seq;
      // An operation is no preview of its own: the list keeps showing the last message.
      if (!m.hidden && !silent) next.lastMessage = m;
      if (m.serverTime > next.updatedAt) next.updatedAt = m.serverTime;
    }
    if (next.kind === ConversationKind.DIRECT && !known(next.peerId) && known(m.senderId) && m.senderId !== this.selfId) {
      next.peerId = m.senderId;
    }
    if (m.senderId === this.selfId) {
      // Sending implicitly reads the conversation up to one's own message.
      next.readSeq = Math.max(next.readSeq, m.seq);
    } else if (!m.hidden && (m.mentionAll || m.mentions.includes(this.selfId)) && m.seq > next.readSeq) {
      const t = this.mentionTrack(id);
      if (m.seq > t.upToSeq && !t.local.includes(m.seq)) t.local.push(m.seq);
    }
    return this.store(id, next, cur);
  }

  /** This user read up to `readSeq` (here or on another device). */
  applyOwnRead(conversationId: string, readSeq: number): boolean {
    const cur = this.byId.get(conversationId);
    if (!cur || readSeq <= cur.readSeq) return false;
    const next = clone(ConversationSummarySchema, cur);
    next.readSeq = readSeq;
    if (readSeq > next.lastSeq) next.lastSeq = readSeq;
    return this.store(conversationId, next, cur);
  }

  /** Another member's read position (a read receipt). */
  applyPeerRead(conversationId: string, userId: string, readSeq: number): boolean {
    const cur = this.byId.get(conversationId);
    if (!cur || readSeq <= cur.peerReadSeq) return false;
    if (cur.kind === ConversationKind.DIRECT && known(cur.peerId) && cur.peerId !== userId) return false;
    const next = clone(ConversationSummarySchema, cur);
    next.peerReadSeq = readSeq;
    return this.store(conversationId, next, cur);
  }

  /** A server-computed unread count: moves the read position, never back. */
  applyUnreadUpdate(u: UnreadUpdate): boolean {
    const cur = this.byId.get(u.conversationId);
    if (!cur) return false;
    const next = clone(ConversationSummarySchema, cur);
    next.readSeq = Math.max(cur.readSeq, cur.lastSeq - u.unread);
    this.mentions.set(u.conversationId, { serverCount: u.mentions, upToSeq: cur.lastSeq, local: [] });
    return this.store(u.conversationId, next, cur);
  }

  remove(conversationId: string): boolean {
    const cur = this.byId.get(conversationId);
    if (!cur) return false;
    this.total -= cur.unread;
    this.byId.delete(conversationId);
    this.mentions.delete(conversationId);
    this.silent.delete(conversationId);
    return true;
  }

  clear(): void {
    this.byId.clear();
    this.mentions.clear();
    this.silent.clear();
    this.total = 0;
  }

  private silentTrack(id: string): SilentTrack {
    let t = this.silent.get(id);
    if (!t) {
      t = { serverCount: 0, upToSeq: 0, local: [] };
      this.silent.set(id, t);
    }
    return t;
  }

  private mentionTrack(id: string): MentionTrack {
    let t = this.mentions.get(id);
    if (!t) {
      t = { serverCount: 0, upToSeq: 0, local: [] };
      this.mentions.set(id, t);
    }
    return t;
  }

  /** Recomputes derived fields, stores, and reports whether anything visible changed. */
  private store(id: string, next: ConversationSummary, cur: ConversationSummary | undefined): boolean {
    const st = this.silentTrack(id);
    st.local = st.local.filter((s) => s > next.readSeq);
    // Reads usually reach the end; a read stopping inside the server's snapshot keeps its count (may undercount until the next refresh).
    const silentAbove = (next.readSeq < st.upToSeq ? st.serverCount : 0) + st.local.length;
    next.unread = Math.max(0, next.lastSeq - next.readSeq - silentAbove);
    const t = this.mentionTrack(id);
    t.local = t.local.filter((s) => s > next.readSeq);
    next.mentions = (next.readSeq < t.upToSeq ? t.serverCount : 0) + t.local.length;
    if (next.unread === 0) next.mentions = 0;
    this.byId.set(id, next);
    this.total += next.unread - (cur?.unread ?? 0);
    if (!cur) return true;
    return (
      cur.unread !== next.unread ||
      cur.readSeq !== next.readSeq ||
      cur.lastSeq !== next.lastSeq ||
      cur.mentions !== next.mentions ||
      cur.peerReadSeq !== next.peerReadSeq ||
      cur.title !== next.title ||
      cur.lastMessage?.id !== next.lastMessage?.id
    );
  }
}
