import type { ConnSpec } from '../load/messages.js';
import { sourceAddress } from '../loopback.js';
import { nowMs, sleep } from '../time.js';
import type { TargetOutcome, TargetSession, Workload } from './types.js';

/**
 * W3: how many idle, authenticated, heartbeating connections the server
 * holds. Ramps in batches (log in, then connect) until the target count or
 * until a batch fails too often, holds them for a while, and reports the
 * count still open, login and connect rates, and server RSS per connection.
 */
export const w3: Workload = {
  id: 'w3',
  title: 'W3 idle connections',
  description:
    'Idle authenticated connections sending Ping at the heartbeat interval, opened in batches across several load ' +
    'processes and client source addresses. Reports connections held after the hold period, HTTP logins/s, ' +
    'authenticated connects/s, and server RSS growth per held connection.',
  headline: 'held',
  freshServer: true,
  config: (o) => ({ ...o.w3, connsPerProc: o.connsPerProc, xinboxScryptCost: o.scryptCost }),
  async run(s: TargetSession): Promise<TargetOutcome> {
    const cfg = s.opts.w3;
    await s.fleet.closeAll();
    await s.fleet.setPing(cfg.pingMs);
    await sleep(s.opts.quick ? 200 : 2000);
    await s.sampler.sampleOnce();
    const rssBefore = s.sampler.currentRssBytes();
    let loginMs = 0;
    let logins = 0;
    let connectMs = 0;
    let attempted = 0;
    let connected = 0;
    let stopReason = `reached the target of ${cfg.conns}`;
    const errors: Record<string, number> = {};
    while (attempted < cfg.conns) {
      const n = Math.min(cfg.batch, cfg.conns - attempted);
      const tReg = nowMs();
      let users;
      let login;
      try {
        users = (await s.pool.ensure(attempted + n)).slice(attempted);
        login = await s.pool.login(users, 'w3');
      } catch (e) {
        // Typically the server is out of file descriptors and refuses HTTP too: that is the limit.
        stopReason = `provisioning at ${attempted} failed: ${(e as Error).message}`;
        break;
      }
      const regMs = nowMs() - tReg - login.ms;
      loginMs += login.ms;
      logins += login.count;
      const base = s.fleet.connectionCount;
      const specs: ConnSpec[] = users.filter((u) => u.tokens.has('w3')).map((u, k) => ({
        userId: u.userId,
        token: u.tokens.get('w3')!,
        url: s.server.wsUrls[(base + k) % s.server.wsUrls.length]!,
        localAddress: sourceAddress(base + k, s.sourceAddrs),
      }));
      const t0 = nowMs();
      const out = await s.fleet.connect(specs, 200, 20_000);
      if (out.okCount > 0) connectMs += nowMs() - t0; // a batch refused outright measures the limit, not the rate
      attempted += n;
      connected += out.okCount;
      for (const [e, k] of Object.entries(out.errors)) errors[e] = (errors[e] ?? 0) + k;
      s.log(`w3: ${connected}/${attempted} connected (batch ${out.okCount}/${n}: register ${Math.round(regMs)} ms, login ${login.ms} ms, connect ${Math.round(nowMs() - t0)} ms)${Object.keys(out.errors).length ? ` errors ${JSON.stringify(out.errors)}` : ''}`);
      if (n - out.okCount > n * cfg.maxFailRatio || login.failed > n * cfg.maxFailRatio) {
        stopReason = `batch at ${attempted} failed: ${n - out.okCount} connects, ${login.failed} logins failed`;
        break;
      }
    }
    const holdFrom = nowMs();
    await s.sampler.sampleOnce();
    await sleep(cfg.holdS * 1000);
    await s.sampler.sampleOnce();
    const hold = s.sampler.window(holdFrom, nowMs());
    const st = await s.fleet.status();
    const rssAfter = s.sampler.currentRssBytes();
    const held = st.open;
    const perConnKb = held > 0 ? Math.round(((rssAfter - rssBefore) / held / 1024) * 100) / 100 : 0;
    s.log(`w3: held ${held}, rss ${Math.round(rssBefore / 1048576)} -> ${Math.round(rssAfter / 1048576)} MB (${perConnKb} KB/conn), pings ${st.pingsSent} pongs ${st.pongs}`);
    await s.fleet.closeAll();
    await s.fleet.setPing(null);
    return {
      status: 'ok',
      metrics: {
        held: { value: held, unit: 'conns', better: 'higher' },
        loginsPerSec: { value: loginMs > 0 ? Math.round((logins / loginMs) * 10000) / 10 : 0, unit: '/s', better: 'higher' },
        connectsPerSec: { value: connectMs > 0 ? Math.round((connected / connectMs) * 10000) / 10 : 0, unit: '/s', better: 'higher' },
        rssPerConnKb: { value: perConnKb, unit: 'KB', better: 'lower', noise: 1 },
        serverRssMb: { value: Math.round((rssAfter / 1048576) * 10) / 10, unit: 'MB', better: 'lower', noise: 5 },
        holdCpuPct: { value: hold.serverCpuPct, unit: '%', better: 'lower', noise: 3 },
        droppedDuringHold: { value: st.closed, unit: 'conns', better: 'lower', noise: 0 },
      },
      detail: { attempted, connected, stopReason, errors, closeCodes: st.closeCodes, pingsSent: st.pingsSent, pongs: st.pongs, rssBefore, rssAfter, hold, sourceAddrs: s.sourceAddrs, processes: s.fleet.workers.length },
      notes: [`ramp: ${stopReason}`],
    };
  },
};
