import { XinboxError } from '@xinbox/protocol';

/** A check's verdict: passed, or refused with a catalog error. */
export type CheckOutcome = { ok: true } | { ok: false; code: number; message: string };

const refused = (e: unknown): CheckOutcome => {
  if (!(e instanceof XinboxError)) throw e;
  return { ok: false, code: e.code, message: e.message };
};

/**
 * Runs a check that may answer synchronously (a `...Now` fast path: returns
 * or throws at once when cached, else a promise): whether it did, and its
 * verdict, so a test can compare it with the promise-only path.
 */
export async function runCheck(check: () => void | Promise<void>): Promise<{ sync: boolean; outcome: CheckOutcome }> {
  let result: void | Promise<void>;
  try {
    result = check();
  } catch (e) {
    return { sync: true, outcome: refused(e) };
  }
  if (result === undefined) return { sync: true, outcome: { ok: true } };
  try {
    await result;
    return { sync: false, outcome: { ok: true } };
  } catch (e) {
    return { sync: false, outcome: refused(e) };
  }
}
