/**
 * The receive path: turns pushes, sync pages and gap-fill pulls into one
 * stream of messages per conversation, in seq order, each exactly once.
 *
 * - Dedupe: a bounded LRU of delivered message ids, plus the per-conversation
 *   delivered seq (anything at or below it is old).
 * - Reorder and gaps: ReorderBuffer holds messages that arrive ahead of the
 *   next seq; after a short grace period (the missing one is usually in
 *   flight) the engine pulls the missing range with PullRange.
 * - Cursor: the user's sync timeline position; on every (re)connect the
 *   engine pages Sync from it. The persisted cursor never passes a message
 *   that is still held back, so a crash cannot lose it.
 */
import { Limits, XinboxError, type ConversationList, type ConversationSummary, type HistoryResult, type Message, type Push, type SyncResult } from '@xinbox/protocol';
import { PushAckBatcher, type PushAckPayload } from './ack-batcher.js';
import type { SyncState } from './cursor-store.js';
import { LruSet } from './lru.js';
import { ReorderBuffer } from './reorder-buffer.js';

/** The requests the engine needs from the current connection. */
export interface SyncRpc {
  sync(cursor: number, limit: number): Promise<SyncResult>;
  pullRange(conversationId: string, fromSeq: number, toSeq: number): Promise<HistoryResult>;
  listConversations(limit: number): Promise<ConversationList>;
  ackPush(ack: PushAckPayload): void;
}

export interface SyncEngineHooks {
  /**
   * A message in its conversation's seq order, exactly once. Hidden
   * placeholders come through too (they occupy a seq); the caller decides
   * whether to show them.
   */
  deliver(message: Message): void;
  /** Summaries learned while syncing (read fan-out conversations, resync). */
  summaries(list: readonly ConversationSummary[]): void;
  /** The cursor fell out of the retained timeline; local state was dropped. */
  resync(): void;
  /** The catch-up sync of the current connection finished; pushes now advance the cursor. */
  synced(cursor: number): void;
  /** Something worth persisting changed. */
  changed(): void;
  error(err: unknown): void;
}

export interface SyncEngineOptions {
  readonly syncPageLimit?: number;
  /** Grace period before pulling a gap (the missing push is often just late). */
  readonly gapFillDelayMs?: number;
  readonly dedupeCapacity?: number;
  /** Recent messages delivered per conversation when catching up without local state. */
  readonly catchUpLimit?: number;
  readonly maxHeldPerConversation?: number;
  /** Delay before retrying a failed sync on a live connection. */
  readonly syncRetryMs?: number;
}

interface Incoming {
  readonly seq: number;
  readonly message: Message;
  /** Timeline position (0 for pulled or read fan-out messages). */
  readonly syncSeq: number;
}

export class SyncEngine {
  private readonly reorder: ReorderBuffer<Incoming>;
  private readonly seen: LruSet<string>;
  private readonly acks: PushAckBatcher;
  private readonly opts: Required<SyncEngineOptions>;
  private cursor = 0;
  private rpc: SyncRpc | undefined;
  /** Bumped on every attach/detach so stale async work can tell it is stale. */
  private generation = 0;
  /** False while the connection's initial sync runs. */
  private live = false;
  /** Highest timeline push seen while not live; folded into the cursor afterwards. */
  private pendingPushMax = 0;
  /**
   * Pushes and own messages for conversations without a local position that
   * arrive during the initial sync. Accepting one would fix the position at
   * its seq and make the sync's older entries look like duplicates, so they
   * wait until the sync has established the position.
   */
  private deferred: Array<{ message: Message; syncSeq: number }> = [];
  private readonly gapTimers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly filling = new Set<string>();
  private retryTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly hooks: SyncEngineHooks, options: SyncEngineOptions = {}) {
    this.opts = {
      syncPageLimit: options.syncPageLimit ?? 200,
      gapFillDelayMs: options.gapFillDelayMs ?? 200,
      dedupeCapacity: options.dedupeCapacity ?? 5000,
      catchUpLimit: options.catchUpLimit ?? Limits.maxPageSize,
      maxHeldPerConversation: options.maxHeldPerConversation ?? 1000,
      syncRetryMs: options.syncRetryMs ?? 1000,
    };
    this.reorder = new ReorderBuffer(this.opts.maxHeldPerConversation);
    this.seen = new LruSet(this.opts.dedupeCapacity);
    this.acks = new PushAckBatcher((ack) => this.rpc?.ackPush(ack));
  }

  /** Restores persisted state (before the first attach). */
  load(state: SyncState): void {
    this.cursor = state.syncCursor;
    for (const [id, seq] of Object.entries(state.conversations)) this.reorder.setPosition(id, seq);
  }

  /** The state to persist. The cursor stays below any message still held back. */
  snapshot(): Omit<SyncState, 'rooms'> {
    let cursor = this.cursor;
    for (const item of this.reorder.heldItems()) if (item.syncSeq > 0) cursor = Math.min(cursor, item.syncSeq - 1);
    return { syncCursor: cursor, conversations: this.reorder.positions() };
  }

  get syncCursor(): number {
    return this.cursor;
  }

  /** Whether the initial sync of the current connection has finished. */
  get isLive(): boolean {
    return this.live;
  }

  /** Delivered seq of a conversation, if known. */
  position(conversationId: string): number | undefined {
    return this.reorder.position(conversationId);
  }

  /**
   * A connection is authenticated: page Sync from the cursor, catch up read
   * fan-out conversations, then pull any gaps. Resolves when caught up (or
   * when the connection went away meanwhile).
   */
  async attach(rpc: SyncRpc): Promise<void> {
    this.clearTimers();
    this.rpc = rpc;
    const gen = ++this.generation;
    this.live = false;
    this.acks.reset();
    try {
      let cursor = this.cursor;
      for (;;) {
        const page = await rpc.sync(cursor, this.opts.syncPageLimit);
        if (gen !== this.generation) return;
        if (page.resyncRequired) {
          await this.resync(rpc, gen);
          if (gen !== this.generation) return;
          cursor = page.nextCursor;
        }
        for (const e of page.entries) {
          if (e.message) this.accept(e.message, e.syncSeq);
          if (e.syncSeq > cursor) cursor = e.syncSeq;
        }
        if (page.largeConversations.length > 0) {
          this.hooks.summaries(page.largeConversations);
          await this.catchUp(page.largeConversations, gen);
          if (gen !== this.generation) return;
        }
        if (page.nextCursor > cursor) cursor = page.nextCursor;
        this.cursor = cursor;
        this.hooks.changed();
        if (!page.hasMore) break;
      }
      this.live = true;
      const deferred = this.deferred;
      this.deferred = [];
      for (const d of deferred) this.accept(d.message, d.syncSeq);
      if (this.pendingPushMax > this.cursor) this.cursor = this.pendingPushMax;
      this.pendingPushMax = 0;
      if (this.cursor > 0) this.acks.ackSyncSeq(this.cursor);
      this.hooks.changed();
      this.hooks.synced(this.cursor);
      await Promise.all(this.reorder.gaps().map((g) => this.fill(g.conversationId)));
    } catch (err) {
      if (gen !== this.generation) return;
      this.hooks.error(err);
      // Still connected: the failure was the server's; try again shortly.
      // (RATE_LIMITED says how long to wait; the cursor reached so far is kept.)
      const told = err instanceof XinboxError ? err.retryAfterMs : 0;
      this.retryTimer = setTimeout(() => {
        this.retryTimer = undefined;
        if (gen === this.generation && this.rpc) void this.attach(this.rpc);
      }, Math.max(this.opts.syncRetryMs, told));
    }
  }

  /** The connection is gone. In-flight sync and pulls become stale. */
  detach(): void {
    this.generation++;
    this.rpc = undefined;
    this.live = false;
    this.deferred = [];
    this.clearTimers();
    this.filling.clear();
    this.acks.reset();
  }

  /** A server push (id 0). */
  onPush(push: Push): void {
    const m = push.message;
    if (!m) return;
    if (push.syncSeq > 0) {
      this.acks.ackSyncSeq(push.syncSeq);
      if (!this.live) this.pendingPushMax = Math.max(this.pendingPushMax, push.syncSeq);
      else if (push.syncSeq > this.cursor) this.cursor = push.syncSeq;
    } else {
      this.acks.ackMessageId(m.id);
    }
    this.acceptLive(m, push.syncSeq);
  }

  /** A message this client sent, rebuilt from its SendAck. */
  onOwnMessage(m: Message): void {
    this.acceptLive(m, 0);
  }

  private acceptLive(m: Message, syncSeq: number): void {
    if (!this.live && this.reorder.position(m.conversationId) === undefined) {
      this.deferred.push({ message: m, syncSeq });
      return;
    }
    this.accept(m, syncSeq);
  }

  /**
   * Read fan-out conversations: the server reports their last seq instead of
   * writing timeline entries. Pull whatever is past the local position.
   */
  async catchUp(summaries: readonly ConversationSummary[], gen = this.generation): Promise<void> {
    const work: Promise<void>[] = [];
    for (const s of summaries) {
      const id = s.conversationId;
      if (this.reorder.position(id) === undefined) {
        // No local state: deliver only the recent unread tail.
        this.reorder.setPosition(id, Math.max(0, s.lastSeq - Math.min(s.unread, this.opts.catchUpLimit)));
      }
      this.reorder.expect(id, s.lastSeq);
      if (this.reorder.gap(id)) work.push(this.fill(id, gen));
    }
    await Promise.all(work);
  }

  /** Forget everything (logout, or another user on this client). */
  reset(): void {
    this.detach();
    this.reorder.clear();
    this.seen.clear();
    this.cursor = 0;
    this.pendingPushMax = 0;
  }

  private accept(m: Message, syncSeq: number): void {
    if (m.id !== '0' && m.id !== '' && this.seen.has(m.id)) return;
    const id = m.conversationId;
    const res = this.reorder.offer(id, { seq: m.seq, message: m, syncSeq });
    if (res.duplicate) return;
    this.deliverAll(res.deliver);
    if (this.reorder.gap(id)) this.scheduleFill(id);
    else this.cancelFill(id);
  }

  private deliverAll(items: readonly Incoming[]): void {
    for (const item of items) {
      const m = item.message;
      if (m.id !== '0' && m.id !== '') this.seen.add(m.id);
      this.hooks.deliver(m);
    }
    if (items.length > 0) this.hooks.changed();
  }

  private scheduleFill(conversationId: string): void {
    // During the initial sync the gap is usually filled by a later page.
    if (!this.live || !this.rpc) return;
    if (this.gapTimers.has(conversationId) || this.filling.has(conversationId)) return;
    this.gapTimers.set(
      conversationId,
      setTimeout(() => {
        this.gapTimers.delete(conversationId);
        void this.fill(conversationId);
      }, this.opts.gapFillDelayMs),
    );
  }

  private cancelFill(conversationId: string): void {
    const t = this.gapTimers.get(conversationId);
    if (t) clearTimeout(t);
    this.gapTimers.delete(conversationId);
  }

  /** Pulls the conversation's gaps page by page until none is left. */
  private async fill(conversationId: string, gen = this.generation): Promise<void> {
    const rpc = this.rpc;
    if (!rpc || gen !== this.generation || this.filling.has(conversationId)) return;
    this.cancelFill(conversationId);
    this.filling.add(conversationId);
    try {
      for (let g = this.reorder.gap(conversationId); g; g = this.reorder.gap(conversationId)) {
        const to = Math.min(g.toSeq, g.fromSeq + Limits.maxPageSize - 1);
        const res = await rpc.pullRange(conversationId, g.fromSeq, to);
        if (gen !== this.generation) return;
        let covered = to;
        for (const m of res.messages) this.accept(m, 0);
        const last = res.messages[res.messages.length - 1];
        if (res.hasMore && last && last.seq >= g.fromSeq) covered = Math.min(to, last.seq);
        // Seqs the server did not return up to `covered` do not exist for
        // this reader; stop waiting for them.
        this.deliverAll(this.reorder.release(conversationId, covered));
      }
    } catch (err) {
      if (gen === this.generation) this.hooks.error(err);
    } finally {
      if (gen === this.generation) this.filling.delete(conversationId);
    }
  }

  private async resync(rpc: SyncRpc, gen: number): Promise<void> {
    this.reorder.clear();
    this.hooks.resync();
    const list = await rpc.listConversations(Limits.maxPageSize);
    if (gen !== this.generation) return;
    this.hooks.summaries(list.conversations);
    await this.catchUp(list.conversations, gen);
  }

  private clearTimers(): void {
    for (const t of this.gapTimers.values()) clearTimeout(t);
    this.gapTimers.clear();
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
  }
}
