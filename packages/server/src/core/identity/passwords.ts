import { randomBytes, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';

/**
 * scrypt password hashes with a per-user random salt, stored as
 * `scrypt$N$r$p$salt$hash` (base64url) so parameters can be raised later
 * without invalidating old hashes.
 */
const R = 8;
const P = 1;
const KEY_LEN = 32;

function scrypt(password: string, salt: Buffer, n: number, r: number, p: number): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scryptCb(password, salt, KEY_LEN, { N: n, r, p, maxmem: 64 * 1024 * 1024 }, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

/** Hash with cost N = 2^log2N (the stored string records it, so verify needs no config). */
export async function hashPassword(password: string, log2N = 14): Promise<string> {
  const n = 2 ** log2N;
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, n, R, P);
  return ['scrypt', n, R, P, salt.toString('base64url'), key.toString('base64url')].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [, n, r, p, salt, hash] = parts as [string, string, string, string, string, string];
  const expected = Buffer.from(hash, 'base64url');
  const cost = Number(n);
  // Refuse parameters that would let a stored string demand unbounded work.
  if (!(cost >= 2 && cost <= 2 ** 20 && Number(r) <= 16 && Number(p) <= 4)) return false;
  const actual = await scrypt(password, Buffer.from(salt, 'base64url'), cost, Number(r), Number(p));
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** A hash to compare against when the user does not exist, so timing does not reveal it. */
export const DUMMY_HASH_PROMISE: Promise<string> = hashPassword('xinbox-dummy-password');
