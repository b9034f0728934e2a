import type Database from 'better-sqlite3';
import type { ConversationId, UserId } from '../../core/model.js';

/**
 * How long the storage thread may keep appended messages' summary effects in
 * memory (ADR 0016). Long enough that a busy conversation's row and a busy
 * member's row are written once per interval rather than once per batch; short
 * enough that an external reader of the file (sqlite3 CLI, a backup, a second
 * connection) sees summaries at most half a second behind, and that recovery
 * after kill -9 rescans at most half a second of messages.
 */
export const DEFAULT_SUMMARY_FLUSH_MS = 500;

/** Smallest signed 64-bit integer: the watermark of a database with no message. */
const NO_MESSAGE = -(1n << 63n);

/** Highest seq / newest message / latest time appended to one conversation. */
interface ConversationBump {
  readonly conversation: ConversationId;
  seq: number;
  id: bigint;
  time: number;
}

/**
 * The summary effects of some appended messages: per conversation the highest
 * seq (and its message id) and the latest server time; per (conversation,
 * sender) the highest own seq of sends that move the sender's read position.
 */
export class SummaryChanges {
  readonly bumps = new Map<ConversationId, ConversationBump>();
  /** Numeric keys: no key string per message. Null until a send reads its own message. */
  reads: Map<ConversationId, Map<UserId, number>> | null = null;
  /** Ids of messages whose sender does not read them (system sends). */
  systemIds: bigint[] | null = null;
  minId = 0n;
  maxId = 0n;

  get empty(): boolean {
    return this.bumps.size === 0;
  }

  add(conversation: ConversationId, seq: number, id: bigint, time: number, sender: UserId, senderReadsOwn: boolean): void {
    const bump = this.bumps.get(conversation);
    if (!bump) {
      if (this.bumps.size === 0) this.minId = this.maxId = id;
      this.bumps.set(conversation, { conversation, seq, id, time });
    } else {
      if (seq > bump.seq) {
        bump.seq = seq;
        bump.id = id;
      }
      if (time > bump.time) bump.time = time;
    }
    if (id < this.minId) this.minId = id;
    if (id > this.maxId) this.maxId = id;
    if (senderReadsOwn) this.addRead(conversation, sender, seq);
    else (this.systemIds ??= []).push(id);
  }

  /** Folds `other` in with the same MAX semantics the UPDATEs have; `other` is not used afterwards (its bumps are taken over). */
  merge(other: SummaryChanges): void {
    if (other.empty) return;
    if (this.empty) this.minId = this.maxId = other.minId;
    for (const b of other.bumps.values()) {
      const mine = this.bumps.get(b.conversation);
      if (!mine) this.bumps.set(b.conversation, b);
      else {
        if (b.seq > mine.seq) {
          mine.seq = b.seq;
          mine.id = b.id;
        }
        if (b.time > mine.time) mine.time = b.time;
      }
    }
    if (other.reads) {
      for (const [conversation, senders] of other.reads) {
        for (const [sender, seq] of senders) this.addRead(conversation, sender, seq);
      }
    }
    if (other.minId < this.minId) this.minId = other.minId;
    if (other.maxId > this.maxId) this.maxId = other.maxId;
  }

  clear(): void {
    this.bumps.clear();
    this.reads = null;
    this.systemIds = null;
  }

  private addRead(conversation: ConversationId, sender: UserId, seq: number): void {
    this.reads ??= new Map();
    let senders = this.reads.get(conversation);
    if (!senders) this.reads.set(conversation, (senders = new Map()));
    const had = senders.get(sender);
    if (had === undefined || seq > had) senders.set(sender, seq);
  }
}

/**
 * Writes conversation summaries (last_seq, last_message_id, updated_at, the
 * sender's read_seq) for appended messages — at once, in the append
 * transaction, or (write-behind, the storage thread) later: kept in memory
 * and written before anything else reads them (`flush`), at the latest
 * `flushMs` after the first pending change, and on close. A watermark row
 * written with them lets `recoverConversationSummaries` redo what a kill -9
 * lost. See ADR 0016.
 *
 * Stage/commit/drop mirror the append transaction: nothing in memory changes
 * until it has committed.
 */
export class ConversationSummaries {
  private readonly pending = new SummaryChanges();
  /**
   * Off for good once another connection has committed to the file (a second server, a tool): it may read
   * the summaries, and only this store's own dispatcher would write them first.
   */
  private writeBehind: boolean;
  /** Every message with id <= watermark has its summary written (durably, once the writing transaction committed). */
  private watermark: bigint;
  /** summary_system_sends holds rows to delete at the next write. */
  private systemRows = false;
  private staged: { batch: SummaryChanges; written: boolean; watermark: bigint } | null = null;
  private timer: NodeJS.Timeout | null = null;

  private readonly bumpStmt;
  private readonly readOwnStmt;
  private readonly saveWatermarkStmt;
  private readonly insertSystemStmt;
  private readonly clearSystemStmt;
  private readonly flushTx;

  /** @param flushMs write-behind interval; null writes every batch's summaries in its own transaction. */
  constructor(db: Database.Database, private readonly flushMs: number | null) {
    this.writeBehind = flushMs !== null;
    // SET expressions see the old row, so the CASE compares against the previous last_seq.
    // Positional parameters (seq, id, seq, time, conversation): binding by name costs a property lookup each.
    this.bumpStmt = db.prepare<[number, bigint, number, number, number]>(
      `UPDATE conversations SET
         last_message_id = CASE WHEN ? > last_seq THEN ? ELSE last_message_id END,
         last_seq = MAX(last_seq, ?),
         updated_at = MAX(updated_at, ?)
       WHERE id = ?`,
    );
    this.readOwnStmt = db.prepare<[number, number, number]>(
      'UPDATE members SET read_seq = MAX(read_seq, ?) WHERE conversation_id = ? AND user_id = ?',
    );
    this.saveWatermarkStmt = db.prepare<[bigint]>('UPDATE summary_watermark SET message_id = MAX(message_id, ?)');
    this.insertSystemStmt = db.prepare<[bigint]>('INSERT OR IGNORE INTO summary_system_sends (message_id) VALUES (?)');
    this.clearSystemStmt = db.prepare<[bigint]>('DELETE FROM summary_system_sends WHERE message_id <= ?');
    this.watermark = readWatermark(db);
    this.flushTx = db.transaction(() => this.writeAll(this.pending, null));
  }

  /**
   * In the append transaction, after the batch's rows: writes the pending
   * changes and the batch's, or (write-behind) records the batch's system
   * sends for recovery and keeps its changes for later. `foreignCommit`:
   * another connection committed since this one last looked; it may read
   * summaries, so they are written now and in every append from then on.
   */
  stage(batch: SummaryChanges, foreignCommit: boolean): void {
    if (foreignCommit) this.writeBehind = false;
    // A message below the watermark (ids are not strictly in append order) would be invisible to recovery: write it now.
    if (!this.writeBehind || batch.minId <= this.watermark) {
      this.staged = { batch, written: true, watermark: this.writeAll(this.pending, batch) };
      return;
    }
    if (batch.systemIds) for (const id of batch.systemIds) this.insertSystemStmt.run(id);
    this.staged = { batch, written: false, watermark: this.watermark };
  }

  /** The append transaction committed. */
  commit(): void {
    const staged = this.staged;
    if (!staged) return;
    this.staged = null;
    if (staged.written) {
      this.wrote(staged.watermark);
      return;
    }
    if (staged.batch.systemIds) this.systemRows = true;
    this.pending.merge(staged.batch);
    if (!this.timer && this.flushMs !== null) {
      this.timer = setTimeout(() => {
        this.timer = null;
        // A failed write (SQLITE_BUSY past busy_timeout) stays pending: the next read, append or close retries it.
        try { this.flush(); } catch { /* retried */ }
      }, this.flushMs);
      this.timer.unref();
    }
  }

  /** The append transaction rolled back. */
  drop(): void {
    this.staged = null;
  }

  /** Writes the pending summaries in a transaction of their own (no-op when none). */
  flush(): void {
    if (this.pending.empty && !this.systemRows) return;
    this.wrote(this.flushTx.immediate());
  }

  /** Writes what is pending and stops the timer. */
  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.flush();
  }

  /** Inside a transaction: runs the UPDATEs for `a` and `b`, advances the watermark; returns it. */
  private writeAll(a: SummaryChanges, b: SummaryChanges | null): bigint {
    let watermark = this.watermark;
    for (const changes of b ? [a, b] : [a]) {
      if (changes.empty) continue;
      for (const u of changes.bumps.values()) this.bumpStmt.run(u.seq, u.id, u.seq, u.time, u.conversation);
      if (changes.reads) {
        for (const [conversation, senders] of changes.reads) {
          for (const [sender, seq] of senders) this.readOwnStmt.run(seq, conversation, sender);
        }
      }
      if (changes.maxId > watermark) watermark = changes.maxId;
    }
    if (watermark !== this.watermark) this.saveWatermarkStmt.run(watermark);
    if (this.systemRows) this.clearSystemStmt.run(watermark);
    return watermark;
  }

  private wrote(watermark: bigint): void {
    this.pending.clear();
    this.systemRows = false;
    if (watermark > this.watermark) this.watermark = watermark;
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
  }
}

function readWatermark(db: Database.Database): bigint {
  return db.prepare<[], bigint>('SELECT message_id FROM summary_watermark').safeIntegers().pluck().get() ?? NO_MESSAGE;
}

/**
 * At open, before anything reads: redoes the summary effects of the messages
 * above the watermark (the ones a write-behind store had kept in memory when
 * the process died), with the same MAX semantics as the live UPDATEs, then
 * advances the watermark. The range is a rowid range scan (message ids are
 * the rowid), at most one flush interval of messages. Every server
 * connection on the file runs this at open.
 */
export function recoverConversationSummaries(db: Database.Database): void {
  db.transaction(() => {
    // A commit every other connection's PRAGMA data_version sees: a write-behind store already on the file
    // then writes its summaries in every append (ConversationSummaries.stage), as this connection may read them.
    db.prepare('UPDATE summary_watermark SET opens = opens + 1').run();
    const watermark = readWatermark(db);
    const newest = db.prepare<[], bigint | null>('SELECT MAX(id) FROM messages').safeIntegers().pluck().get() ?? null;
    if (newest === null || newest <= watermark) {
      db.prepare('DELETE FROM summary_system_sends').run();
      return;
    }
    const conversations = db.prepare<[bigint], { conversation: bigint; seq: bigint; time: bigint; id: bigint }>(
      `SELECT c.conversation, c.seq, c.time, m.id FROM
         (SELECT conversation_id AS conversation, MAX(seq) AS seq, MAX(server_time) AS time
            FROM messages WHERE id > ? GROUP BY conversation_id) c
         JOIN messages m ON m.conversation_id = c.conversation AND m.seq = c.seq`,
    ).safeIntegers().all(watermark);
    const bump = db.prepare<[bigint, bigint, bigint, bigint, bigint]>(
      `UPDATE conversations SET
         last_message_id = CASE WHEN ? > last_seq THEN ? ELSE last_message_id END,
         last_seq = MAX(last_seq, ?),
         updated_at = MAX(updated_at, ?)
       WHERE id = ?`,
    );
    for (const c of conversations) bump.run(c.seq, c.id, c.seq, c.time, c.conversation);
    const reads = db.prepare<[bigint], { conversation: bigint; sender: bigint; seq: bigint }>(
      `SELECT conversation_id AS conversation, sender_id AS sender, MAX(seq) AS seq FROM messages
        WHERE id > ? AND id NOT IN (SELECT message_id FROM summary_system_sends)
        GROUP BY conversation_id, sender_id`,
    ).safeIntegers().all(watermark);
    const readOwn = db.prepare<[bigint, bigint, bigint]>(
      'UPDATE members SET read_seq = MAX(read_seq, ?) WHERE conversation_id = ? AND user_id = ?',
    );
    for (const r of reads) readOwn.run(r.seq, r.conversation, r.sender);
    db.prepare<[bigint]>('UPDATE summary_watermark SET message_id = ?').run(newest);
    db.prepare('DELETE FROM summary_system_sends').run();
  }).immediate();
}
