import { afterEach, describe, expect, it, vi } from 'vitest';
import { AppSnapshotRefresh } from '../../src/core/apps/app-snapshot-refresh.js';

describe('AppSnapshotRefresh', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('reads once at start, then every interval until stopped', async () => {
    vi.useFakeTimers();
    let reads = 0;
    const refresh = new AppSnapshotRefresh(async () => { reads++; }, 1_000, { warn: () => undefined }, "the apps' limits");
    await refresh.start();
    expect(reads).toBe(1);
    await vi.advanceTimersByTimeAsync(3_000);
    expect(reads).toBe(4);
    refresh.stop();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(reads).toBe(4);
  });

  it('a failed read is logged with what was read, and the next tick reads again', async () => {
    vi.useFakeTimers();
    let reads = 0;
    const warnings: string[] = [];
    const refresh = new AppSnapshotRefresh(async () => {
      reads++;
      if (reads === 2) throw new Error('store down');
    }, 1_000, { warn: (msg: string) => void warnings.push(msg) }, "the apps' webhooks");
    await refresh.start();
    await vi.advanceTimersByTimeAsync(2_000);
    expect(reads).toBe(3);
    expect(warnings).toEqual(["reading the apps' webhooks failed"]);
    refresh.stop();
  });

  it('a failing first read fails start (the caller decides), and starts no timer', async () => {
    vi.useFakeTimers();
    let reads = 0;
    const refresh = new AppSnapshotRefresh(async () => { reads++; throw new Error('no store'); }, 1_000, { warn: () => undefined }, 'x');
    await expect(refresh.start()).rejects.toThrow('no store');
    await vi.advanceTimersByTimeAsync(3_000);
    expect(reads).toBe(1);
  });

  it('starting twice keeps one timer', async () => {
    vi.useFakeTimers();
    let reads = 0;
    const refresh = new AppSnapshotRefresh(async () => { reads++; }, 1_000, { warn: () => undefined }, 'x');
    await refresh.start();
    await refresh.start();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(reads).toBe(3);
    refresh.stop();
  });
});
