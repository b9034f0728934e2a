/**
 * The customer's backend in the platform benchmarks: one HTTP server that
 * answers the before-send check (allow, as 204) and accepts webhook batches,
 * verifying every signature as a real receiver would. Started by the bench
 * (`--before-send-hook`, `--webhooks`) on the load CPU; prints its counters
 * when stopped.
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
const counters = { checks: 0, batches: 0, events: 0, badSignatures: 0 };

const server = createServer((req, res) => {
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
    counters.batches++;
    // Count events without parsing the whole batch: each event has one "type" key at its top level.
    counters.events += body.split('"type":').length - 1;
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
