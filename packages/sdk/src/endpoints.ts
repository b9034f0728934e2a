/**
 * Chooses the gateway to connect to. The server's access endpoint returns a
 * ranked list; the selector asks for it before connecting (when the cached
 * list is older than its ttl), keeps the last good list when the call fails,
 * tries the entries in order, and ends with the configured address.
 */
import type { AccessList } from './http-api.js';

export interface GatewayTarget {
  readonly ws: string;
  readonly tcp: { readonly host: string; readonly port: number };
}

export interface EndpointSelectorOptions {
  /** Undefined when access scheduling is disabled. */
  readonly fetchList?: () => Promise<AccessList>;
  readonly fallback: GatewayTarget;
  /** Only endpoints usable by this transport are tried. */
  readonly transport: 'ws' | 'tcp';
  readonly onError?: (err: unknown) => void;
  readonly now?: () => number;
}

export class EndpointSelector {
  private list: AccessList | undefined;
  private fetchedAt = 0;
  private index = 0;
  private readonly now: () => number;

  constructor(private readonly opts: EndpointSelectorOptions) {
    this.now = opts.now ?? Date.now;
  }

  /** Ordered candidates: the usable part of the access list, then the fallback. */
  candidates(): GatewayTarget[] {
    const out: GatewayTarget[] = [];
    for (const e of this.list?.endpoints ?? []) {
      if (this.opts.transport === 'tcp' && !e.tcp) continue;
      out.push({ ws: e.ws, tcp: e.tcp ?? this.opts.fallback.tcp });
    }
    const fb = this.opts.fallback;
    if (!out.some((c) => c.ws === fb.ws && c.tcp.host === fb.tcp.host && c.tcp.port === fb.tcp.port)) out.push(fb);
    return out;
  }

  /** The endpoint for the next attempt; refreshes the list when stale. */
  async current(): Promise<GatewayTarget> {
    if (this.opts.fetchList && (!this.list || this.now() - this.fetchedAt >= this.list.ttlMs)) {
      try {
        const fresh = await this.opts.fetchList();
        const changed = JSON.stringify(fresh.endpoints) !== JSON.stringify(this.list?.endpoints);
        this.list = fresh;
        this.fetchedAt = this.now();
        if (changed) this.index = 0;
      } catch (err) {
        // Keep using the last list (or the fallback); try again next attempt.
        this.opts.onError?.(err);
      }
    }
    const all = this.candidates();
    return all[this.index % all.length]!;
  }

  /** The current endpoint failed or is draining: move to the next one. */
  advance(): void {
    this.index = (this.index + 1) % this.candidates().length;
  }

  /** Forget the cached list (e.g. a different region). */
  invalidate(): void {
    this.list = undefined;
    this.fetchedAt = 0;
    this.index = 0;
  }
}
