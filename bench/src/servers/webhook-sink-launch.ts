import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchOptions } from '../options.js';
import { freePort } from './ports.js';
import { spawnServerProcess } from './launch.js';

const SINK = join(fileURLToPath(new URL('.', import.meta.url)), 'webhook-sink.ts');
const SECRET = 'bench-webhook-secret-0123456789';

/** Starts the sink on the load CPU and returns the XINBOX_* settings that point the server at it. */
export async function startWebhookSink(opts: BenchOptions, logDir: string): Promise<{ env: Record<string, string>; stop(): Promise<void> }> {
  const port = await freePort();
  const sink = await spawnServerProcess({
    label: 'webhook-sink', script: SINK, ready: 'webhook-sink listening', env: { SINK_PORT: String(port), SINK_SECRET: SECRET },
    pin: opts.pin, serverCpu: opts.loadCpu, logDir, readyTimeoutMs: 30_000,
  });
  const env: Record<string, string> = { XINBOX_WEBHOOK_SECRET: SECRET };
  if (opts.beforeSendHook) env.XINBOX_BEFORE_SEND_URL = `http://127.0.0.1:${port}/before-send`;
  if (opts.webhooks) env.XINBOX_WEBHOOK_URL = `http://127.0.0.1:${port}/events`;
  return { env, stop: () => sink.stop() };
}
