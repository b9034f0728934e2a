import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchOptions } from '../options.js';
import { freePort } from './ports.js';
import { spawnServerProcess } from './launch.js';

const SINK = join(fileURLToPath(new URL('.', import.meta.url)), 'webhook-sink.ts');
const SECRET = 'bench-webhook-secret-0123456789';

/** What the server is pointed at the sink for: the before-send check, webhook delivery, or both. */
export interface SinkUse {
  readonly beforeSend: boolean;
  readonly webhooks: boolean;
  /** The APNs/FCM stand-ins instead (push-sink-launch.ts). */
  readonly push?: boolean;
}

/** Starts the sink on the load CPU and returns the XINBOX_* settings that point the server at it, and its stats URL. */
export async function startWebhookSink(opts: BenchOptions, use: SinkUse, logDir: string): Promise<{ env: Record<string, string>; statsUrl: string; stop(): Promise<void> }> {
  const port = await freePort();
  const sink = await spawnServerProcess({
    label: 'webhook-sink', script: SINK, ready: 'webhook-sink listening', env: { SINK_PORT: String(port), SINK_SECRET: SECRET },
    pin: opts.pin, serverCpu: opts.loadCpu, logDir, readyTimeoutMs: 30_000,
  });
  const env: Record<string, string> = { XINBOX_WEBHOOK_SECRET: SECRET };
  if (use.beforeSend) env.XINBOX_BEFORE_SEND_URL = `http://127.0.0.1:${port}/before-send`;
  if (use.webhooks) env.XINBOX_WEBHOOK_URL = `http://127.0.0.1:${port}/events`;
  return { env, statsUrl: `http://127.0.0.1:${port}/stats`, stop: () => sink.stop() };
}
