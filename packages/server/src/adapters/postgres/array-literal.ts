/**
 * PostgreSQL array literals, passed as text parameters and cast in SQL
 * (`${int8Array(ids)}::int8[]`). Building them here keeps the append's
 * unnest() parameters independent of the driver's array type discovery.
 */

export function int8Array(values: readonly (number | string)[]): string {
  for (const v of values) {
    if (typeof v === 'number' ? !Number.isSafeInteger(v) : !/^-?\d+$/.test(v)) throw new TypeError(`not an integer: ${v}`);
  }
  return `{${values.join(',')}}`;
}

export function textArray(values: readonly string[]): string {
  return `{${values.map((v) => `"${v.replace(/[\\"]/g, '\\$&')}"`).join(',')}}`;
}

export function boolArray(values: readonly boolean[]): string {
  return `{${values.map((v) => (v ? 't' : 'f')).join(',')}}`;
}

/** bytea elements in hex form (\x...), the backslash escaped for the array syntax. */
export function byteaArray(values: readonly Uint8Array[]): string {
  return `{${values.map((v) => `"\\\\x${Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('hex')}"`).join(',')}}`;
}
