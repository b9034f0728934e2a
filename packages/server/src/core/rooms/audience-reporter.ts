import type { RoomId } from '../ports/room-store.js';
import type { AudienceCounter, RoomBroadcaster } from './room-broadcaster.js';

/**
 * Announces audience counts: every `everyMs`, each room whose count changed
 * since its last announcement gets one RoomEvent 'audience' through the
 * broadcaster. Quiet rooms cost nothing; a room joined by thousands per
 * second still gets one event per period, not one per join.
 */
export class AudienceReporter {
  private readonly reported = new Map<RoomId, number>();
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly counter: AudienceCounter, private readonly broadcaster: RoomBroadcaster, everyMs: number) {
    this.timer = setInterval(() => this.report(), everyMs);
    this.timer.unref();
  }

  /** One reporting round (the timer calls it; tests may too). */
  report(): void {
    const seen = new Set<RoomId>();
    for (const [roomId, audience] of this.counter.audiences()) {
      seen.add(roomId);
      if (this.reported.get(roomId) === audience) continue;
      this.reported.set(roomId, audience);
      this.broadcaster.notice(roomId, { kind: 'audience', audience });
    }
    // A room nobody is in has nobody to tell; forget it so a later audience is announced afresh.
    for (const roomId of this.reported.keys()) if (!seen.has(roomId)) this.reported.delete(roomId);
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
