import type { Logger } from '../../logger.js';

/**
 * The refresh loop of a per-app snapshot (AppLimitResolver, AppWebhooks,
 * AppBeforeSend, AppNotifiers): read once at start, so the first request
 * sees the apps, then every `everyMs` on an unref'd timer. A failed read is
 * logged and the previous snapshot kept: the next tick tries again, and a
 * store outage never empties what the node already knew.
 */
export class AppSnapshotRefresh {
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly read: () => Promise<void>,
    private readonly everyMs: number,
    private readonly log: Pick<Logger, 'warn'>,
    /** What is read, for the warning ("the apps' limits"). */
    private readonly what: string,
  ) {}

  async start(): Promise<void> {
    await this.read();
    if (this.timer) return;
    this.timer = setInterval(() => void this.read().catch((e) => this.log.warn(`reading ${this.what} failed`, e)), this.everyMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
