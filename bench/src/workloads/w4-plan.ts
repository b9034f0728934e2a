import type { RoomPhase, RoomSendPlan } from '../load/messages.js';
import type { W4Config } from './w4-config.js';

/**
 * Who sends what and when in a W4 run, computed up front (open loop: the
 * schedule never waits for replies). Three groups of senders on separate
 * users, each inside Xinbox's default per-user limit (5/s, burst 5):
 *  - steady: `rate` ordinary messages/s through both phases, evenly spaced;
 *  - burst: in the burst phase, `burstSize` ordinary messages all scheduled
 *    at the same instant, every `burstEveryS`;
 *  - gift: `giftRate` reliable messages/s through both phases.
 */

export interface SenderRoles {
  readonly steady: readonly number[];
  readonly burst: readonly number[];
  readonly gift: readonly number[];
  /** More sender slots were needed than connections exist: some users send for two roles and may be rate limited. */
  readonly shared: boolean;
}

export interface RoomSchedule {
  readonly phases: readonly RoomPhase[];
  readonly sends: readonly RoomSendPlan[];
  readonly endAt: number;
  readonly bursts: number;
}

export function senderCounts(cfg: Pick<W4Config, 'rate' | 'burstSize' | 'giftRate' | 'perSenderRate' | 'perSenderBurst' | 'burstS'>): { steady: number; burst: number; gift: number } {
  return {
    steady: cfg.rate > 0 ? Math.ceil(cfg.rate / cfg.perSenderRate) : 0,
    burst: cfg.burstS > 0 && cfg.burstSize > 0 ? Math.ceil(cfg.burstSize / cfg.perSenderBurst) : 0,
    gift: cfg.giftRate > 0 ? Math.ceil(cfg.giftRate / cfg.perSenderRate) : 0,
  };
}

/** Sender roles over the joined connections `conns` (global indices); the first one (the host) only listens. */
export function assignSenders(cfg: W4Config, conns: readonly number[]): SenderRoles {
  const n = senderCounts(cfg);
  const pool = conns.length > 1 ? conns.slice(1) : conns;
  const need = n.steady + n.burst + n.gift;
  let next = 0;
  const take = (k: number): number[] => Array.from({ length: k }, () => pool[next++ % pool.length]!);
  return { steady: take(n.steady), burst: take(n.burst), gift: take(n.gift), shared: need > pool.length };
}

export function buildSchedule(cfg: W4Config, roles: SenderRoles, startAt: number, steadyS: number, burstS: number): RoomSchedule {
  const steadyEnd = startAt + steadyS * 1000;
  const endAt = steadyEnd + burstS * 1000;
  const phases: RoomPhase[] = [];
  if (steadyS > 0) phases.push({ name: 'steady', from: startAt, to: steadyEnd });
  if (burstS > 0) phases.push({ name: 'burst', from: steadyEnd, to: endAt });
  const senders = [...roles.steady, ...roles.burst, ...roles.gift];
  const seqs = new Map<number, number>();
  const sends: RoomSendPlan[] = [];
  const add = (role: number, at: number, reliable: boolean): void => {
    const senderIdx = role;
    const seq = seqs.get(senderIdx) ?? 0;
    seqs.set(senderIdx, seq + 1);
    sends.push({ conn: senders[role]!, at, senderIdx, seq, reliable });
  };
  const totalS = steadyS + burstS;
  const steadyCount = Math.floor(totalS * cfg.rate);
  for (let j = 0; j < steadyCount; j++) add(j % roles.steady.length, startAt + (j * 1000) / cfg.rate, false);
  let bursts = 0;
  if (burstS > 0 && roles.burst.length > 0) {
    const base = roles.steady.length;
    for (let k = 0; (k + 0.5) * cfg.burstEveryS < burstS; k++) {
      const at = steadyEnd + (k + 0.5) * cfg.burstEveryS * 1000;
      for (let i = 0; i < cfg.burstSize; i++) add(base + (i % roles.burst.length), at, false);
      bursts++;
    }
  }
  const giftCount = Math.floor(totalS * cfg.giftRate);
  const giftBase = roles.steady.length + roles.burst.length;
  for (let j = 0; j < giftCount; j++) add(giftBase + (j % roles.gift.length), startAt + ((j + 0.5) * 1000) / cfg.giftRate, true);
  sends.sort((a, b) => a.at - b.at);
  return { phases, sends, endAt, bursts };
}
