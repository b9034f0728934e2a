/**
 * Prometheus metrics of one node (prom-client), served as text at /metrics.
 * One Registry per node, constructed and injected: two nodes in one process
 * (tests, the cluster harness) never share counters. Every series carries the
 * `node` label and a `role` label naming the role that produces it.
 *
 * Cost on the hot path: events that happen per message (send acked, batch
 * committed, fan-out) observe a FixedLabelHistogram (no label hashing per
 * observation); everything the node already counts (connections, queue
 * depths, deliveries, room counters) is read only when scraped, through
 * `collect`.
 */
import { Counter, Gauge, Registry } from 'prom-client';
import type { Role } from '../config.js';
import type { SendObserver } from '../core/messaging/send-pipeline.js';
import type { GatewayObserver } from '../gateway/gateway.js';
import type { LoopDelayFigures } from '../runtime/event-loop-delay.js';
import { FixedLabelHistogram } from './fixed-label-histogram.js';

/** What the node already counts, read at scrape time; absent parts belong to roles this node does not run. */
export interface MetricsSources {
  readonly connections?: () => number;
  readonly users?: () => number;
  readonly outboundBacklogBytes?: () => number;
  readonly delivered?: () => number;
  readonly sendQueue?: () => number;
  readonly rpcInFlight?: () => number;
  readonly forwarded?: () => number;
  readonly executed?: () => number;
  readonly logicNodes?: () => number;
  /** The node's EventLoopDelayMonitor (delay beyond its sampling resolution, in ms). */
  readonly eventLoopDelay?: () => { sinceStart: LoopDelayFigures; lastWindow: LoopDelayFigures };
  readonly rooms?: () => Record<string, number | undefined>;
  /** The search index backfill (core/search/SearchBackfill). */
  readonly searchBackfill?: () => { scanned: number; indexed: number; done: boolean };
}

/** Seconds: 0.5 ms .. 10 s, dense where an ack on one machine lands. */
const LATENCY_BUCKETS = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10];
const FANOUT_BUCKETS = [1, 2, 5, 10, 20, 50, 100, 200, 500];

export class NodeMetrics implements SendObserver, GatewayObserver {
  readonly registry = new Registry();
  private sources: MetricsSources = {};
  private readonly sendAckLatency;
  private readonly commitLatency;
  private readonly commitBatch;
  private readonly fanout;
  private readonly audiencePublishes;
  private readonly rateLimits;

  constructor(nodeId: string, readonly roles: readonly Role[]) {
    const registers = [this.registry];
    this.registry.setDefaultLabels({ node: nodeId });
    // Not prom-client's collectDefaultMetrics: it starts an event-loop monitor and GC observer per call that
    // nothing stops, so every node started in a test process would leave them behind. The node's own
    // monitor (stopped with the node) feeds xinbox_event_loop_delay_seconds; process figures are read here.
    processMetrics(registers);

    this.sendAckLatency = new FixedLabelHistogram({
      name: 'xinbox_send_ack_seconds', help: 'Time from a Send frame arriving at the gateway to its ack being queued (commit and forwarding included)',
      labels: { role: 'gateway' }, buckets: LATENCY_BUCKETS, registers,
    });
    this.commitLatency = new FixedLabelHistogram({
      name: 'xinbox_commit_seconds', help: 'Duration of one storage transaction of the send pipeline (group commit)',
      labels: { role: 'logic' }, buckets: LATENCY_BUCKETS, registers,
    });
    this.commitBatch = new FixedLabelHistogram({
      name: 'xinbox_commit_batch_sends', help: 'Sends committed per storage transaction',
      labels: { role: 'logic' }, buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024], registers,
    });
    this.fanout = new FixedLabelHistogram({
      name: 'xinbox_fanout_recipients', help: 'Timelines one committed message is written to (write fan-out size)',
      labels: { role: 'logic' }, buckets: FANOUT_BUCKETS, registers,
    });
    this.audiencePublishes = new Counter({
      name: 'xinbox_audience_publishes_total', help: 'Messages of read-fan-out conversations published once to their audience',
      labelNames: ['role'], registers,
    }).labels({ role: 'logic' });
    this.rateLimits = new Counter({
      name: 'xinbox_rate_limited_total', help: 'Requests refused with RATE_LIMITED, by scope',
      labelNames: ['role', 'scope'], registers,
    });

    // collect() runs with `this` bound to the metric; the sources are read through this closure.
    const sources = (): MetricsSources => this.sources;
    const gauge = (name: string, help: string, role: Role, read: (s: MetricsSources) => (() => number) | undefined) =>
      new Gauge({
        name, help, labelNames: ['role'], registers,
        collect() {
          const f = read(sources());
          if (f) this.set({ role }, f());
        },
      });
    /** A counter the node keeps as a plain number: reported by adding what it grew since the last scrape. */
    const total = (name: string, help: string, role: Role, read: (s: MetricsSources) => (() => number) | undefined) => {
      let reported = 0;
      return new Counter({
        name, help, labelNames: ['role'], registers,
        collect() {
          const f = read(sources());
          if (!f) return;
          const now = f();
          if (now > reported) this.inc({ role }, now - reported);
          reported = now;
        },
      });
    };
    gauge('xinbox_connections', 'Open client connections (WebSocket and TCP)', 'gateway', (s) => s.connections);
    gauge('xinbox_online_users', 'Users with at least one connection on this gateway', 'gateway', (s) => s.users);
    gauge('xinbox_outbound_backlog_bytes', 'Bytes queued to clients and not yet handed to the kernel, over all connections', 'gateway', (s) => s.outboundBacklogBytes);
    total('xinbox_deliveries_total', 'Frames (pushes) handed to local connections', 'gateway', (s) => s.delivered);
    total('xinbox_forwarded_requests_total', 'Requests forwarded to their conversation owner on another node', 'gateway', (s) => s.forwarded);
    gauge('xinbox_rpc_in_flight', 'Forwarded requests waiting for their reply (queue depth)', 'gateway', (s) => s.rpcInFlight);
    gauge('xinbox_send_queue', 'Sends waiting for the next group commit (queue depth)', 'logic', (s) => s.sendQueue);
    total('xinbox_executed_requests_total', 'Requests executed for other nodes', 'logic', (s) => s.executed);
    total('xinbox_search_backfill_scanned_total', 'Messages the search index backfill examined', 'logic', (s) => s.searchBackfill && (() => s.searchBackfill!().scanned));
    total('xinbox_search_backfill_indexed_total', 'Messages the search index backfill indexed', 'logic', (s) => s.searchBackfill && (() => s.searchBackfill!().indexed));
    gauge('xinbox_search_backfill_done', 'The search index backfill is complete (1) or still running (0)', 'logic', (s) => s.searchBackfill && (() => (s.searchBackfill!().done ? 1 : 0)));
    gauge('xinbox_logic_nodes', 'Logic nodes in the owner ring as seen by this node', 'gateway', (s) => s.logicNodes);
    new Gauge({
      name: 'xinbox_event_loop_delay_seconds', help: 'Event-loop delay of this process (monitorEventLoopDelay): since start, and over the last completed 1-s window',
      labelNames: ['window', 'stat'], registers,
      collect() {
        const d = sources().eventLoopDelay?.();
        if (!d) return;
        for (const [window, f] of [['since_start', d.sinceStart], ['last_window', d.lastWindow]] as const) {
          // The monitor reports 0, never NaN, before its first sample; guard anyway (the text format has no NaN for gauges we trust).
          const put = (stat: string, ms: number) => this.set({ window, stat }, Number.isFinite(ms) ? ms / 1e3 : 0);
          put('mean', f.meanMs);
          put('p50', f.p50Ms);
          put('p99', f.p99Ms);
          put('max', f.maxMs);
        }
      },
    });
    const roomReported = new Map<string, number>();
    new Counter({
      name: 'xinbox_room_events_total', help: 'Live-room counters of this gateway (the `rooms` object of /v1/metrics), by event',
      labelNames: ['role', 'event'], registers,
      collect() {
        const stats = sources().rooms?.() ?? {};
        for (const [event, value] of Object.entries(stats)) {
          if (typeof value !== 'number' || event === 'roomConnections') continue;
          const before = roomReported.get(event) ?? 0;
          if (value > before) this.inc({ role: 'gateway', event }, value - before);
          roomReported.set(event, value);
        }
      },
    });
    gauge('xinbox_room_connections', 'Connections joined to at least one live room', 'gateway', (s) => (s.rooms ? () => s.rooms!().roomConnections ?? 0 : undefined));
  }

  /** Connect the counters the node keeps (called once the parts exist). */
  watch(sources: MetricsSources): void {
    this.sources = sources;
  }

  sendAcked(seconds: number): void {
    this.sendAckLatency.observe(seconds);
  }

  committed(sends: number, seconds: number): void {
    this.commitLatency.observe(seconds);
    this.commitBatch.observe(sends);
  }

  fannedOut(mode: 'timeline' | 'audience', recipients: number): void {
    if (mode === 'timeline') this.fanout.observe(recipients);
    else this.audiencePublishes.inc();
  }

  /** Count a refusal with RATE_LIMITED; `role` is the role whose limit fired (gateway by default). */
  rateLimited(scope: string, role: Role = 'gateway'): void {
    this.rateLimits.inc({ role, scope });
  }

  /** The Prometheus text exposition of every metric. */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}

/** Standard process_* / nodejs_* figures, read at scrape time (no timers). */
function processMetrics(registers: Registry[]): void {
  new Counter({
    name: 'process_cpu_seconds_total', help: 'User and system CPU time spent in seconds', registers,
    collect() {
      const { user, system } = process.cpuUsage();
      this.reset();
      this.inc((user + system) / 1e6);
    },
  });
  new Gauge({ name: 'process_resident_memory_bytes', help: 'Resident memory size in bytes', registers, collect() { this.set(process.memoryUsage.rss()); } });
  new Gauge({
    name: 'nodejs_heap_size_used_bytes', help: 'V8 heap in use in bytes', registers,
    collect() { this.set(process.memoryUsage().heapUsed); },
  });
  const started = Date.now() / 1e3 - process.uptime();
  new Gauge({ name: 'process_start_time_seconds', help: 'Start time of the process since the Unix epoch in seconds', registers, collect() { this.set(started); } });
}
