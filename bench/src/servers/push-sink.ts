/**
 * The phone platforms in the push-cost benchmark: the test suite's local
 * stand-ins for APNs (HTTP/2, ES256 provider token verified on every
 * request) and FCM HTTP v1 (OAuth token exchange with an RS256 assertion,
 * then bearer-checked sends), in one process on the load CPU. They accept
 * every notification; this process counts them (and the messages each one
 * stands for: `<n> new messages · ...`) and times each one from the
 * send stamp the notification's text carries (bench --payload text: the
 * preview is the message text, whose first 28 characters are the stamp) to
 * its arrival here. Writes the server's provider settings (key file,
 * service account, URLs) to SINK_DIR/push-sink.json before it reports ready;
 * serves its counters at GET /stats (`?reset=1` starts a new window).
 */
import { createServer } from 'node:http';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ApnsStandIn, FcmStandIn } from '../../../packages/server/test/support/push-standins.js';
import { decodeTextStamp } from '../load/payload.js';
import { nowMs } from '../time.js';

const dir = process.env.SINK_DIR!;
const statsPort = Number(process.env.SINK_PORT);
const apns = new ApnsStandIn('BENCHTEAM1', 'BENCHKEY01', 'com.example.xinbox-bench');
const fcm = new FcmStandIn('xinbox-bench');
apns.keep = false;
fcm.keep = false;

const counters = { apns: 0, fcm: 0, unstamped: 0 };
/** Since the last reset: notifications, first and last arrival, and each stamped one's latency (ms). */
let window = { notifications: 0, messages: 0, firstAt: 0, lastAt: 0, latencies: [] as number[] };
const MAX_SAMPLES = 200_000;

/** A preview is `<text>` or `<n> new messages · <text>` (a burst: messages to one user in one conversation that were committed together). */
function countOf(body: string): number {
  const m = /^(\d+) new messages · /.exec(body);
  return m ? Number(m[1]) : 1;
}

/** The stamp is the burst's last message's. */
function latencyOf(body: string, at: number): number | undefined {
  const dot = body.indexOf(' · ');
  const text = dot >= 0 ? body.slice(dot + 3) : body;
  const stamp = decodeTextStamp(Buffer.from(text, 'latin1').subarray(0, 28));
  return stamp && stamp.sentAt > 0 ? at - stamp.sentAt : undefined;
}

const received = (kind: 'apns' | 'fcm') => (_token: string, alert: { body: string }): void => {
  const at = nowMs();
  counters[kind]++;
  window.notifications++;
  window.messages += countOf(alert.body);
  window.firstAt ||= at;
  window.lastAt = at;
  const latency = latencyOf(alert.body, at);
  if (latency === undefined) counters.unstamped++;
  else if (window.latencies.length < MAX_SAMPLES) window.latencies.push(latency);
};
apns.onPush = received('apns');
fcm.onPush = received('fcm');

function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return -1;
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]! * 10) / 10;
}

const stats = createServer((req, res) => {
  const sorted = [...window.latencies].sort((a, b) => a - b);
  const w = { notifications: window.notifications, messages: window.messages, firstAt: window.firstAt, lastAt: window.lastAt, stamped: sorted.length, p50Ms: percentile(sorted, 0.5), p99Ms: percentile(sorted, 0.99), maxMs: percentile(sorted, 1) };
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ...counters, window: w }));
  if (req.url?.includes('reset=1')) window = { notifications: 0, messages: 0, firstAt: 0, lastAt: 0, latencies: [] };
});

const apnsUrl = await apns.start();
const fcmUrl = await fcm.start();
const keyFile = join(dir, 'apns-key.p8');
const accountFile = join(dir, 'fcm-service-account.json');
writeFileSync(keyFile, apns.privateKeyPem);
writeFileSync(accountFile, JSON.stringify(fcm.serviceAccount));
writeFileSync(join(dir, 'push-sink.json'), JSON.stringify({
  XINBOX_APNS_URL: apnsUrl, XINBOX_APNS_TEAM_ID: apns.teamId, XINBOX_APNS_KEY_ID: apns.keyId, XINBOX_APNS_KEY_FILE: keyFile, XINBOX_APNS_TOPIC: apns.topic,
  XINBOX_FCM_URL: fcmUrl, XINBOX_FCM_SERVICE_ACCOUNT_FILE: accountFile,
}));
stats.listen(statsPort, '127.0.0.1', () => console.log(`push-sink listening ${statsPort}`));
const stop = (): void => {
  console.log(`push-sink counters ${JSON.stringify(counters)}`);
  stats.close();
  void Promise.all([apns.stop(), fcm.stop()]).finally(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
