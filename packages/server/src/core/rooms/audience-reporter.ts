import type { RoomId } from '../ports/room-store.js';
import type { AudienceCounter, RoomBroadcaster, RoomNotice } from './room-broadcaster.js';

/** This gateway's audience: local and whole-room counts, and delivery of a notice to the local members only. */
export interface LocalAudience extends AudienceCounter {
  notice(roomId: RoomId, notice: RoomNotice): void;
}

/** Every how many rounds the whole local picture is shared, so receivers can drop what they missed or what went away. */
const FULL_EVERY_ROUNDS = 3;
/** Receivers trust a gateway's counts for this many full-share periods (a missed message or two is not a dead gateway). */
const TRUST_FULL_PERIODS = 2.5;

/**
 * Announces audience counts. Every `everyMs`:
 * - each room with local members whose WHOLE-room count (local plus what
 *   other gateways reported) changed since its last announcement gets one
 *   RoomEvent 'audience', delivered to this gateway's members only;
 * - this gateway's own counts go to the other gateways through the
 *   broadcaster: the changes, and every few rounds the full picture.
 *
 * So every member sees the room's total, not its gateway's share, and quiet
 * rooms cost nothing: a room joined by thousands per second still gets one
 * event per period, and one share message per gateway per period carries
 * every room that changed.
 */
export class AudienceReporter {
  /** Whole-room counts last announced to local members. */
  private readonly announced = new Map<RoomId, number>();
  /** Local counts last shared with the other gateways. */
  private readonly shared = new Map<RoomId, number>();
  private readonly ttlMs: number;
  private round = 0;
  /** The last share left the other gateways with no audience of ours (nothing to refresh). */
  private peersKnowNothing = true;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly local: LocalAudience, private readonly broadcaster: RoomBroadcaster, everyMs: number) {
    this.ttlMs = Math.ceil(everyMs * FULL_EVERY_ROUNDS * TRUST_FULL_PERIODS);
    this.timer = setInterval(() => this.report(), everyMs);
    this.timer.unref();
  }

  /** One reporting round (the timer calls it; tests may too). */
  report(): void {
    const changes: Array<[RoomId, number]> = [];
    const seen = new Set<RoomId>();
    for (const [roomId, here] of this.local.audiences()) {
      seen.add(roomId);
      if (this.shared.get(roomId) !== here) {
        this.shared.set(roomId, here);
        changes.push([roomId, here]);
      }
      const total = this.local.audience(roomId);
      if (this.announced.get(roomId) === total) continue;
      this.announced.set(roomId, total);
      this.local.notice(roomId, { kind: 'audience', audience: total });
    }
    // A room nobody here is in: the others must stop counting us, and there is nobody here to tell.
    for (const roomId of this.shared.keys()) {
      if (seen.has(roomId)) continue;
      this.shared.delete(roomId);
      changes.push([roomId, 0]);
    }
    for (const roomId of this.announced.keys()) if (!seen.has(roomId)) this.announced.delete(roomId);

    this.round++;
    if (this.round % FULL_EVERY_ROUNDS === 0) {
      if (this.shared.size > 0 || !this.peersKnowNothing) this.share([...this.shared], true);
    } else if (changes.length > 0) {
      this.share(changes, false);
    }
  }

  /** Stops the timer and tells the other gateways that this one's audiences are gone. */
  stop(): void {
    clearInterval(this.timer);
    this.shared.clear();
    if (!this.peersKnowNothing) this.share([], true);
  }

  private share(counts: Array<[RoomId, number]>, full: boolean): void {
    this.broadcaster.shareAudience({ counts, full, ttlMs: this.ttlMs });
    this.peersKnowNothing = this.shared.size === 0;
  }
}
