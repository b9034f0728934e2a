/**
 * Deterministic pseudo-random integers (xorshift32) for the micro-benchmarks,
 * so two runs (or a before and an after) see the same inputs. Not for
 * anything that needs good randomness.
 */
export function xorshift(seed: number): (n: number) => number {
  let s = seed | 0 || 1;
  return (n) => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) % n;
  };
}
