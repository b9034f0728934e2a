import { describe, expect, it } from 'vitest';
import { SnowflakeGenerator } from '../../src/core/ids/snowflake.js';

describe('SnowflakeGenerator', () => {
  it('yields strictly increasing unique ids carrying their time', () => {
    const now = Date.UTC(2026, 0, 1);
    const g = new SnowflakeGenerator(5, () => now);
    const ids = Array.from({ length: 10_000 }, () => BigInt(g.next()));
    for (let i = 1; i < ids.length; i++) expect(ids[i]! > ids[i - 1]!).toBe(true);
    expect(SnowflakeGenerator.timeOf(ids[0]!.toString())).toBe(now);
  });

  it('never goes backwards or repeats when the clock steps back', () => {
    let t = Date.UTC(2026, 0, 1, 12);
    const g = new SnowflakeGenerator(1, () => t);
    const before = BigInt(g.next());
    t -= 60_000;
    const after = Array.from({ length: 5000 }, () => BigInt(g.next()));
    expect(after[0]! > before).toBe(true);
    expect(new Set(after.map(String)).size).toBe(after.length);
  });

  it('keeps nodes apart', () => {
    const t = () => Date.UTC(2026, 0, 1);
    const a = new SnowflakeGenerator(1, t);
    const b = new SnowflakeGenerator(2, t);
    const ids = new Set<string>();
    for (let i = 0; i < 1000; i++) {
      ids.add(a.next());
      ids.add(b.next());
    }
    expect(ids.size).toBe(2000);
    expect(() => new SnowflakeGenerator(1024)).toThrow(RangeError);
  });
});
