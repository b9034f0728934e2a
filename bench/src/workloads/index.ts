import type { WorkloadId } from '../options.js';
import type { Workload } from './types.js';
import { beforeSend } from './before-send.js';
import { flood } from './flood.js';
import { w1 } from './w1.js';
import { w1Sweep } from './w1-sweep.js';
import { w2 } from './w2.js';
import { w2Sweep } from './w2-sweep.js';
import { w3 } from './w3.js';
import { w4 } from './w4.js';
import { w5 } from './w5.js';
import { webhookThroughput } from './webhook-throughput.js';
import { pushCost } from './push-cost.js';

export const WORKLOADS: Record<WorkloadId, Workload> = { w1, 'w1-sweep': w1Sweep, w2, 'w2-sweep': w2Sweep, w3, w4, w5, flood, webhooks: webhookThroughput, 'before-send': beforeSend, 'push-cost': pushCost };
