import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BenchHttp } from '../src/client/http.js';
import { UserPool } from '../src/client/user-pool.js';
import { LoadFleet } from '../src/load/fleet.js';
import { ProcessSampler } from '../src/metrics/sampler.js';
import { defaultOptions } from '../src/options.js';
import { startRelay, type Delivery, type RunningRelay } from '../src/servers/relay.js';
import { measure } from '../src/workloads/common.js';
import { setupGroup } from '../src/workloads/group.js';
import { setupPairs } from '../src/workloads/pairs.js';
import type { TargetSession } from '../src/workloads/types.js';
import { w4 } from '../src/workloads/w4.js';
import type { RoomMeasurement } from '../src/workloads/w4-measure.js';

/** A started sampler and user pool over in-process relays (the first one serves HTTP), as the bench would build them. */
function sessionOn(relays: readonly RunningRelay[], fleet: LoadFleet, name: 'ceiling' | 'naive', userPrefix: string): TargetSession {
  const httpBases = relays.map((r) => `http://127.0.0.1:${r.port}`);
  const http = new BenchHttp(httpBases[0]!);
  let runId = 0;
  const s: TargetSession = {
    name,
    server: {
      name, pid: process.pid, pids: [process.pid], servicePids: () => [], httpBase: httpBases[0]!, httpBases,
      wsUrls: relays.map((r) => `ws://127.0.0.1:${r.port}/ws`), affinity: 'n/a', logPath: undefined, stop: async () => undefined,
    },
    http,
    pool: new UserPool(http, userPrefix, 8),
    fleet,
    sampler: new ProcessSampler({ serverPids: [process.pid], loadPids: () => fleet.pids(), metricsUrl: `${httpBases[0]!}/v1/metrics`, intervalMs: 200 }),
    opts: { ...defaultOptions(true), drainS: 5 },
    sourceAddrs: 3,
    nextRunId: () => ++runId,
    log: () => undefined,
  };
  s.sampler.start();
  return s;
}

// End to end through real sockets: load processes -> baseline relay -> load processes.
// Text payloads (bench --payload text) carry the stamp in the text: checked once, over the batched relay.
describe.each<[Delivery, 'custom' | 'text']>([['batched', 'custom'], ['direct', 'custom'], ['batched', 'text']])('load generator against the %s relay, %s payload', (delivery, payload) => {
  let relay: RunningRelay;
  let fleet: LoadFleet;
  let s: TargetSession;

  beforeAll(async () => {
    relay = await startRelay({ host: '127.0.0.1', port: 0, delivery });
    fleet = new LoadFleet({ cpu: undefined, maxConnsPerProcess: 100, minProcesses: 2, heapMb: 512, textPayload: payload === 'text' });
    await fleet.ensureProcesses(2);
    s = sessionOn([relay], fleet, delivery === 'batched' ? 'ceiling' : 'naive', 't');
  });

  afterAll(async () => {
    s.sampler.stop();
    s.http.close();
    await fleet.shutdown();
    await relay.close();
  });

  it('delivers every one-to-one message once and measures its latency', async () => {
    const setup = await setupPairs(s, 10, 5);
    if ('status' in setup) throw new Error(setup.reason);
    const m = await measure(s, { ratePerSec: 500, durationS: 1, warmupS: 0, senders: setup.senders, fanout: 1, trackPerMessage: false });
    expect(m.sent).toBe(500);
    expect(m.acked).toBe(500);
    expect(m.received).toBe(500);
    expect(m.lost + m.unacked + m.duplicates).toBe(0);
    expect(m.latency.count).toBe(500);
    expect(m.latency.p50Ms).toBeGreaterThan(0);
    // Measured, not asserted against a time (team rule: performance lives in benchmarks; a loaded machine is slow).
    expect(m.latency.p99Ms).toBeGreaterThanOrEqual(m.latency.p50Ms);
    await fleet.closeAll();
  });

  it('fans a group message out to every other member and tracks completion', async () => {
    const setup = await setupGroup(s, 12);
    if ('status' in setup) throw new Error(setup.reason);
    const m = await measure(s, {
      ratePerSec: 20, durationS: 1, warmupS: 0,
      senders: [{ conn: setup.senderConn, conversationId: setup.conversationId, senderIdx: 0 }], fanout: 11, trackPerMessage: true,
    });
    expect(m.acked).toBe(20);
    expect(m.received).toBe(20 * 11);
    expect(m.lost).toBe(0);
    expect(m.completion?.count).toBe(20);
    expect(m.completion!.p50Ms).toBeGreaterThanOrEqual(m.latency.p50Ms);
    await fleet.closeAll();
  });
});

// W4 over three linked relays (--gateways 3): one room spans every process, relay 0 numbers its messages.
describe('W4 against three linked ceiling relays', () => {
  const relays: RunningRelay[] = [];
  let fleet: LoadFleet;
  let s: TargetSession;

  beforeAll(async () => {
    relays.push(await startRelay({ host: '127.0.0.1', port: 0, delivery: 'batched', roomLink: 'owner' }));
    const ownerUrl = `ws://127.0.0.1:${relays[0]!.port}/peer`;
    for (let i = 0; i < 2; i++) relays.push(await startRelay({ host: '127.0.0.1', port: 0, delivery: 'batched', roomLink: { ownerUrl } }));
    fleet = new LoadFleet({ cpu: undefined, maxConnsPerProcess: 200, minProcesses: 2, heapMb: 512, textPayload: false });
    await fleet.ensureProcesses(2);
    s = sessionOn(relays, fleet, 'ceiling', 'l');
  });

  afterAll(async () => {
    s.sampler.stop();
    s.http.close();
    await fleet.shutdown();
    for (const r of relays.reverse()) await r.close();
  });

  it('delivers every room message once to the audience of every relay, reliable ones numbered without gaps', async () => {
    const out = await w4.run(s);
    if (out.status !== 'ok') throw new Error(out.reason);
    const m = out.metrics;
    expect(m.audience!.value).toBe(200);
    expect(m.ordinaryMissing!.value).toBe(0);
    expect(m.ordinaryDelivered!.value).toBe(m.ordinaryOffered!.value);
    expect(m.ordinaryOffered!.value).toBeGreaterThan(0);
    expect(m.reliableSent!.value).toBeGreaterThan(0);
    expect(m.reliableLost!.value).toBe(0);
    expect(m.sendErrors!.value).toBe(0);
    const detail = out.detail as { measurement: RoomMeasurement };
    expect(detail.measurement.reliable.duplicates).toBe(0);
  });
});
