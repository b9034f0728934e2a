import type { MachineInfo } from '../machine.js';
import type { Metric, TargetOutcome } from '../workloads/types.js';

export const REPORT_SCHEMA = 'xinbox-bench/1';

export interface TargetReport extends TargetOutcome {
  /** CPU affinity of the server process as read back with taskset. */
  readonly serverAffinity?: string;
}

/** One workload's results across all targets of a run (the <workload>.json file). */
export interface WorkloadReport {
  readonly schema: typeof REPORT_SCHEMA;
  readonly workload: string;
  readonly title: string;
  readonly description: string;
  readonly headline: string;
  readonly startedAt: string;
  readonly command: string;
  readonly quick: boolean;
  readonly machine: MachineInfo;
  readonly pinning: { readonly enabled: boolean; readonly serverCpu: string; readonly loadCpu: string; readonly loadAffinity: string; readonly orchestratorAffinity: string };
  readonly config: unknown;
  readonly targets: Record<string, TargetReport>;
  /** xinbox / ceiling for the headline metric(s). */
  readonly ratios: Record<string, number>;
  /** `${target}.${metric}` flattened, for compare. */
  readonly metrics: Record<string, Metric>;
}
