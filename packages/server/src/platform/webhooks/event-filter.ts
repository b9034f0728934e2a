/**
 * Per-event subscriptions: a comma list of event types, `prefix.*` patterns
 * or `*` (everything), e.g. "message.sent,group.*,user.online".
 */
export class EventFilter {
  private readonly exact = new Set<string>();
  private readonly prefixes: string[] = [];
  private readonly all: boolean;
  private readonly cache = new Map<string, boolean>();

  constructor(spec: string) {
    const parts = spec.split(',').map((s) => s.trim()).filter(Boolean);
    this.all = parts.includes('*');
    for (const p of parts) {
      if (p.endsWith('.*')) this.prefixes.push(p.slice(0, -1));
      else this.exact.add(p);
    }
  }

  matches(type: string): boolean {
    if (this.all) return true;
    let hit = this.cache.get(type);
    if (hit === undefined) {
      hit = this.exact.has(type) || this.prefixes.some((p) => type.startsWith(p));
      // Types are a small fixed set: the cache stays small.
      if (this.cache.size < 1000) this.cache.set(type, hit);
    }
    return hit;
  }

  /** Could some type starting with `prefix` (e.g. "group.") match? */
  mayMatchPrefix(prefix: string): boolean {
    return this.all || [...this.exact].some((t) => t.startsWith(prefix)) || this.prefixes.some((p) => p.startsWith(prefix) || prefix.startsWith(p));
  }

  /** Nothing subscribed: emitting can be skipped entirely. */
  get none(): boolean {
    return !this.all && this.exact.size === 0 && this.prefixes.length === 0;
  }
}
