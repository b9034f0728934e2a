import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { workloadMarkdown } from './markdown.js';
import { sweepSvg } from './svg.js';
import type { WorkloadReport } from './types.js';
import type { SweepPoint } from '../workloads/types.js';

/** Write <workload>.json, <workload>.md and, for sweeps, <workload>.svg into the run directory. */
export function writeWorkloadReport(dir: string, r: WorkloadReport, p99LimitMs: number): string[] {
  mkdirSync(dir, { recursive: true });
  const files = [join(dir, `${r.workload}.json`), join(dir, `${r.workload}.md`)];
  writeFileSync(files[0]!, JSON.stringify(r, null, 2) + '\n');
  let md = workloadMarkdown(r);
  const series: Record<string, readonly SweepPoint[]> = {};
  for (const [name, t] of Object.entries(r.targets)) if (t.sweep && t.sweep.length > 0) series[name] = t.sweep;
  if (Object.keys(series).length > 0) {
    const svgFile = join(dir, `${r.workload}.svg`);
    const xLabel = r.workload.startsWith('w2') ? 'delivered pushes per second' : 'delivered messages per second';
    writeFileSync(svgFile, sweepSvg(r.title, xLabel, series, p99LimitMs));
    files.push(svgFile);
    md += `\n![${r.title}](${r.workload}.svg)\n`;
  }
  writeFileSync(files[1]!, md);
  return files;
}
