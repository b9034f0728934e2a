import { randomInt } from 'node:crypto';
import type { UserId } from '../model.js';

/** Smallest random user id: everything below stays free for ids allocated before ADR 0008. */
export const MIN_RANDOM_USER_ID = 2 ** 32;

/**
 * A random user id in [2^32, 2^53): 53 - 32 ≈ 2^52.99 values, so a scanner
 * probing ids finds one of N users once per ~9·10^15 / N probes (ADR 0008).
 * Safe integers only, so every existing number-typed path keeps working.
 */
export function randomUserId(): UserId {
  // randomInt spans at most 2^48 values: draw the high and the low part separately.
  const high = randomInt(1, 2 ** 21);
  const low = randomInt(0, 2 ** 32);
  return high * 2 ** 32 + low;
}
