import type { UserId } from '../model.js';
import type { RestrictionKind, RoomId, RoomRecord, RoomStore, StoredRoomMessage } from '../ports/room-store.js';

/** What the service keeps in memory about one room. */
export interface RoomState {
  record: RoomRecord;
  /** The pinned notice (record.pinnedSeq), loaded with the room. */
  pinned: StoredRoomMessage | null;
  /** `${userId}:${kind}` -> until (0 = for the life of the room). */
  readonly restrictions: Map<string, number>;
  loadedAt: number;
}

function key(userId: UserId, kind: RestrictionKind): string {
  return `${userId}:${kind}`;
}

/**
 * Cache of room records, pins and restrictions in front of the RoomStore, so
 * the send path (thousands per second in a hot room) does not read the store.
 *
 * This node's own writes update the cache at once. Another node's writes (in
 * a cluster) are applied when its notice arrives (RoomService.peerNotice),
 * and at the latest once an entry is older than `ttlMs` and reloaded; the
 * load is shared by concurrent callers, so a crowd joining a room costs one
 * store read. Unknown rooms are cached as null for the same time.
 */
export class RoomDirectory {
  private readonly rooms = new Map<RoomId, RoomState | null>();
  private readonly loadedAt = new Map<RoomId, number>();
  private readonly loading = new Map<RoomId, Promise<RoomState | null>>();

  constructor(private readonly store: RoomStore, private readonly ttlMs: number, private readonly clock: () => number) {}

  async get(roomId: RoomId): Promise<RoomState | null> {
    const at = this.loadedAt.get(roomId);
    if (at !== undefined && this.clock() - at <= this.ttlMs) return this.rooms.get(roomId) ?? null;
    let p = this.loading.get(roomId);
    if (!p) {
      p = this.load(roomId).finally(() => this.loading.delete(roomId));
      this.loading.set(roomId, p);
    }
    return p;
  }

  /** Active restriction of a user (until = 0 or in the future), or undefined. */
  restriction(state: RoomState, userId: UserId, kind: RestrictionKind, now: number): number | undefined {
    const until = state.restrictions.get(key(userId, kind));
    if (until === undefined) return undefined;
    if (until !== 0 && until <= now) {
      state.restrictions.delete(key(userId, kind));
      return undefined;
    }
    return until;
  }

  /**
   * Apply this node's own write to the cached room: to the current entry and,
   * when a load is in flight (it may have read the store before the write),
   * to its result too. `change` must be idempotent.
   */
  apply(roomId: RoomId, change: (state: RoomState) => void): void {
    const current = this.rooms.get(roomId);
    if (current) change(current);
    void this.loading.get(roomId)?.then((s) => s && change(s), () => undefined);
  }

  static setRestriction(state: RoomState, userId: UserId, kind: RestrictionKind, until: number | undefined): void {
    if (until === undefined) state.restrictions.delete(key(userId, kind));
    else state.restrictions.set(key(userId, kind), until);
  }

  /** Merge a room record written by this node; lastSeq never moves backwards. */
  static merge(state: RoomState, record: RoomRecord): void {
    state.record = { ...record, lastSeq: Math.max(record.lastSeq, state.record.lastSeq) };
  }

  /**
   * Another node changed the room in a way `apply` cannot replay (a new
   * pin): the next get reads the store again. The stale entry stays until
   * then, so lastSeq still never moves backwards.
   */
  invalidate(roomId: RoomId): void {
    if (this.loadedAt.has(roomId)) this.loadedAt.set(roomId, Number.NEGATIVE_INFINITY);
  }

  /** A room this node just created: cache it at once (replacing a cached "unknown"). */
  created(record: RoomRecord): void {
    this.put(record.id, { record, pinned: null, restrictions: new Map(), loadedAt: this.clock() });
  }

  private put(roomId: RoomId, state: RoomState | null): void {
    this.rooms.set(roomId, state);
    this.loadedAt.set(roomId, state?.loadedAt ?? this.clock());
  }

  /** Drop entries past their ttl (memory stays proportional to active rooms). */
  prune(): void {
    const now = this.clock();
    for (const [roomId, at] of this.loadedAt) {
      if (now - at > this.ttlMs && !this.loading.has(roomId)) {
        this.loadedAt.delete(roomId);
        this.rooms.delete(roomId);
      }
    }
  }

  private async load(roomId: RoomId): Promise<RoomState | null> {
    const now = this.clock();
    const record = await this.store.getRoom(roomId);
    if (!record) {
      // created() may have run while the read was in flight.
      const fresh = this.rooms.get(roomId);
      if (fresh) return fresh;
      this.put(roomId, null);
      return null;
    }
    const [restrictions, pinned] = await Promise.all([
      this.store.restrictions(roomId, now),
      record.pinnedSeq > 0 ? this.store.getRange(roomId, record.pinnedSeq, record.pinnedSeq, 1) : Promise.resolve([]),
    ]);
    const previous = this.rooms.get(roomId);
    const state: RoomState = {
      record: previous ? { ...record, lastSeq: Math.max(record.lastSeq, previous.record.lastSeq) } : record,
      pinned: pinned[0] ?? null,
      restrictions: new Map(restrictions.map((r) => [key(r.userId, r.kind), r.until])),
      loadedAt: now,
    };
    this.put(roomId, state);
    return state;
  }
}
