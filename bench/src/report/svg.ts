import type { SweepPoint } from '../workloads/types.js';

/**
 * Hand-written SVG plot: p99 latency (log scale) against delivered throughput,
 * one line per target, the p99 limit as a dashed line. Hollow markers are
 * steps that failed (p99 at the limit or a loss).
 */

const COLORS: Record<string, string> = { ceiling: '#1b9e77', naive: '#7570b3', xinbox: '#d95f02' };
const W = 760;
const H = 440;
const M = { left: 70, right: 150, top: 40, bottom: 55 };

function niceStep(max: number, ticks: number): number {
  const raw = max / ticks;
  const mag = 10 ** Math.floor(Math.log10(raw || 1));
  const norm = raw / mag;
  return (norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 5 ? 5 : 10) * mag;
}

const esc = (s: string): string => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
const fmt = (n: number): string => (n >= 1000 ? `${Math.round(n / 100) / 10}k` : String(Math.round(n * 100) / 100));

export function sweepSvg(title: string, xLabel: string, series: Record<string, readonly SweepPoint[]>, limitMs: number): string {
  const all = Object.values(series).flat();
  const xMax = Math.max(1, ...all.map((p) => p.deliveredPerSec)) * 1.08;
  const lowest = Math.min(limitMs, ...all.map((p) => p.p99Ms).filter((v) => v > 0));
  const yMin = Math.max(0.1, 10 ** Math.floor(Math.log10(lowest)));
  const yMax = Math.max(limitMs * 3, ...all.map((p) => p.p99Ms)) * 1.2;
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  const x = (v: number): number => M.left + (v / xMax) * pw;
  const y = (v: number): number => M.top + ph - ((Math.log10(Math.max(yMin, v)) - Math.log10(yMin)) / (Math.log10(yMax) - Math.log10(yMin))) * ph;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`);
  out.push(`<rect width="${W}" height="${H}" fill="#fff"/>`);
  out.push(`<text x="${M.left}" y="22" font-size="15" font-weight="bold">${esc(title)}</text>`);
  const step = niceStep(xMax, 6);
  for (let v = 0; v <= xMax; v += step) {
    out.push(`<line x1="${x(v)}" y1="${M.top}" x2="${x(v)}" y2="${M.top + ph}" stroke="#eee"/>`);
    out.push(`<text x="${x(v)}" y="${M.top + ph + 18}" text-anchor="middle">${fmt(v)}</text>`);
  }
  for (let d = yMin; d <= yMax; d *= 10) {
    out.push(`<line x1="${M.left}" y1="${y(d)}" x2="${M.left + pw}" y2="${y(d)}" stroke="#eee"/>`);
    out.push(`<text x="${M.left - 8}" y="${y(d) + 4}" text-anchor="end">${fmt(d)}</text>`);
  }
  out.push(`<rect x="${M.left}" y="${M.top}" width="${pw}" height="${ph}" fill="none" stroke="#333"/>`);
  out.push(`<line x1="${M.left}" y1="${y(limitMs)}" x2="${M.left + pw}" y2="${y(limitMs)}" stroke="#c00" stroke-dasharray="6 4"/>`);
  out.push(`<text x="${M.left + pw - 4}" y="${y(limitMs) - 5}" text-anchor="end" fill="#c00">p99 limit ${limitMs} ms</text>`);
  out.push(`<text x="${M.left + pw / 2}" y="${H - 12}" text-anchor="middle">${esc(xLabel)}</text>`);
  out.push(`<text transform="translate(18 ${M.top + ph / 2}) rotate(-90)" text-anchor="middle">p99 latency, ms (log)</text>`);
  let legendY = M.top + 10;
  for (const [name, points] of Object.entries(series)) {
    const color = COLORS[name] ?? '#333';
    const sorted = [...points].sort((a, b) => a.offeredPerSec - b.offeredPerSec);
    if (sorted.length > 1) out.push(`<polyline fill="none" stroke="${color}" stroke-width="2" points="${sorted.map((p) => `${x(p.deliveredPerSec).toFixed(1)},${y(p.p99Ms).toFixed(1)}`).join(' ')}"/>`);
    for (const p of sorted) {
      out.push(`<circle cx="${x(p.deliveredPerSec).toFixed(1)}" cy="${y(p.p99Ms).toFixed(1)}" r="4" stroke="${color}" stroke-width="2" fill="${p.good ? color : '#fff'}"><title>${esc(`${name}: offered ${p.offeredPerSec}/s, delivered ${p.deliveredPerSec}/s, p99 ${p.p99Ms} ms, lost ${p.lost}`)}</title></circle>`);
    }
    out.push(`<line x1="${W - M.right + 15}" y1="${legendY}" x2="${W - M.right + 40}" y2="${legendY}" stroke="${color}" stroke-width="3"/>`);
    out.push(`<text x="${W - M.right + 46}" y="${legendY + 4}">${esc(name)}</text>`);
    legendY += 20;
  }
  out.push(`<text x="${W - M.right + 15}" y="${legendY + 10}" fill="#555">hollow = failed step</text>`);
  out.push('</svg>');
  return out.join('\n') + '\n';
}
