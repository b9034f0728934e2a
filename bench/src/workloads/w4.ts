import { sleep } from '../time.js';
import { w4Config } from './w4-config.js';
import { describeRoom, measureRoom } from './w4-measure.js';
import { senderCounts } from './w4-plan.js';
import { roomMetrics, roomNotes } from './w4-report.js';
import { LACKS_ROOMS, setupRoom } from './w4-setup.js';
import type { TargetOutcome, TargetSession, Workload } from './types.js';

/**
 * W4: room broadcast to a live-stream audience (issue #7). One room, every
 * connection of the run in it. A steady phase of ordinary messages (danmaku)
 * at a fixed rate, then a burst phase where the same rate continues and
 * bursts of ordinary messages are sent at one instant, with reliable
 * messages (gifts) at a low rate throughout. Receivers iterate every
 * RoomPush (one frame carries a tick's messages) and ack reliable seqs with
 * RoomPushAck. Xinbox thins ordinary messages above its per-room cap by
 * design; the baselines never thin.
 */
export const w4: Workload = {
  id: 'w4',
  title: 'W4 room broadcast',
  description:
    'One room with a large audience (every connection joins with afterSeq 0; the host creates it with RoomAdmin CREATE). ' +
    'Steady phase: ordinary messages at a fixed rate; burst phase: the same rate plus bursts of ordinary messages sent at ' +
    'one instant; reliable messages (gifts) at a low rate throughout, from senders kept inside Xinbox\'s per-user limit. ' +
    'Deliveries/s counts room messages arriving at connections within the phase (a RoomPush with k messages is k ' +
    'deliveries); latency is scheduled send time (stamped in the content) to arrival. Ordinary messages may be thinned by ' +
    'Xinbox (serverOrdinaryDropped, from /v1/metrics rooms); reliable ones must reach every connection (reliableLost 0). ' +
    'rssPerConnKb = server RSS growth from before connecting to after everyone joined, per connection.',
  headline: 'deliveredPerSec',
  freshServer: true,
  config: (o) => {
    const cfg = w4Config(o);
    return { ...cfg, senders: senderCounts(cfg), gateways: o.gateways, roomPushBudget: o.roomPushBudget };
  },
  async run(s: TargetSession): Promise<TargetOutcome> {
    const cfg = w4Config(s.opts, s.server.wsUrls.length);
    const setup = await setupRoom(s, cfg, 'bench');
    if ('status' in setup) {
      await s.fleet.closeAll();
      return setup.reason === LACKS_ROOMS ? { ...setup, reason: `skipped: ${LACKS_ROOMS}` } : setup;
    }
    if (cfg.warmRunS > 0) {
      const warm = await measureRoom(s, cfg, setup, cfg.warmRunS, 0, 0);
      s.log(`w4 warm-up (not recorded): ${describeRoom(warm)}`);
      await sleep(s.opts.quick ? 200 : 2000);
    }
    const m = await measureRoom(s, cfg, setup, cfg.steadyS, cfg.burstS, cfg.warmupS);
    s.log(`w4: ${describeRoom(m)}`);
    await s.fleet.closeAll();
    return {
      status: 'ok',
      metrics: roomMetrics(m, setup),
      detail: { setup: { ...setup, conns: undefined }, measurement: m },
      notes: roomNotes(s, cfg, m, setup),
    };
  },
};
