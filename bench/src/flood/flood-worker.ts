/**
 * A flooding client on its own thread (so its reply decoding does not slow
 * the healthy pair's measurements): writes pipelined requests whenever its
 * socket takes them, for `durationMs`, and reports what came back.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { FloodClient } from './flood-client.js';

export interface FloodWorkerInput {
  readonly url: string;
  readonly token: string;
  readonly kind: 'send' | 'read';
  readonly conversationId: string;
  readonly durationMs: number;
}

export interface FloodWorkerResult {
  readonly kind: 'send' | 'read';
  readonly written: number;
  readonly replies: Record<string, number>;
  /** Largest unsent backlog in the client's own socket: the server had stopped reading (backpressure). */
  readonly maxBufferedBytes: number;
  /** Share of the run the client could not write because its socket was full. */
  readonly blockedPct: number;
  readonly closeCode: number | null;
}

const HIGH_WATER = 256 * 1024;
const BATCH = 64;

async function run(input: FloodWorkerInput): Promise<FloodWorkerResult> {
  const c = await FloodClient.open(input.url, input.token);
  const replies: Record<string, number> = {};
  c.onReply = (f) => {
    const k = f.body.case === 'error' ? f.body.value.name : (f.body.case ?? 'empty');
    replies[k] = (replies[k] ?? 0) + 1;
  };
  let written = 0;
  let maxBuffered = 0;
  let blockedMs = 0;
  const started = Date.now();
  let i = 0;
  while (Date.now() - started < input.durationMs && c.closeCode === null) {
    const buffered = c.bufferedAmount;
    if (buffered > maxBuffered) maxBuffered = buffered;
    if (buffered > HIGH_WATER) {
      const t = Date.now();
      await new Promise((r) => setTimeout(r, 2));
      blockedMs += Date.now() - t;
      continue;
    }
    const bodies = Array.from({ length: BATCH }, () => {
      i++;
      return input.kind === 'send'
        ? { case: 'send' as const, value: { conversationId: input.conversationId, clientMsgId: `flood-${started}-${i}`, content: { kind: { case: 'text' as const, value: { text: `flood ${i}` } } } } }
        : i % 3 === 0
          ? { case: 'listConversations' as const, value: { limit: 200 } }
          : i % 3 === 1
            ? { case: 'history' as const, value: { conversationId: input.conversationId, limit: 100 } }
            : { case: 'sync' as const, value: { cursor: 0, limit: 500 } };
    });
    c.pipeline(bodies);
    written += BATCH;
    await new Promise((r) => setImmediate(r));
  }
  await new Promise((r) => setTimeout(r, 500));
  const result = { kind: input.kind, written, replies, maxBufferedBytes: maxBuffered, blockedPct: Math.round((blockedMs / (Date.now() - started)) * 1000) / 10, closeCode: c.closeCode };
  c.close();
  return result;
}

run(workerData as FloodWorkerInput).then(
  (r) => parentPort!.postMessage({ ok: true, result: r }),
  (e: Error) => parentPort!.postMessage({ ok: false, error: e.message }),
);
