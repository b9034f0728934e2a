import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { WorkloadReport } from './report/types.js';

/**
 * Compare two result files (or two run directories, matching workload files
 * by name) and flag every metric that got worse by more than the threshold.
 * Returns the number of regressions (the CLI exits non-zero when > 0).
 */
export function compareResults(oldPath: string, newPath: string, thresholdPct: number): number {
  const pairs = resolvePairs(oldPath, newPath);
  if (pairs.length === 0) throw new Error('nothing to compare: no workload JSON present in both');
  let regressions = 0;
  for (const [a, b] of pairs) {
    const ra = JSON.parse(readFileSync(a, 'utf8')) as WorkloadReport;
    const rb = JSON.parse(readFileSync(b, 'utf8')) as WorkloadReport;
    console.log(`\n${rb.title ?? rb.workload}: ${a} -> ${b}`);
    if (ra.quick !== rb.quick) console.log('  note: comparing a quick run with a full run');
    console.log(`  ${'metric'.padEnd(44)} ${'old'.padStart(12)} ${'new'.padStart(12)} ${'change'.padStart(9)}`);
    for (const [key, mb] of Object.entries(rb.metrics ?? {})) {
      const ma = ra.metrics?.[key];
      if (!ma || mb.better === 'none') continue;
      const delta = mb.value - ma.value;
      const pct = ma.value !== 0 ? (delta / Math.abs(ma.value)) * 100 : delta === 0 ? 0 : Number.POSITIVE_INFINITY;
      const worse = mb.better === 'higher' ? -pct : pct;
      const noisy = Math.abs(delta) <= (mb.noise ?? 0) && !(mb.noise === 0 && delta !== 0);
      const flag = worse > thresholdPct && !noisy && delta !== 0;
      if (flag) regressions++;
      const pctText = Number.isFinite(pct) ? `${pct >= 0 ? '+' : ''}${pct.toFixed(1)}%` : 'new>0';
      console.log(`  ${key.padEnd(44)} ${String(ma.value).padStart(12)} ${String(mb.value).padStart(12)} ${pctText.padStart(9)}${flag ? '  REGRESSION' : ''}`);
    }
  }
  console.log(`\n${regressions} regression(s) above ${thresholdPct}%`);
  return regressions;
}

function resolvePairs(a: string, b: string): [string, string][] {
  if (!existsSync(a) || !existsSync(b)) throw new Error(`missing ${existsSync(a) ? b : a}`);
  if (!statSync(a).isDirectory()) return [[a, b]];
  const files = readdirSync(a).filter((f) => /^w[\w-]+\.json$/.test(f));
  return files.filter((f) => existsSync(join(b, f))).map((f) => [join(a, f), join(b, f)]);
}
