/**
 * Timelines of all conversations touched since the page loaded. History is
 * fetched lazily: the newest page when a chat opens, older pages when the user
 * scrolls to the top. Live and catch-up messages from the SDK are merged in
 * whether or not the chat is open, so reopening it shows them at once.
 */
import type { HistoryResult, Message } from '@xinbox/protocol';
import { Store } from './store.js';
import {
  HISTORY_PAGE,
  emptyTimeline,
  oldestSeq,
  withDelivered, withHidden,
  withHistoryPage,
  withPending,
  withPendingFailed,
  type PendingMessage,
  type Timeline,
} from './timeline.js';

/** Older messages shown above a jumped-to message. */
const CONTEXT_BEFORE = 5;
/** The server's largest history page (limits.maxPageSize). */
const MAX_PAGE = 100;
/** A jump loads at most this many messages back from the newest (40 pages of 100). */
export const JUMP_LIMIT = 4000;

export type FetchHistory = (conversationId: string, beforeSeq: number, limit: number) => Promise<HistoryResult>;

export class MessagesStore {
  readonly timelines = new Store<ReadonlyMap<string, Timeline>>(new Map());

  constructor(private readonly fetchHistory: FetchHistory) {}

  get(conversationId: string): Timeline {
    return this.timelines.value.get(conversationId) ?? emptyTimeline();
  }

  /** Fetches the newest page unless it was fetched since the page loaded. */
  async ensureLoaded(conversationId: string): Promise<void> {
    const t = this.get(conversationId);
    if (t.loaded || t.loading) return;
    await this.fetchPage(conversationId, 0, true);
  }

  /** Fetches the page before the oldest message held. */
  async loadOlder(conversationId: string): Promise<void> {
    const t = this.get(conversationId);
    if (t.loading || !t.hasMore) return;
    if (!t.loaded) return this.ensureLoaded(conversationId);
    await this.fetchPage(conversationId, oldestSeq(t), false);
  }

  /**
   * Loads history back to `seq` plus CONTEXT_BEFORE older messages (the
   * surrounding history of a search hit), in pages of at most MAX_PAGE, so
   * the timeline stays one gap-free range from there to the newest message.
   * Resolves true when `seq` is held; false when it is older than
   * JUMP_LIMIT messages back (the caller says so) or could not be loaded.
   */
  async loadAround(conversationId: string, seq: number): Promise<boolean> {
    await this.ensureLoaded(conversationId);
    const start = this.get(conversationId);
    const newest = start.messages[start.messages.length - 1]?.seq ?? 0;
    if (newest - seq > JUMP_LIMIT) return false;
    for (let round = 0; round < JUMP_LIMIT / HISTORY_PAGE; round++) {
      const t = this.get(conversationId);
      const oldest = oldestSeq(t);
      if (t.error) return false;
      if (oldest !== 0 && (oldest <= Math.max(1, seq - CONTEXT_BEFORE) || !t.hasMore)) return t.messages.some((m) => m.seq === seq);
      if (t.loading) {
        await new Promise((r) => setTimeout(r, 50)); // a page another caller asked for is on its way
        continue;
      }
      await this.fetchPage(conversationId, oldest, false, Math.min(MAX_PAGE, Math.max(HISTORY_PAGE, oldest - seq + CONTEXT_BEFORE)));
    }
    return this.get(conversationId).messages.some((m) => m.seq === seq);
  }

  deliver(m: Message): void {
    this.change(m.conversationId, (t) => withDelivered(t, m));
  }

  /** Messages this user deleted for themselves (the 'messagesHidden' event). */
  hide(conversationId: string, seqs: readonly number[]): void {
    this.change(conversationId, (t) => withHidden(t, seqs));
  }

  addPending(conversationId: string, p: PendingMessage): void {
    this.change(conversationId, (t) => withPending(t, p));
  }

  failPending(conversationId: string, clientMsgId: string, error: string): void {
    this.change(conversationId, (t) => withPendingFailed(t, clientMsgId, error));
  }

  /** Drops everything (logout, or the SDK's local state was reset by a resync). */
  clear(): void {
    this.timelines.set(new Map());
  }

  private async fetchPage(conversationId: string, beforeSeq: number, firstPage: boolean, limit = HISTORY_PAGE): Promise<void> {
    this.change(conversationId, (t) => ({ ...t, loading: true, error: undefined }));
    try {
      const page = await this.fetchHistory(conversationId, beforeSeq, limit);
      this.change(conversationId, (t) => withHistoryPage(t, page.messages, page.hasMore, firstPage));
    } catch (err) {
      this.change(conversationId, (t) => ({ ...t, loading: false, error: (err as Error).message || 'could not load messages' }));
    }
  }

  private change(conversationId: string, fn: (t: Timeline) => Timeline): void {
    const cur = this.get(conversationId);
    const next = fn(cur);
    if (next === cur && this.timelines.value.has(conversationId)) return;
    const map = new Map(this.timelines.value);
    map.set(conversationId, next);
    this.timelines.set(map);
  }
}
