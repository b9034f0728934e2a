import { Worker } from 'node:worker_threads';
import { FloodClient } from '../flood/flood-client.js';
import type { FloodWorkerInput, FloodWorkerResult } from '../flood/flood-worker.js';
import { adminHeaders } from '../servers/admin-token.js';
import { nowMs, sleep } from '../time.js';
import { skipped, type TargetOutcome, type TargetSession, type Workload } from './types.js';

/**
 * Flood: one client pipelines Sends and another pipelines reads (History,
 * Sync, ListConversations) as fast as their sockets take them, each on its
 * own thread, while a healthy pair (A sends to B at a modest rate, A pings)
 * measures what everyone else sees: send→push latency, Ping RTT, and the
 * server's RSS growth. The flooders should meet RATE_LIMITED and backpressure
 * (their own socket backs up because the server stops reading them).
 */
export const flood: Workload = {
  id: 'flood',
  title: 'Flood: pipelining abusers next to a healthy pair',
  description:
    'One client pipelines Sends, another pipelines History/Sync/ListConversations, each as fast as its socket allows ' +
    '(a worker thread each), while a healthy pair measures send→push latency (A→B at a modest rate) and Ping RTT. ' +
    'Server rate limits on (defaults). Reports healthy p50/p99, Ping p99, server RSS growth, and what the flooders got back.',
  headline: 'healthyP99Ms',
  freshServer: true,
  serverEnv: () => ({ XINBOX_RATE_LIMITS: 'true' }),
  config: (o) => o.flood,
  async run(s: TargetSession): Promise<TargetOutcome> {
    if (s.name !== 'xinbox') return skipped('flood exercises Xinbox rate limits and flow control');
    const cfg = s.opts.flood;
    const [fs, fr, a, b] = await s.pool.ensure(4);
    const login = await s.pool.login([fs!, fr!, a!, b!], 'flood');
    if (login.failed > 0) throw new Error(`flood: ${login.failed} logins failed`);
    const url = s.server.wsUrls[0]!;
    const token = (u: typeof a) => u!.tokens.get('flood')!;
    const ca = await FloodClient.open(url, token(a));
    const cb = await FloodClient.open(url, token(b));
    const cfs = await FloodClient.open(url, token(fs));
    const open = async (c: FloodClient, peer: string) => {
      const r = await c.request({ case: 'openDirect', value: { userId: peer } });
      if (r.body.case !== 'conversationInfo') throw new Error(`openDirect: ${JSON.stringify(r.body.value)}`);
      return r.body.value.conversation!.conversationId;
    };
    const healthyConv = await open(ca, b!.userId);
    const floodConv = await open(cfs, fr!.userId);
    cfs.close();

    // Healthy pair: A -> B at cfg.healthyRate/s, latency from the send time in the client id. B acks
    // every push as a client must (an unacked push is retransmitted), and counts each message once.
    const pushLatencies: number[] = [];
    const seen = new Set<string>();
    cb.onPush = (f) => {
      if (f.body.case !== 'push') return;
      const { syncSeq, message } = f.body.value;
      if (syncSeq > 0) cb.send({ case: 'pushAck', value: { syncSeq } });
      const id = message?.clientMsgId ?? '';
      if (!id.startsWith('h-') || seen.has(id)) return;
      seen.add(id);
      pushLatencies.push(nowMs() - Number(id.split('-')[1]));
    };
    const pings: number[] = [];
    const healthyErrors: Record<string, number> = {};
    let healthySent = 0;

    await s.sampler.sampleOnce();
    const rssBefore = s.sampler.currentRssBytes();
    let rssPeak = rssBefore;
    const durationMs = cfg.durationS * 1000;
    // BENCH_FLOOD_OFF=1: the healthy pair alone, as the control for the same machine state.
    const kinds = process.env.BENCH_FLOOD_OFF === '1' ? [] : (['send', 'read'] as const);
    const workers = kinds.map((kind) => startWorker({ url, token: token(kind === 'send' ? fs : fr), kind, conversationId: floodConv, durationMs }));
    const started = nowMs();
    const sender = (async () => {
      for (let i = 0; nowMs() - started < durationMs; i++) {
        const at = nowMs();
        const r = await ca.request({ case: 'send', value: { conversationId: healthyConv, clientMsgId: `h-${at}-${i}`, content: { kind: { case: 'text', value: { text: 'healthy' } } } } });
        if (r.body.case === 'error') healthyErrors[r.body.value.name] = (healthyErrors[r.body.value.name] ?? 0) + 1;
        else healthySent++;
        await sleep(Math.max(0, 1000 / cfg.healthyRate - (nowMs() - at)));
      }
    })();
    const pinger = (async () => {
      while (nowMs() - started < durationMs) {
        const at = nowMs();
        await ca.request({ case: 'ping', value: {} });
        pings.push(nowMs() - at);
        await sleep(100);
      }
    })();
    const sampler = (async () => {
      while (nowMs() - started < durationMs) {
        await s.sampler.sampleOnce();
        rssPeak = Math.max(rssPeak, s.sampler.currentRssBytes());
        await sleep(500);
      }
    })();
    await Promise.all([sender, pinger, sampler]);
    const window = s.sampler.window(started, nowMs());
    const flooders = await Promise.all(workers);
    await sleep(500);
    await s.sampler.sampleOnce();
    const rssAfter = s.sampler.currentRssBytes();
    const metrics = await fetch(`${s.server.httpBase}/v1/metrics`, { headers: adminHeaders() }).then((r) => r.json() as Promise<{ flow?: Record<string, number>; rateLimited?: Record<string, number> }>).catch(() => ({}) as { flow?: Record<string, number>; rateLimited?: Record<string, number> });
    ca.close();
    cb.close();

    const p = (xs: number[], q: number) => {
      if (xs.length === 0) return 0;
      const sorted = [...xs].sort((x, y) => x - y);
      return Math.round(sorted[Math.min(sorted.length - 1, Math.floor((q / 100) * sorted.length))]! * 10) / 10;
    };
    const rateLimited = flooders.reduce((n, f) => n + (f.replies.RATE_LIMITED ?? 0), 0);
    const growthMb = Math.round(((Math.max(rssPeak, rssAfter) - rssBefore) / 1048576) * 10) / 10;
    s.log(`flood: run-wait ${window.serverRunWaitPct}%, foreign CPU ${window.foreignCpuPct}%, healthy p99 ${p(pushLatencies, 99)} ms over ${pushLatencies.length}, ping p99 ${p(pings, 99)} ms, rss +${growthMb} MB, flooders ${JSON.stringify(flooders)}, server ${JSON.stringify(metrics)}`);
    return {
      status: 'ok',
      metrics: {
        healthyP50Ms: { value: p(pushLatencies, 50), unit: 'ms', better: 'lower', noise: 5 },
        healthyP99Ms: { value: p(pushLatencies, 99), unit: 'ms', better: 'lower', noise: 20 },
        pingP99Ms: { value: p(pings, 99), unit: 'ms', better: 'lower', noise: 20 },
        rssGrowthMb: { value: growthMb, unit: 'MB', better: 'lower', noise: 10 },
        healthyDelivered: { value: pushLatencies.length, unit: 'msgs', better: 'higher' },
        healthyRefused: { value: Object.values(healthyErrors).reduce((x, y) => x + y, 0), unit: 'msgs', better: 'lower', noise: 0 },
        floodRateLimited: { value: rateLimited, unit: 'replies', better: 'none' },
        serverRunWaitPct: { value: window.serverRunWaitPct, unit: '%', better: 'none' },
        foreignCpuPct: { value: window.foreignCpuPct, unit: '%', better: 'none' },
        floodMaxBufferedKb: { value: Math.round(Math.max(0, ...flooders.map((f) => f.maxBufferedBytes)) / 1024), unit: 'KB', better: 'none' },
      },
      detail: { healthySent, healthyErrors, pings: pings.length, flooders, server: metrics, rssBefore, rssPeak, rssAfter },
      notes: [`flooders: ${flooders.map((f) => `${f.kind} wrote ${f.written}, got ${JSON.stringify(f.replies)}, blocked ${f.blockedPct}% (max ${Math.round(f.maxBufferedBytes / 1024)} KB unsent)`).join('; ')}`],
    };
  },
};

function startWorker(input: FloodWorkerInput): Promise<FloodWorkerResult> {
  // The worker is TypeScript too: it registers tsx on its own thread, then loads the file.
  const file = new URL('../flood/flood-worker.ts', import.meta.url).href;
  const boot = `import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(file)}); })`;
  const w = new Worker(boot, { eval: true, workerData: input });
  return new Promise((resolve, reject) => {
    w.once('message', (m: { ok: boolean; result?: FloodWorkerResult; error?: string }) => {
      void w.terminate();
      if (m.ok) resolve(m.result!);
      else reject(new Error(`flood worker: ${m.error}`));
    });
    w.once('error', reject);
  });
}
