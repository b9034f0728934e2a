import type { Logger } from '../logger.js';
import type { MediaService } from './media-service.js';

/**
 * Runs MediaService.collect every interval: an upload nobody sent within the
 * TTL, and an upload never finished within it, is deleted. Every node runs
 * one; the work is idempotent (a record deleted twice is a no-op).
 */
export class MediaCollector {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;
  collected = 0;

  constructor(private readonly media: MediaService, private readonly ttlMs: number, private readonly intervalMs: number, private readonly log: Logger) {}

  start(): void {
    this.timer = setInterval(() => void this.runOnce(), this.intervalMs);
    this.timer.unref();
  }

  async runOnce(): Promise<{ media: number; uploads: number }> {
    if (this.running) await this.running;
    const run = this.media.collect(this.ttlMs).then((r) => {
      this.collected += r.media + r.uploads;
      if (r.media || r.uploads) this.log.info(`media collector removed ${r.media} unreferenced items and ${r.uploads} stale uploads`);
      return r;
    }, (e: unknown) => {
      this.log.warn('media collection failed', e);
      return { media: 0, uploads: 0 };
    });
    this.running = run;
    try {
      return await run;
    } finally {
      this.running = null;
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }
}
