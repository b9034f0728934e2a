/**
 * Exponential backoff with full jitter: the n-th delay (n from 0) is drawn
 * uniformly from [0, min(maxMs, baseMs * 2^n)]. Full jitter spreads a herd of
 * clients reconnecting after a gateway restart over the whole window.
 */
export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
  /** Source of uniform randoms in [0, 1); injectable for tests. */
  random?: () => number;
}

export class Backoff {
  private attempt = 0;
  private readonly random: () => number;

  constructor(private readonly opts: BackoffOptions) {
    if (!(opts.baseMs > 0) || !(opts.maxMs >= opts.baseMs)) {
      throw new RangeError(`invalid backoff bounds base=${opts.baseMs} max=${opts.maxMs}`);
    }
    this.random = opts.random ?? Math.random;
  }

  /** Upper bound of the next delay (without jitter). */
  ceiling(): number {
    // Cap the exponent so 2^n cannot overflow to Infinity after many attempts.
    const exp = Math.min(this.attempt, 30);
    return Math.min(this.opts.maxMs, this.opts.baseMs * 2 ** exp);
  }

  /** The delay before the next attempt; advances the attempt counter. */
  next(): number {
    const delay = Math.floor(this.random() * (this.ceiling() + 1));
    this.attempt++;
    return Math.min(delay, this.opts.maxMs);
  }

  get attempts(): number {
    return this.attempt;
  }

  reset(): void {
    this.attempt = 0;
  }
}
