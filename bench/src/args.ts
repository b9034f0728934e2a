import { assertLoopbackUrl } from './loopback.js';
import { TARGET_NAMES, WORKLOAD_IDS, defaultOptions, type BenchOptions, type WorkloadId } from './options.js';
import type { TargetName } from './servers/launch.js';

/** Command-line parsing: `[workloads...] [--flags]`, quick defaults first, then overrides. */

export const USAGE = `usage: npm run bench -- [w1|w1-sweep|w2|w2-sweep|w3|w4|w5|flood|webhooks|before-send|push-cost ...] [options]
       npm run bench -- compare <old.json|dir> <new.json|dir> [--threshold 10]

  --quick                  smoke run of everything (~1 min)
  --targets a,b            servers to run: ceiling,naive,xinbox (default all)
  --sweep                  with w1/w2: run the rate sweep instead
  --rate N --duration S    W1 offered msgs/s and seconds (default 24000, 20)
  --users N --senders N    W1 users (pairs) and senders (default 1000, 500)
  --warmup S --drain S     latency warm-up excluded; max wait for in-flight messages
  --p99-limit MS           sweep stop condition (default 200)
  --sweep-start N --sweep-factor F --sweep-steps N --sweep-step-duration S   (W1 sweep)
  --group-sizes a,b --group-rate N      W2 (default 500,10000 at 10 msgs/s)
  --group-sweep-size N --group-sweep-start N                                (W2 sweep)
  --conns N --batch N --hold S --ping-interval MS                           (W3)
  --flood-duration S --healthy-rate N   flood: seconds of flooding (default 20), healthy sends/s (10)
  --procs N                minimum load processes (default 2)
  --conns-per-proc N       connection budget per load process (default 15000)
  --source-addrs N         client source addresses in 127.0.0.0/8 (default: auto)
  --scrypt-cost N          XINBOX_SCRYPT_COST of the started Xinbox (default 10; server default 14)
  --lexicon-dir DIR        XINBOX_LEXICON_DIR of the started Xinbox: sensitive-word filter on (default off)
  --gateway-processes N    XINBOX_GATEWAY_PROCESSES of the started Xinbox: N gateway processes in front of the
                           logic + storage process (auto = cores; 0/1 = one process); use with --no-pin
  --no-pin                 do not pin with taskset (server CPU 0, load CPU 1)
  --out DIR                results directory (default bench/results/<timestamp>)
  --gateways N             server processes per target (default 1): a Xinbox cluster on PostgreSQL + Redis
                           (started from the local binaries) and linked baseline relays; for W4 at 50k+
  --room-push-budget N     XINBOX_ROOM_PUSH_BUDGET of every target (default 100000 / gateways: they share a core)
  --ws-deflate             WebSocket permessage-deflate on (clients offer it, Xinbox accepts it; baselines decline)
  --transport ws|tcp       client transport of the messaging workloads: WebSocket (default) or Xinbox's raw TCP
                           (protocol.md 2.3; what native apps use; Xinbox targets only)
  --payload custom|text    message content: Custom{kind:'bench'} (default) or Text (stamp + a ~40-char Chinese/English
                           sentence; what the sensitive-word filter and search index see)
  webhooks                 W1 traffic (--rate, --duration) with message.sent webhooks: end-to-end events/s into
                           a signature-verifying receiver, drain time, lag (Xinbox only)
  before-send              W1 with a before-send check on every send (compare with w1 alternated; docs/benchmarks.md)
  push-cost                offline receivers with APNs/FCM tokens (local stand-ins): notifications/s, server CPU per
                           message with push vs without (alternated phases), latency send -> stand-in (--payload text);
                           --push-rate N msgs/s (default 1000), --users and --duration as W1
  --before-send-hook       Xinbox: run a before-send check (allow-all sink on the load CPU, signed, verified)
  --webhooks               Xinbox: deliver every event as webhooks to the same sink
  --xinbox-url URL --xinbox-ws u1,u2 --xinbox-pid P1,P2   use a running Xinbox (loopback only)`;

export type Parsed = { mode: 'run'; opts: BenchOptions } | { mode: 'compare'; files: string[]; threshold: number } | { mode: 'help' };

export function parseArgs(argv: readonly string[]): Parsed {
  if (argv.includes('--help') || argv.includes('-h')) return { mode: 'help' };
  const flags = new Map<string, string>();
  const positional: string[] = [];
  const booleans = new Set(['--quick', '--full', '--sweep', '--no-pin', '--ws-deflate', '--before-send-hook', '--webhooks']);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) positional.push(a);
    else if (a.includes('=')) flags.set(a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1));
    else if (booleans.has(a)) flags.set(a, 'true');
    else {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      flags.set(a, v);
    }
  }
  if (positional[0] === 'compare') {
    if (positional.length !== 3) throw new Error('compare needs two files or directories');
    return { mode: 'compare', files: positional.slice(1), threshold: num(flags.get('--threshold') ?? '10') };
  }
  const o = defaultOptions(flags.has('--quick'));
  const sweep = flags.has('--sweep');
  if (positional.length > 0) {
    o.workloads = positional.map((p) => {
      const id = sweep && (p === 'w1' || p === 'w2') ? `${p}-sweep` : p;
      if (!(WORKLOAD_IDS as readonly string[]).includes(id)) throw new Error(`unknown workload ${p}`);
      return id as WorkloadId;
    });
  }
  const known = new Set<string>(booleans);
  const take = (name: string, apply: (v: string) => void): void => {
    known.add(name);
    const v = flags.get(name);
    if (v !== undefined) apply(v);
  };
  take('--targets', (v) => {
    o.targets = list(v).map((t) => {
      if (!(TARGET_NAMES as readonly string[]).includes(t)) throw new Error(`unknown target ${t}`);
      return t as TargetName;
    });
  });
  take('--rate', (v) => (o.w1.rate = num(v)));
  take('--duration', (v) => (o.w1.durationS = num(v)));
  take('--users', (v) => (o.w1.users = num(v)));
  take('--senders', (v) => (o.w1.senders = num(v)));
  take('--warmup', (v) => (o.warmupS = num(v)));
  take('--drain', (v) => (o.drainS = num(v)));
  take('--p99-limit', (v) => (o.p99LimitMs = num(v)));
  take('--sweep-start', (v) => (o.w1Sweep.startRate = num(v)));
  take('--sweep-factor', (v) => (o.w1Sweep.factor = num(v)));
  take('--sweep-steps', (v) => (o.w1Sweep.maxSteps = num(v)));
  take('--sweep-step-duration', (v) => (o.w1Sweep.stepS = o.w2Sweep.stepS = num(v)));
  take('--group-sizes', (v) => (o.w2.sizes = list(v).map(num)));
  take('--group-rate', (v) => (o.w2.rate = num(v)));
  take('--group-sweep-size', (v) => (o.w2Sweep.size = num(v)));
  take('--group-sweep-start', (v) => (o.w2Sweep.startRate = num(v)));
  take('--conns', (v) => (o.w3.conns = num(v)));
  take('--batch', (v) => (o.w3.batch = num(v)));
  take('--hold', (v) => (o.w3.holdS = num(v)));
  take('--flood-duration', (v) => (o.flood.durationS = num(v)));
  take('--healthy-rate', (v) => (o.flood.healthyRate = num(v)));
  take('--push-rate', (v) => (o.push.rate = num(v)));
  take('--ping-interval', (v) => (o.w3.pingMs = num(v)));
  take('--procs', (v) => (o.procs = num(v)));
  take('--conns-per-proc', (v) => (o.connsPerProc = Math.min(19_000, num(v))));
  take('--source-addrs', (v) => (o.sourceAddrs = num(v)));
  take('--register-concurrency', (v) => (o.registerConcurrency = num(v)));
  take('--scrypt-cost', (v) => (o.scryptCost = num(v)));
  take('--lexicon-dir', (v) => (o.lexiconDir = v));
  take('--gateway-processes', (v) => {
    if (v !== 'auto' && !/^\d+$/.test(v)) throw new Error('--gateway-processes must be auto or a number');
    o.gatewayProcesses = v;
  });
  take('--out', (v) => (o.outDir = v));
  take('--gateways', (v) => {
    o.gateways = num(v);
    if (!Number.isInteger(o.gateways) || o.gateways < 1 || o.gateways > 8) throw new Error('--gateways must be 1..8');
    o.roomPushBudget = Math.round(100_000 / o.gateways);
  });
  take('--before-send-hook', () => (o.beforeSendHook = true));
  take('--webhooks', () => (o.webhooks = true));
  take('--transport', (v) => {
    if (v !== 'ws' && v !== 'tcp') throw new Error('--transport must be ws or tcp');
    o.transport = v;
  });
  take('--payload', (v) => {
    if (v !== 'custom' && v !== 'text') throw new Error('--payload must be custom or text');
    o.payload = v;
  });
  take('--room-push-budget', (v) => (o.roomPushBudget = num(v)));
  if (flags.has('--ws-deflate')) o.wsDeflate = true;
  if (flags.has('--no-pin')) o.pin = false;
  const url = flags.get('--xinbox-url');
  known.add('--xinbox-url').add('--xinbox-ws').add('--xinbox-pid');
  if (url) {
    const httpBase = assertLoopbackUrl(url);
    const ws = flags.get('--xinbox-ws');
    const wsUrls = ws ? list(ws).map(assertLoopbackUrl) : [`${httpBase.replace(/^http/, 'ws')}/ws`];
    const pids = flags.get('--xinbox-pid');
    o.external = { httpBase, wsUrls, pids: pids ? list(pids).map(num) : [] };
  }
  for (const f of flags.keys()) if (!known.has(f)) throw new Error(`unknown option ${f}`);
  return { mode: 'run', opts: o };
}

function num(v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new Error(`not a non-negative number: ${v}`);
  return n;
}

function list(v: string): string[] {
  return v.split(',').map((s) => s.trim()).filter(Boolean);
}
