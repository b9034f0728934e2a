import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { compareResults } from '../src/compare.js';

function report(metrics: Record<string, { value: number; unit: string; better: string; noise?: number }>): string {
  return JSON.stringify({ schema: 'xinbox-bench/1', workload: 'w1', title: 'W1', quick: false, metrics });
}

describe('compare', () => {
  it('flags metrics worse by more than the threshold and nothing else', () => {
    vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const dir = mkdtempSync(join(tmpdir(), 'bench-compare-'));
    const a = join(dir, 'a.json');
    const b = join(dir, 'b.json');
    writeFileSync(a, report({
      'xinbox.deliveredPerSec': { value: 24000, unit: 'msg/s', better: 'higher' },
      'xinbox.p99Ms': { value: 20, unit: 'ms', better: 'lower', noise: 2 },
      'xinbox.p50Ms': { value: 1, unit: 'ms', better: 'lower', noise: 1 },
      'xinbox.lost': { value: 0, unit: 'msgs', better: 'lower', noise: 0 },
      'xinbox.offeredPerSec': { value: 24000, unit: 'msg/s', better: 'none' },
    }));
    writeFileSync(b, report({
      'xinbox.deliveredPerSec': { value: 21000, unit: 'msg/s', better: 'higher' }, // -12.5%: regression
      'xinbox.p99Ms': { value: 21.5, unit: 'ms', better: 'lower', noise: 2 }, // +7.5%: fine
      'xinbox.p50Ms': { value: 1.8, unit: 'ms', better: 'lower', noise: 1 }, // +80% but within noise
      'xinbox.lost': { value: 3, unit: 'msgs', better: 'lower', noise: 0 }, // any loss is a regression
      'xinbox.offeredPerSec': { value: 1, unit: 'msg/s', better: 'none' },
    }));
    expect(compareResults(a, b, 10)).toBe(2);
    expect(compareResults(a, a, 10)).toBe(0);
    expect(compareResults(b, a, 10)).toBe(0);
  });
});
