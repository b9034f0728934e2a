import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LoadFleet } from './load/fleet.js';
import { sourceAddressCount } from './loopback.js';
import { machineInfo } from './machine.js';
import { affinityOf } from './metrics/proc.js';
import { peakConnections, type BenchOptions } from './options.js';
import { REPORT_SCHEMA, type TargetReport, type WorkloadReport } from './report/types.js';
import { writeWorkloadReport } from './report/write.js';
import { REPO_ROOT, ensureCompiledXinbox, type TargetName } from './servers/launch.js';
import { openSession, type OpenSession, type SessionContext } from './session.js';
import { nowMs, timestampDirName } from './time.js';
import { WORKLOADS } from './workloads/index.js';
import { failed, skipped, type Metric, type TargetOutcome } from './workloads/types.js';

/**
 * One bench run: for each target server (baselines first, then Xinbox) start
 * it pinned, run the selected workloads against it with one shared user pool
 * (a workload marked freshServer gets a newly started one), stop it; then
 * write one JSON + markdown (+ SVG) per workload.
 */

export async function runBench(opts: BenchOptions, command: string): Promise<string> {
  const startedAt = new Date();
  const dir = opts.outDir ?? join(REPO_ROOT, 'bench/results', timestampDirName(startedAt));
  mkdirSync(dir, { recursive: true });
  const log = (msg: string): void => console.log(`[bench ${((nowMs() - startedAt.getTime()) / 1000).toFixed(1)}s] ${msg}`);
  if (opts.pin) pinSelf(opts.loadCpu);
  const fleet = new LoadFleet({ cpu: opts.pin ? opts.loadCpu : undefined, maxConnsPerProcess: opts.connsPerProc, minProcesses: opts.procs, heapMb: 4096, textPayload: opts.payload === 'text' });
  await fleet.ensureProcesses(opts.procs);
  const loadAffinity = affinityOf(fleet.pids()[0] ?? process.pid);
  const sourceAddrs = opts.sourceAddrs ?? sourceAddressCount(peakConnections(opts));
  const outcomes = new Map<string, Record<string, TargetReport>>(opts.workloads.map((w) => [w, {}]));
  const record = (w: string, t: TargetName, o: TargetOutcome, affinity?: string): void => {
    outcomes.get(w)![t] = { ...o, ...(affinity ? { serverAffinity: affinity } : {}) };
  };
  log(`results -> ${dir}; ${fleet.workers.length} load processes on CPU ${loadAffinity}; ${sourceAddrs} source addresses`);
  const xinboxReady = opts.targets.includes('xinbox') && !opts.external && ensureCompiledXinbox();
  try {
    for (const target of opts.targets) {
      if (target === 'xinbox' && !opts.external && !xinboxReady) {
        for (const w of opts.workloads) record(w, target, skipped('server not present (packages/server/src/cli.ts missing)'));
        continue;
      }
      const ctx: SessionContext = { opts, fleet, sourceAddrs, logDir: dir, log };
      let open: OpenSession | undefined;
      try {
        for (const id of opts.workloads) {
          const wl = WORKLOADS[id];
          // Workloads that measure memory growth get a server nobody else has used yet.
          if (open && open.used && wl.freshServer && !opts.external && !opts.quick) {
            await open.close();
            open = undefined;
          }
          const env = wl.serverEnv?.(opts) ?? {};
          const sinkUse = { beforeSend: opts.beforeSendHook || !!wl.sink?.beforeSend, webhooks: opts.webhooks || !!wl.sink?.webhooks, push: !!wl.sink?.push };
          if (open && open.envKey !== JSON.stringify({ serverEnv: env, use: sinkUse }) && !opts.external) {
            await open.close();
            open = undefined;
          }
          try {
            open ??= await openSession(target, ctx, env, wl.sink);
          } catch (e) {
            record(id, target, failed(`server did not start: ${(e as Error).message}`));
            continue;
          }
          if (open.used) await open.settle();
          log(`-- ${target} ${id}`);
          open.used = true;
          let outcome: TargetOutcome;
          try {
            outcome = await withTimeout(wl.run(open.session), workloadTimeoutMs(opts), `${id} on ${target}`);
          } catch (e) {
            outcome = failed((e as Error).message);
            log(`${target} ${id} failed: ${(e as Error).message}`);
          }
          if (outcome.status !== 'ok') log(`${target} ${id}: ${outcome.status}: ${outcome.reason ?? ''}`);
          await fleet.closeAll().catch(() => undefined);
          record(id, target, outcome, open.session.server.affinity);
        }
      } finally {
        await open?.close();
      }
    }
  } finally {
    await fleet.shutdown();
  }

  const machine = machineInfo();
  const pinning = { enabled: opts.pin, serverCpu: opts.serverCpu, loadCpu: opts.loadCpu, loadAffinity, orchestratorAffinity: affinityOf(process.pid) };
  const summary: string[] = [`# Xinbox bench run ${startedAt.toISOString()}`, '', `Command: \`${command}\``, ''];
  for (const id of opts.workloads) {
    const wl = WORKLOADS[id];
    const targets = outcomes.get(id)!;
    const report: WorkloadReport = {
      schema: REPORT_SCHEMA, workload: id, title: wl.title, description: wl.description, headline: wl.headline,
      startedAt: startedAt.toISOString(), command, quick: opts.quick, machine, pinning, config: wl.config(opts),
      targets, ratios: ratios(targets, wl.headline), metrics: flatten(targets),
    };
    const files = writeWorkloadReport(dir, report, opts.p99LimitMs);
    log(`wrote ${files.join(', ')}`);
    summary.push(`- ${wl.title}: ${Object.entries(targets).map(([t, o]) => `${t} ${headlineText(o, wl.headline)}`).join('; ')} ([table](${id}.md))`);
  }
  writeFileSync(join(dir, 'summary.md'), summary.join('\n') + '\n');
  writeFileSync(join(dir, 'run.json'), JSON.stringify({ startedAt, command, machine, pinning, options: opts, sourceAddrs }, null, 2) + '\n');
  return dir;
}

function headlineText(o: TargetOutcome, headline: string): string {
  if (o.status !== 'ok') return o.status;
  const hits = Object.entries(o.metrics).filter(([k]) => k === headline || k.endsWith(`.${headline}`));
  return hits.map(([k, m]) => `${k}=${m.value}${m.unit ? ` ${m.unit}` : ''}`).join(', ') || 'ok';
}

function ratios(targets: Record<string, TargetReport>, headline: string): Record<string, number> {
  const x = targets.xinbox;
  const c = targets.ceiling;
  const out: Record<string, number> = {};
  if (x?.status !== 'ok' || c?.status !== 'ok') return out;
  for (const [k, m] of Object.entries(x.metrics)) {
    const base = c.metrics[k];
    if ((k === headline || k.endsWith(`.${headline}`)) && base && base.value !== 0) out[k] = Math.round((m.value / base.value) * 1000) / 1000;
  }
  return out;
}

function flatten(targets: Record<string, TargetReport>): Record<string, Metric> {
  const out: Record<string, Metric> = {};
  for (const [t, o] of Object.entries(targets)) if (o.status === 'ok') for (const [k, m] of Object.entries(o.metrics)) out[`${t}.${k}`] = m;
  return out;
}

function workloadTimeoutMs(o: BenchOptions): number {
  return o.quick ? 120_000 : 60 * 60_000;
}

async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} exceeded ${ms} ms`)), ms)));
  try {
    return await Promise.race([p, t]);
  } finally {
    clearTimeout(timer);
  }
}

/** Keep the orchestrator (and its threads) off the server's CPU. */
function pinSelf(cpu: string): void {
  try {
    execFileSync('taskset', ['-a', '-pc', cpu, String(process.pid)], { stdio: 'ignore' });
  } catch {
    // taskset missing: the recorded affinity will show it.
  }
}
