import { w1 } from './w1.js';
import type { Workload } from './types.js';

/**
 * W1 with a before-send check on every message: the server asks the sink
 * (the customer's backend, signed, verified, answering "allow") before it
 * commits. Its cost is the difference to plain `w1` on the same settings:
 * run both alternated, e.g. `farm-bench --vs 'npm run bench -- w1 ...' --
 * npm run bench -- before-send ...` (docs/benchmarks.md).
 */
export const beforeSend: Workload = {
  ...w1,
  id: 'before-send',
  title: 'W1 one-to-one messaging with a before-send check',
  description: `${w1.description} Every send is first checked by the before-send hook (a signed HTTP call to a local receiver that verifies it and allows).`,
  sink: { beforeSend: true },
};
