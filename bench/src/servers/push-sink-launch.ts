import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchOptions } from '../options.js';
import { freePort } from './ports.js';
import { spawnServerProcess } from './launch.js';

const SINK = join(fileURLToPath(new URL('.', import.meta.url)), 'push-sink.ts');

/** Starts the APNs/FCM stand-ins (push-sink.ts) on the load CPU; returns the XINBOX_* settings pointing the server at them and the stats URL. */
export async function startPushSink(opts: BenchOptions, logDir: string): Promise<{ env: Record<string, string>; statsUrl: string; stop(): Promise<void> }> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'xinbox-push-sink-'));
  const sink = await spawnServerProcess({
    label: 'push-sink', script: SINK, ready: 'push-sink listening', env: { SINK_PORT: String(port), SINK_DIR: dir },
    pin: opts.pin, serverCpu: opts.loadCpu, logDir, readyTimeoutMs: 30_000,
  });
  const env = JSON.parse(readFileSync(join(dir, 'push-sink.json'), 'utf8')) as Record<string, string>;
  return {
    env,
    statsUrl: `http://127.0.0.1:${port}/stats`,
    stop: async () => {
      await sink.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
