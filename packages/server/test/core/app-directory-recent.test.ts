/**
 * AppDirectory.listRecent: the periodic snapshots (webhooks, push, limits)
 * share one store read per cache interval; a change made through this
 * directory shows at once, another node's within the interval.
 */
import { describe, expect, it } from 'vitest';
import { MemoryAppStore } from '../../src/adapters/memory/index.js';
import { AppDirectory } from '../../src/core/apps/app-directory.js';
import type { AppStore } from '../../src/core/ports/app-store.js';

describe('AppDirectory.listRecent', () => {
  it('reads the store once per interval, and again after a change here', async () => {
    const store = new MemoryAppStore();
    let reads = 0;
    const counting: AppStore = Object.assign(Object.create(store) as AppStore, { list: () => (reads++, store.list()) });
    const now = { t: 1_000 };
    const dir = new AppDirectory(counting, { secrets: [], webhook: null, push: {} }, { clock: () => now.t, cacheMs: 100 });
    const ids = async () => (await dir.listRecent()).map((a) => a.id);
    expect(await Promise.all([ids(), ids(), ids()])).toEqual([['default'], ['default'], ['default']]);
    expect(reads).toBe(1);
    await dir.create('here-app', '');
    expect(await ids()).toEqual(['default', 'here-app']);
    expect(reads).toBe(2);
    // Another node's change (straight into the shared store): seen once the interval has passed.
    await store.create({ id: 'other-node', name: '', createdAt: 0, secretDigests: ['ab'], webhook: null, push: {}, limits: {} });
    expect(await ids()).toEqual(['default', 'here-app']);
    now.t += 101;
    expect(await ids()).toEqual(['default', 'here-app', 'other-node']);
    expect(reads).toBe(3);
  });
});
