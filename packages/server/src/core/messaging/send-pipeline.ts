import { ConversationKind, Errors, XinboxError, contentSearchText, encodeMessagePartsView, encodePushFrame, type MessageParts } from '@xinbox/protocol';
import type { MessageStore, AppendItem } from '../ports/message-store.js';
import { DuplicateClientMsgIdError, SeqConflictError } from '../ports/message-store.js';
import type { Outbox, UserPush } from '../ports/outbox.js';
import type { ConversationKind as Kind, MemberRecord, StoredMessage, UserId } from '../model.js';
import type { SendAdmission } from '../ports/send-admission.js';
import type { NewWebhookEvent } from '../ports/webhook-outbox.js';
import type { SnowflakeGenerator } from '../ids/snowflake.js';
import type { ConversationCache, ConversationState } from './conversation-cache.js';
import { FairQueue } from './fair-queue.js';
import { RecentSends } from './recent-sends.js';
import type { Caller, SendAckInfo, SendRequest } from './send-types.js';
import type { PermissionChecks } from '../social/permission-checks.js';

interface PendingSend {
  readonly caller: Caller;
  readonly req: SendRequest;
  /** Server-written notices skip membership and mute checks. */
  readonly system: boolean;
  readonly resolve: (ack: SendAckInfo) => void;
  readonly reject: (e: unknown) => void;
}

interface Prepared {
  readonly pending: PendingSend;
  readonly state: ConversationState;
  readonly item: AppendItem;
}

/** What the pipeline reports as it commits (metrics); optional, injected. */
export interface SendObserver {
  /** A batch of `sends` committed in one transaction taking `seconds`. */
  committed(sends: number, seconds: number): void;
  /** A committed message went to `recipients` timelines (write fan-out) or, with 'audience', to a read-fan-out audience. */
  fannedOut(mode: 'timeline' | 'audience', recipients: number): void;
}

export interface SendPipelineOptions {
  readonly maxBatch: number;
  /**
   * Group commit: consecutive batch commits start at least this many ms apart
   * (unless a full batch is waiting), so sends arriving meanwhile share one
   * transaction. Each commit rewrites the same hot b-tree pages (message and
   * timeline leaves, indexes), so fewer, larger commits cost far less storage
   * work per message; the price is at most this much added latency. 0 = commit
   * as soon as the previous commit ends.
   */
  readonly commitIntervalMs?: number;
  /** Sends waiting beyond this are refused with UNAVAILABLE (retryable) instead of queueing without bound, from users above their fair share only. */
  readonly maxQueued?: number;
  /** Sends of one user waiting; beyond it that user's sends get RATE_LIMITED. */
  readonly maxQueuedPerUser?: number;
  /** Timeline entries kept per user; older ones are trimmed as the head moves. */
  readonly timelineRetention?: number;
  readonly clock?: () => number;
  /** Checked before a client send may join a batch (the before-send webhook); system sends skip it. */
  readonly admission?: SendAdmission;
  /** Relationship checks for direct chats (blocks, "messages from friends only"). */
  readonly relations?: PermissionChecks;
  /** Account-wide restrictions (a moderator's mute or ban), for every conversation kind; synchronous when cached. */
  readonly senderCheck?: (userId: UserId) => void | Promise<void>;
  readonly observer?: SendObserver;
  /** Recent sends remembered by (sender, clientMsgId), so a resend costs one store read (dedupeCacheSize); RecentSends' default when absent. */
  readonly dedupeCacheSize?: number;
  /** The recent-sends filter itself; built from dedupeCacheSize when absent (tests inject one that always says "maybe"). */
  readonly recentSends?: RecentSends;
  /**
   * Builds a message's after-send webhook events, which commit in the
   * message's own transaction (AppendItem.webhookEvents): a crash can never
   * keep the message and lose them. Returns undefined at once when no webhook
   * wants them (then nothing is built on the send path), else a promise that
   * never rejects (the message's seq is already taken when it is asked).
   */
  readonly afterSendEvents?: (message: StoredMessage, kind: Kind, system: boolean) => Promise<readonly NewWebhookEvent[] | undefined> | undefined;
  /** Told about every committed message, after its ack, with the users it was written to (empty for read fan-out): webhooks, push. Must not throw or block. */
  readonly committed?: (message: StoredMessage, kind: Kind, system: boolean, recipients: readonly UserId[]) => void;
}

/**
 * The conversation owner's write path. Sends queue up while the previous
 * batch commits, then commit together in one storage transaction (group
 * commit), so throughput grows with load instead of paying one fsync each.
 *
 * Order: one batch is in flight at a time and sends keep arrival order, so
 * messages from one device get seqs in the order sent. Seqs come from the
 * in-memory state; the store's (conversation, seq) uniqueness fences a stale
 * owner, whose batch fails and whose cache is then reloaded.
 */
export class SendPipeline {
  /** Waiting sends, per user, served round-robin (one user's flood never refuses another's send). */
  private readonly queue: FairQueue<PendingSend>;
  /** How long the last batch took to commit (for retryAfterMs). */
  private lastBatchMs = 0;
  /** performance.now() when the last batch commit began (group-commit pacing). */
  private lastCommitStart = 0;
  private draining = false;
  private readonly recent: RecentSends;
  private readonly clock: () => number;
  /** Per sender and conversation: the admission of the previous send, so admitted sends keep their order. */
  private readonly admitTails = new Map<string, Promise<void>>();
  private admitting = 0;

  constructor(
    private readonly messages: MessageStore,
    private readonly conversations: ConversationCache,
    private readonly outbox: Outbox,
    private readonly ids: SnowflakeGenerator,
    private readonly opts: SendPipelineOptions,
  ) {
    this.clock = opts.clock ?? Date.now;
    this.queue = new FairQueue(opts.maxQueuedPerUser ?? Number.MAX_SAFE_INTEGER);
    this.recent = opts.recentSends ?? new RecentSends(opts.dedupeCacheSize);
  }

  submit(caller: Caller, req: SendRequest, system = false): Promise<SendAckInfo> {
    if (this.recent.mayHave(caller.userId, req.clientMsgId)) return this.resend(caller, req, system);
    return this.submitNew(caller, req, system);
  }

  /** A send the filter may have seen: the store's (sender, clientMsgId) lookup decides (a filter hit is not proof). */
  private async resend(caller: Caller, req: SendRequest, system: boolean): Promise<SendAckInfo> {
    const existing = await this.messages.findByClientMsgId(caller.userId, req.clientMsgId);
    if (existing) return ackOf(existing, true);
    return this.submitNew(caller, req, system);
  }

  private submitNew(caller: Caller, req: SendRequest, system: boolean): Promise<SendAckInfo> {
    const max = this.opts.maxQueued ?? this.opts.maxBatch * 100;
    if (this.queue.size + this.admitting >= max) {
      // Overloaded: only users holding more than an equal share of the queue are refused.
      const share = Math.ceil(max / Math.max(1, this.queue.keys));
      if (this.queue.sizeOf(caller.userId) >= share) return Promise.reject(new XinboxError(Errors.UNAVAILABLE, 'too many sends waiting; retry shortly', this.retryAfterMs()));
    }
    const admission = this.opts.admission;
    if (admission && !system && admission.enabled !== false) return this.admitThenEnqueue(admission, caller, req);
    return this.enqueue(caller, req, system);
  }

  /**
   * The check runs at once and concurrently with other sends' checks, so a
   * slow answer delays only its own send; the enqueue waits for the same
   * sender's previous send in this conversation, so their seqs keep send order.
   */
  private admitThenEnqueue(admission: SendAdmission, caller: Caller, req: SendRequest): Promise<SendAckInfo> {
    this.admitting++;
    const checked = admission.admit(caller, req);
    // Handled below, possibly after it settles: no unhandled-rejection report meanwhile.
    checked.catch(noop);
    const key = `${caller.userId}:${req.conversationId}`;
    const previous = this.admitTails.get(key) ?? Promise.resolve();
    let acked: Promise<SendAckInfo> | undefined;
    const queued = previous.then(() => checked).finally(() => this.admitting--).then((admitted) => {
      acked = this.enqueue(caller, admitted, false);
    });
    const result = queued.then(() => acked!);
    // The next send waits for this one to be queued (or refused), not committed.
    const tail = queued.then(noop, noop);
    this.admitTails.set(key, tail);
    void tail.then(() => {
      if (this.admitTails.get(key) === tail) this.admitTails.delete(key);
    });
    return result;
  }

  /** A wait to suggest to refused senders: a couple of batch commits. */
  private retryAfterMs(): number {
    return Math.max(50, Math.ceil(this.lastBatchMs * 2));
  }

  private enqueue(caller: Caller, req: SendRequest, system: boolean): Promise<SendAckInfo> {
    return new Promise((resolve, reject) => {
      if (!this.queue.push(caller.userId, { caller, req, system, resolve, reject })) {
        reject(new XinboxError(Errors.RATE_LIMITED, 'too many of your sends are waiting; retry shortly', this.retryAfterMs()));
        return;
      }
      if (!this.draining) {
        this.draining = true;
        setImmediate(() => void this.drain());
      }
    });
  }

  /** Sends waiting for the next batch (for metrics). */
  get queued(): number {
    return this.queue.size;
  }

  private async drain(): Promise<void> {
    const interval = this.opts.commitIntervalMs ?? 0;
    try {
      while (this.queue.size > 0) {
        const wait = this.lastCommitStart + interval - performance.now();
        if (wait >= 1 && this.queue.size < this.opts.maxBatch) await new Promise((r) => setTimeout(r, wait));
        this.lastCommitStart = performance.now();
        const batch = this.queue.take(this.opts.maxBatch);
        const started = this.clock();
        await this.commitBatch(batch);
        this.lastBatchMs = this.clock() - started;
      }
    } finally {
      this.draining = false;
      if (this.queue.size > 0) {
        this.draining = true;
        setImmediate(() => void this.drain());
      }
    }
  }

  private async commitBatch(batch: PendingSend[]): Promise<void> {
    const prepared = await this.prepare(batch);
    if (prepared.length === 0) return;
    try {
      const started = performance.now();
      const results = await this.messages.append(prepared.map((p) => p.item));
      this.opts.observer?.committed(prepared.length, (performance.now() - started) / 1e3);
      this.finish(prepared, results.map((r) => r.syncSeqs));
    } catch (e) {
      this.rollback(prepared);
      if (e instanceof DuplicateClientMsgIdError || e instanceof SeqConflictError) {
        // Rare: a resend the cache did not know, or another writer took a seq.
        // Commit one by one so only the offending send is affected.
        for (const p of prepared) await this.commitOne(p.pending);
      } else {
        for (const p of prepared) p.pending.reject(e);
      }
    }
  }

  private async commitOne(pending: PendingSend): Promise<void> {
    const existing = await this.messages.findByClientMsgId(pending.caller.userId, pending.req.clientMsgId);
    if (existing) {
      pending.resolve(this.remember(existing, true, pending.caller.userId));
      return;
    }
    const [p] = await this.prepare([pending]);
    if (!p) return;
    try {
      const [result] = await this.messages.append([p.item]);
      this.finish([p], [result!.syncSeqs]);
    } catch (e) {
      this.rollback([p]);
      if (e instanceof SeqConflictError) {
        // Someone else owns this conversation now; the client retries (same client id, no duplicate).
        this.conversations.invalidate(p.state.record.id);
        pending.reject(new XinboxError(Errors.UNAVAILABLE, 'conversation owner changed; retry'));
      } else if (e instanceof DuplicateClientMsgIdError) {
        const again = await this.messages.findByClientMsgId(pending.caller.userId, pending.req.clientMsgId);
        if (again) pending.resolve(this.remember(again, true, pending.caller.userId));
        else pending.reject(e);
      } else {
        pending.reject(e);
      }
    }
  }

  /** Check permissions, dedupe within the batch, assign seqs and ids. */
  private async prepare(batch: PendingSend[]): Promise<Prepared[]> {
    const out: Prepared[] = [];
    // The first prepared send per (sender, clientMsgId); later sends of the same pair (rare) wait in `twins`.
    const inBatch = new BatchSends();
    let twins: Map<PendingSend, PendingSend[]> | null = null;
    const now = this.clock();
    for (const pending of batch) {
      const { caller, req } = pending;
      const first = inBatch.get(caller.userId, req.clientMsgId);
      if (first !== undefined) {
        // Same client id twice in one batch: answer the second with the first's ack.
        twins ??= new Map();
        const list = twins.get(first);
        if (list) list.push(pending);
        else twins.set(first, [pending]);
        continue;
      }
      try {
        // Cached state and an authorization answered from caches stay synchronous (no promise per send).
        const state = this.conversations.cached(req.conversationId) ?? await this.conversations.get(req.conversationId);
        if (!state) throw new XinboxError(Errors.NOT_FOUND, 'conversation not found');
        if (!pending.system) {
          const loading = this.authorize(state, caller.userId, now, req.mentionAll);
          if (loading !== undefined) await loading;
        }
        const seq = ++state.lastSeq;
        const message: StoredMessage = {
          id: this.ids.next(),
          conversationId: req.conversationId,
          seq,
          senderId: caller.userId,
          clientMsgId: req.clientMsgId,
          serverTime: now,
          content: req.content,
          mentions: req.mentions,
          mentionAll: req.mentionAll,
          visibleTo: req.visibleTo,
        };
        const timelineUsers = state.memberIds === null ? [] : timelineAudience(state.memberIds, message);
        // The text for the full-text index, committed with the message (read off the bytes, no decode).
        const raw = contentSearchText(req.content);
        const searchText = raw.includes('\0') ? raw.replaceAll('\0', '') : raw;
        // Resolved only when some app wants them (the sender's app is looked up then); never rejects: the seq is taken.
        const built = this.opts.afterSendEvents?.(message, state.record.kind, pending.system);
        const webhookEvents = built === undefined ? undefined : await built;
        out.push({ pending, state, item: { message, timelineUsers, senderReadsOwn: !pending.system, searchText, webhookEvents } });
        inBatch.add(pending);
      } catch (e) {
        pending.reject(e);
      }
    }
    if (twins === null) return out;
    // Twins resolve with the first send's ack.
    for (const p of out) {
      const rest = twins.get(p.pending);
      if (rest) {
        const first = p.pending;
        (p as { pending: PendingSend }).pending = {
          ...first,
          resolve: (ack) => {
            first.resolve(ack);
            for (const t of rest) t.resolve({ ...ack, duplicate: true });
          },
          reject: (e) => {
            first.reject(e);
            for (const t of rest) t.reject(e);
          },
        };
      }
    }
    return out;
  }

  /**
   * The sender's checks, in this order: membership, @all, account restrictions,
   * then the group's rules or the direct peer's relation. Each step runs
   * synchronously when its lookup is cached (a refusal throws at once) and
   * continues after the load otherwise: one sequence of checks either way,
   * returning a promise only when something had to load.
   */
  private authorize(state: ConversationState, userId: UserId, now: number, mentionAll: boolean): void | Promise<void> {
    const member = this.conversations.cachedMember(state, userId);
    if (member === undefined) {
      return this.conversations.member(state, userId).then((m) => this.authorizeMember(state, userId, m, now, mentionAll));
    }
    return this.authorizeMember(state, userId, member, now, mentionAll);
  }

  private authorizeMember(state: ConversationState, userId: UserId, member: MemberRecord | null, now: number, mentionAll: boolean): void | Promise<void> {
    if (!member) throw new XinboxError(Errors.NOT_A_MEMBER);
    if (mentionAll && (state.record.kind !== 'group' || member.role === 'member')) {
      throw new XinboxError(Errors.MENTION_ALL_FORBIDDEN, 'only group owners and admins may mention @all');
    }
    const restriction = this.opts.senderCheck?.(userId);
    if (restriction !== undefined) return restriction.then(() => this.authorizeConversation(state, userId, member, now));
    return this.authorizeConversation(state, userId, member, now);
  }

  private authorizeConversation(state: ConversationState, userId: UserId, member: MemberRecord, now: number): void | Promise<void> {
    if (state.record.kind === 'group') {
      const group = state.group;
      if (group?.dissolved) throw new XinboxError(Errors.GROUP_DISSOLVED);
      if (member.mutedUntil > now) throw new XinboxError(Errors.MUTED, 'you are muted in this group');
      if (group?.mutedAll && member.role === 'member') throw new XinboxError(Errors.MUTED, 'the group is muted');
    } else if (this.opts.relations && state.memberIds) {
      // The conversation stays visible, but a block or the peer's privacy refuses the send.
      const peer = state.memberIds.find((u) => u !== userId);
      if (peer !== undefined) return this.opts.relations.checkMessageNow(userId, peer);
    }
  }

  private rollback(prepared: Prepared[]): void {
    // Seqs were taken from memory; the store refused them, so reload from the store.
    for (const p of prepared) this.conversations.invalidate(p.state.record.id);
  }

  private finish(prepared: Prepared[], syncSeqs: ReadonlyArray<readonly number[]>): void {
    const userPushes: UserPush[] = [];
    const outbox = this.outbox;
    for (let i = 0; i < prepared.length; i++) {
      const { pending, state, item } = prepared[i]!;
      const m = item.message;
      pending.resolve(this.remember(m, false, pending.caller.userId));
      this.opts.committed?.(m, state.record.kind, pending.system, item.timelineUsers);
      // A view into the encoder's buffer: each push frame below copies it before the next message is encoded.
      const messageBytes = encodeMessagePartsView(pushParts(m, state.record.kind));
      const seqs = syncSeqs[i]!;
      this.opts.observer?.fannedOut(item.timelineUsers.length > 0 ? 'timeline' : 'audience', item.timelineUsers.length);
      if (item.timelineUsers.length > 0) {
        for (let u = 0; u < item.timelineUsers.length; u++) {
          const userId = item.timelineUsers[u]!;
          this.maybeTrim(userId, seqs[u]!);
          const exceptDeviceId = userId === pending.caller.userId ? pending.caller.deviceId : undefined;
          // No frame for a user no connection would take it to (the sender without another device, the offline).
          if (outbox.reaches !== undefined && !outbox.reaches(userId, exceptDeviceId)) continue;
          userPushes.push({ userId, frame: encodePushFrame(messageBytes, seqs[u]!), syncSeq: seqs[u]!, exceptDeviceId });
        }
      } else {
        this.outbox.toAudience(m.conversationId, encodePushFrame(messageBytes, 0), m.id, { userId: pending.caller.userId, deviceId: pending.caller.deviceId });
      }
    }
    if (userPushes.length > 0) this.outbox.toUsers(userPushes);
  }

  /** Every 1024 entries, drop what is older than the retention window (those cursors resync). */
  private maybeTrim(userId: UserId, syncSeq: number): void {
    const keep = this.opts.timelineRetention;
    if (!keep || syncSeq % 1024 !== 0 || syncSeq <= keep) return;
    this.messages.trimTimeline(userId, syncSeq - keep).catch(() => undefined);
  }

  private remember(m: StoredMessage, duplicate: boolean, senderId: UserId): SendAckInfo {
    this.recent.add(senderId, m.clientMsgId);
    return ackOf(m, duplicate);
  }
}

function ackOf(m: StoredMessage, duplicate: boolean): SendAckInfo {
  return { messageId: m.id, conversationId: m.conversationId, seq: m.seq, serverTime: m.serverTime, clientMsgId: m.clientMsgId, duplicate };
}

function noop(): void {}

/**
 * The sends of one batch by (sender, clientMsgId), without building a key
 * string per send: by client id, then, only when two senders in the batch
 * use the same client id (rare), by sender too.
 */
class BatchSends {
  private readonly byClientId = new Map<string, PendingSend>();
  private others: Map<string, PendingSend> | null = null;

  get(senderId: UserId, clientMsgId: string): PendingSend | undefined {
    const first = this.byClientId.get(clientMsgId);
    if (first === undefined || first.caller.userId === senderId) return first;
    return this.others?.get(`${senderId}:${clientMsgId}`);
  }

  add(pending: PendingSend): void {
    const clientMsgId = pending.req.clientMsgId;
    const first = this.byClientId.get(clientMsgId);
    if (first === undefined) this.byClientId.set(clientMsgId, pending);
    else if (first.caller.userId !== pending.caller.userId) (this.others ??= new Map()).set(`${pending.caller.userId}:${clientMsgId}`, pending);
  }
}

/**
 * The wire parts of a committed message, field by field. Not `{ ...m, hidden, conversationKind }`:
 * under W1 load that spread showed up as ~750-860 bytes per send allocated in V8's old space
 * (scripts/alloc-profile.mjs --promoted, docs/benchmarks.md "Old-space promotion"); this literal of one
 * fixed shape dies young like the rest of the send.
 */
function pushParts(m: StoredMessage, kind: Kind): MessageParts {
  return {
    id: m.id,
    conversationId: m.conversationId,
    seq: m.seq,
    senderId: m.senderId,
    clientMsgId: m.clientMsgId,
    serverTime: m.serverTime,
    content: m.content,
    mentions: m.mentions,
    mentionAll: m.mentionAll,
    visibleTo: m.visibleTo,
    hidden: false,
    conversationKind: kind === 'direct' ? ConversationKind.DIRECT : ConversationKind.GROUP,
  };
}

function timelineAudience(memberIds: readonly UserId[], m: StoredMessage): UserId[] {
  if (m.visibleTo.length === 0) return memberIds as UserId[];
  return memberIds.filter((u) => u === m.senderId || m.visibleTo.includes(u));
}
