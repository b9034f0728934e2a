import { describe, expect, it } from 'vitest';
import { dayLabel, dayStarts } from '../src/state/date-separators.js';

describe('date separators', () => {
  const now = new Date(2026, 11, 4, 15, 0).getTime();
  const at = (d: number, h: number) => new Date(2026, 11, d, h, 30).getTime();

  it('starts a day at the first message of each local day', () => {
    const messages = [
      { seq: 1, serverTime: at(1, 9) },
      { seq: 2, serverTime: at(1, 23) },
      { seq: 3, serverTime: at(3, 0) },
      { seq: 4, serverTime: at(4, 8) },
      { seq: 5, serverTime: at(4, 14) },
    ];
    expect([...dayStarts(messages)]).toEqual([1, 3, 4]);
    expect([...dayStarts([])]).toEqual([]);
  });

  it('labels today, yesterday, the last week by weekday, older days by date', () => {
    expect(dayLabel(at(4, 8), now)).toBe('Today');
    expect(dayLabel(at(3, 23), now)).toBe('Yesterday');
    expect(dayLabel(at(1, 12), now)).toBe(new Date(at(1, 12)).toLocaleDateString(undefined, { weekday: 'long' }));
    expect(dayLabel(new Date(2026, 10, 20, 12).getTime(), now)).toContain('2026');
  });
});
