/**
 * The customer's backend in the platform benchmarks: one HTTP server that
 * answers the before-send check (allow, as 204) and accepts webhook batches,
 * verifying every signature as a real receiver would. Started by the bench
 * (`--before-send-hook`, `--webhooks`, or a workload that asks for it) on
 * the load CPU; prints its counters when stopped, and serves them at
 * GET /stats (the webhooks workload's end-to-end throughput and lag).
 */
import { createServer } from 'node:http';
import { createHmac, timingSafeEqual } from 'node:crypto';

/** The receiver's check of docs/integration.md "Verifying a request" (300 s replay window). */
function verifyWebhook(key: string, headers: Record<string, string | undefined>, body: string): { ok: boolean } {
  const ts = headers['xinbox-timestamp'];
  const sig = headers['xinbox-signature'];
  if (!ts || !sig || Math.abs(Date.now() / 1000 - Number(ts)) > 300) return { ok: false };
  const expected = createHmac('sha256', key).update(`${ts}.${body}`).digest();
  return { ok: sig.split(',').some((p) => p.startsWith('v1=') && p.length === 67 && timingSafeEqual(Buffer.from(p.slice(3), 'hex'), expected)) };
}

const port = Number(process.env.SINK_PORT);
const secret = process.env.SINK_SECRET ?? '';
const counters = { checks: 0, batches: 0, events: 0, badSignatures: 0, refused: 0 };
/** Since the last `GET /stats?reset=1`: events received, when the first and last arrived, and their lag (receipt - event time). */
let window = { events: 0, firstAt: 0, lastAt: 0, lagSumMs: 0, lagMaxMs: 0 };
/** While paused the receiver is "down": batches get 503 (the backlog phase of the webhooks workload). */
let paused = false;

const server = createServer((req, res) => {
  if (req.method === 'GET' && req.url?.startsWith('/stats')) {
    // The bench's own read (webhooks workload), unsigned; never a receiver's path.
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ...counters, window }));
    if (req.url.includes('reset=1')) window = { events: 0, firstAt: 0, lastAt: 0, lagSumMs: 0, lagMaxMs: 0 };
    if (req.url.includes('pause=1')) paused = true;
    if (req.url.includes('resume=1')) paused = false;
    return;
  }
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8');
    if (!verifyWebhook(secret, req.headers as Record<string, string>, body).ok) {
      counters.badSignatures++;
      res.writeHead(401).end();
      return;
    }
    if (req.url === '/before-send') {
      counters.checks++;
      res.writeHead(204).end();
      return;
    }
    if (paused) {
      counters.refused++;
      res.writeHead(503).end();
      return;
    }
    counters.batches++;
    // Parsed as a real receiver would; each event's `time` is when the server emitted it.
    const now = Date.now();
    const events = (JSON.parse(body) as { events: Array<{ time: number }> }).events;
    counters.events += events.length;
    window.events += events.length;
    window.firstAt ||= now;
    window.lastAt = now;
    for (const e of events) {
      const lag = now - e.time;
      window.lagSumMs += lag;
      if (lag > window.lagMaxMs) window.lagMaxMs = lag;
    }
    res.writeHead(200).end();
  });
});
server.keepAliveTimeout = 65_000;
server.listen(port, '127.0.0.1', () => console.log(`webhook-sink listening ${port}`));
const stop = (): void => {
  console.log(`webhook-sink counters ${JSON.stringify(counters)}`);
  server.close();
  server.closeAllConnections();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
