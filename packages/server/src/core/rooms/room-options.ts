/** Tunables of the rooms feature. Every one has a default; tests and benchmarks override them. */
export interface RoomOptions {
  /** Sustained room sends (ordinary + reliable) per user per second on this node. */
  readonly userSendPerSec: number;
  /** Sends a user may burst above the sustained rate. */
  readonly userSendBurst: number;
  /** Ordinary messages delivered per room per second; beyond it the oldest of each tick are dropped. */
  readonly roomOrdinaryPerSec: number;
  /** How long a room's messages are collected before they are published as one batch. */
  readonly tickMs: number;
  /**
   * Socket writes per second one room may cost a gateway: a room with L
   * local members gets at most one frame every L / budget seconds there,
   * merging what arrives in between (RoomFanout). Sized at about half of
   * what one core writes (~190k frames/s measured by W4 here), so one huge
   * room leaves the gateway room for everything else; 19k local members ->
   * a frame at most every 190 ms. 0 = unpaced. XINBOX_ROOM_PUSH_BUDGET.
   */
  readonly pushBudgetPerSec: number;
  /** Delay between retransmissions of an unacknowledged reliable message. */
  readonly reliableRetryMs: number;
  /** Retransmissions of a reliable message before it is left to RoomPull / RoomJoin{afterSeq}. */
  readonly reliableRetries: number;
  /** Reliable messages per room kept for retransmission. */
  readonly reliableWindow: number;
  /** How often a changed audience count is announced (RoomEvent 'audience'). */
  readonly audienceEventMs: number;
  /** How long room records and restrictions are trusted without a store read (other nodes' admin changes). */
  readonly stateCacheMs: number;
}

export const defaultRoomOptions: RoomOptions = Object.freeze({
  userSendPerSec: 5,
  userSendBurst: 5,
  roomOrdinaryPerSec: 500,
  tickMs: 50,
  pushBudgetPerSec: 100_000,
  reliableRetryMs: 1000,
  reliableRetries: 3,
  reliableWindow: 512,
  audienceEventMs: 2000,
  stateCacheMs: 1000,
});

/** Defaults overlaid with `overrides`; rejects values that would break the feature. */
export function roomOptions(overrides: Partial<RoomOptions> = {}): RoomOptions {
  const o: RoomOptions = { ...defaultRoomOptions, ...stripUndefined(overrides) };
  const problems: string[] = [];
  const positive = (k: keyof RoomOptions) => {
    if (!(Number.isFinite(o[k]) && o[k] > 0)) problems.push(`${k} must be a positive number, got ${o[k]}`);
  };
  for (const k of ['userSendPerSec', 'userSendBurst', 'roomOrdinaryPerSec', 'tickMs', 'reliableRetryMs', 'reliableWindow', 'audienceEventMs'] as const) positive(k);
  if (!(Number.isInteger(o.reliableRetries) && o.reliableRetries >= 0)) problems.push(`reliableRetries must be a non-negative integer, got ${o.reliableRetries}`);
  if (!(Number.isFinite(o.pushBudgetPerSec) && o.pushBudgetPerSec >= 0)) problems.push(`pushBudgetPerSec must be >= 0 (0 = unpaced), got ${o.pushBudgetPerSec}`);
  if (!(Number.isFinite(o.stateCacheMs) && o.stateCacheMs >= 0)) problems.push(`stateCacheMs must be >= 0, got ${o.stateCacheMs}`);
  if (problems.length) throw new RangeError(`invalid room options: ${problems.join('; ')}`);
  return Object.freeze(o);
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
