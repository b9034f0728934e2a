import type { BenchOptions } from '../options.js';

/**
 * W4 settings. The command line has no W4 flags yet (args.ts belongs to the
 * bench's general options), so the defaults below can be overridden with
 * BENCH_W4_* environment variables, e.g. BENCH_W4_CONNS=5000.
 */
export interface W4Config {
  /** Audience: connections that join the room (host and senders included). */
  readonly conns: number;
  /** Connections per gateway process when the bench picks the audience size. */
  readonly connsPerGateway: number;
  /** Steady phase: ordinary messages at `rate` only. */
  readonly steadyS: number;
  /** Burst phase: `rate` continues and `burstSize` ordinary messages go out at once every `burstEveryS`. */
  readonly burstS: number;
  readonly rate: number;
  readonly burstSize: number;
  readonly burstEveryS: number;
  /** Reliable messages (gifts) per second through both phases. */
  readonly giftRate: number;
  /**
   * Sends per sender: Xinbox allows 5 room sends/s per user with a burst of
   * 5 (its defaults), so steady and gift senders send at most `perSenderRate`
   * and burst senders `perSenderBurst` messages per burst, on separate users.
   */
  readonly perSenderRate: number;
  readonly perSenderBurst: number;
  readonly warmupS: number;
  readonly drainS: number;
  /** Unrecorded run before the measured one (JIT, first-use allocations). */
  readonly warmRunS: number;
}

/** One gateway holds at most 20k open files; keep ~1k for its other sockets and files. */
const CONNS_PER_GATEWAY = 19_000;
const MAX_CONNS = 60_000;

export function w4Config(o: BenchOptions, gateways = o.external?.wsUrls.length ?? 1, env: NodeJS.ProcessEnv = process.env): W4Config {
  const base: W4Config = o.quick
    ? {
      conns: 200, connsPerGateway: CONNS_PER_GATEWAY, steadyS: 1, burstS: 1, rate: 10, burstSize: 200, burstEveryS: 1, giftRate: 3,
      perSenderRate: 2, perSenderBurst: 4, warmupS: o.warmupS, drainS: o.drainS, warmRunS: 0,
    }
    : {
      conns: Math.min(MAX_CONNS, CONNS_PER_GATEWAY * Math.max(1, gateways)), connsPerGateway: CONNS_PER_GATEWAY,
      steadyS: 20, burstS: 20, rate: 10, burstSize: 200, burstEveryS: 4, giftRate: 1,
      perSenderRate: 2, perSenderBurst: 4, warmupS: o.warmupS, drainS: o.drainS, warmRunS: 3,
    };
  const num = (name: string, fallback: number): number => {
    const raw = env[`BENCH_W4_${name}`];
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!Number.isFinite(n) || n < 0) throw new Error(`BENCH_W4_${name} must be a non-negative number, got ${raw}`);
    return n;
  };
  return {
    ...base,
    conns: Math.max(2, Math.round(num('CONNS', base.conns))),
    steadyS: num('STEADY_S', base.steadyS),
    burstS: num('BURST_S', base.burstS),
    rate: num('RATE', base.rate),
    burstSize: Math.round(num('BURST_SIZE', base.burstSize)),
    burstEveryS: Math.max(0.5, num('BURST_EVERY_S', base.burstEveryS)),
    giftRate: num('GIFT_RATE', base.giftRate),
  };
}
