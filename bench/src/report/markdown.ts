import type { WorkloadReport } from './types.js';

/** Markdown rendering of one workload report: a metric x target table, sweep steps, notes. */

const fmt = (v: number): string => (Number.isInteger(v) ? String(v) : String(Math.round(v * 100) / 100));

export function workloadMarkdown(r: WorkloadReport): string {
  const names = Object.keys(r.targets);
  const lines: string[] = [];
  lines.push(`## ${r.title}`, '', r.description, '');
  lines.push(`- Date: ${r.startedAt}${r.quick ? ' (quick smoke run: small counts, short durations)' : ''}`);
  lines.push(`- Command: \`${r.command}\``);
  lines.push(`- Machine: ${r.machine.cpuModel}, ${r.machine.cpus} CPUs, ${r.machine.memGb} GB, Linux ${r.machine.kernel}, Node ${r.machine.node}, open files ${r.machine.openFilesSoft}/${r.machine.openFilesHard}`);
  lines.push(`- Pinning: ${r.pinning.enabled ? `server CPU ${r.pinning.serverCpu}, load processes CPU ${r.pinning.loadAffinity}, orchestrator CPU ${r.pinning.orchestratorAffinity}` : 'off'}`);
  lines.push(`- Config: \`${JSON.stringify(r.config)}\``, '');

  const keys: string[] = [];
  for (const n of names) for (const k of Object.keys(r.targets[n]!.metrics)) if (!keys.includes(k)) keys.push(k);
  const hasRatio = 'xinbox' in r.targets && 'ceiling' in r.targets;
  lines.push(`| metric | unit | ${names.join(' | ')}${hasRatio ? ' | xinbox / ceiling' : ''} |`);
  lines.push(`|---|---|${names.map(() => '---:').join('|')}${hasRatio ? '|---:' : ''}|`);
  lines.push(`| status | | ${names.map((n) => r.targets[n]!.status).join(' | ')}${hasRatio ? ' |' : ''} |`);
  for (const k of keys) {
    const unit = names.map((n) => r.targets[n]!.metrics[k]?.unit).find((u) => u !== undefined) ?? '';
    const cells = names.map((n) => {
      const m = r.targets[n]!.metrics[k];
      return m === undefined ? '' : fmt(m.value);
    });
    const ratio = r.ratios[k];
    lines.push(`| ${k} | ${unit} | ${cells.join(' | ')}${hasRatio ? ` | ${ratio === undefined ? '' : fmt(ratio)}` : ''} |`);
  }
  lines.push('');
  for (const n of names) {
    const t = r.targets[n]!;
    if (t.reason) lines.push(`- ${n}: ${t.status}: ${t.reason}`);
    for (const note of t.notes ?? []) lines.push(`- ${n}: ${note}`);
  }
  for (const n of names) {
    const sweep = r.targets[n]!.sweep;
    if (!sweep || sweep.length === 0) continue;
    lines.push('', `### ${n}: sweep steps`, '');
    lines.push('| offered/s | delivered/s | p50 ms | p99 ms | p999 ms | lost | server CPU % | load CPU % | good |');
    lines.push('|---:|---:|---:|---:|---:|---:|---:|---:|:---:|');
    for (const p of sweep) {
      lines.push(`| ${p.offeredPerSec} | ${p.deliveredPerSec} | ${fmt(p.p50Ms)} | ${fmt(p.p99Ms)} | ${fmt(p.p999Ms)} | ${p.lost} | ${fmt(p.serverCpuPct)} | ${fmt(p.loadCpuPct)} | ${p.good ? 'yes' : 'no'} |`);
    }
  }
  lines.push('');
  return lines.join('\n');
}
