import type { Frame } from '@xinbox/protocol';

type Case = NonNullable<Frame['body']['case']>;
type ValueOf<C extends Case> = Extract<Frame['body'], { case: C }>['value'];

/** The frame's body value, asserting its case (a failed request shows its error). */
export function body<C extends Case>(f: Frame, c: C): ValueOf<C> {
  if (f.body.case !== c) throw new Error(`expected ${c}, got ${f.body.case}: ${JSON.stringify(f.body.value)}`);
  return f.body.value as ValueOf<C>;
}

export function errorCode(f: Frame): number {
  if (f.body.case !== 'error') throw new Error(`expected an error, got ${f.body.case}`);
  return f.body.value.code;
}
