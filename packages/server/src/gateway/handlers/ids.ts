import { Errors, Limits, XinboxError } from '@xinbox/protocol';

/** Parse a decimal id string from the wire; ids are below 2^53. */
export function parseId(raw: string, field: string, allowZero = false): number {
  if (!/^\d{1,16}$/.test(raw)) throw new XinboxError(Errors.INVALID_ARGUMENT, `${field} must be a decimal id`);
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || (!allowZero && n === 0)) throw new XinboxError(Errors.INVALID_ARGUMENT, `${field} must be a positive id`);
  return n;
}

export function parseIds(raw: readonly string[], field: string): number[] {
  if (raw.length > Limits.maxIdsPerRequest) throw new XinboxError(Errors.LIST_TOO_LARGE, `${field} holds more than ${Limits.maxIdsPerRequest} ids`);
  return raw.map((r) => parseId(r, field));
}
