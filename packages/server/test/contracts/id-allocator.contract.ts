import { describe, expect, it } from 'vitest';
import type { IdAllocator } from '../../src/core/ports/index.js';
import { shuffled, uniqueName, useFixture, type FixtureFactory } from './contract-support.js';

export interface IdAllocatorPorts {
  readonly ids: IdAllocator;
}

type Block = readonly [first: number, count: number];

function expectDisjoint(blocks: readonly Block[]): void {
  const sorted = [...blocks].sort((x, y) => x[0] - y[0]);
  for (const [first, count] of sorted) {
    expect(first).toBeGreaterThan(0);
    expect(Number.isSafeInteger(first + count)).toBe(true);
  }
  for (let i = 1; i < sorted.length; i++) {
    const [prevFirst, prevCount] = sorted[i - 1]!;
    expect(sorted[i]![0]).toBeGreaterThanOrEqual(prevFirst + prevCount);
  }
}

/** The IdAllocator contract (see core/ports/id-allocator.ts). */
export function describeIdAllocatorContract(name: string, makeStores: FixtureFactory<IdAllocatorPorts>): void {
  describe(`IdAllocator contract: ${name}`, () => {
    const ctx = useFixture(makeStores);

    it('reserves positive, non-overlapping blocks', async () => {
      const { ids } = ctx.stores();
      const name = uniqueName('seq');
      const blocks: Block[] = [];
      for (const count of [1, 1, 10, 1000, 3, 1]) blocks.push([await ids.reserve(name, count), count]);
      expectDisjoint(blocks);
    });

    it('never overlaps blocks reserved concurrently, through every handle', async () => {
      const { ids } = ctx.stores();
      const peer = await ctx.peer();
      const name = uniqueName('race');
      const counts = shuffled(Array.from({ length: 60 }, (_, i) => 1 + (i % 7) * 50));
      const firsts = await Promise.all(counts.map((count, i) => (peer && i % 2 ? peer.ids : ids).reserve(name, count)));
      expectDisjoint(firsts.map((first, i): Block => [first, counts[i]!]));
    });

    it('keeps names independent', async () => {
      const { ids } = ctx.stores();
      const a = uniqueName('a');
      const b = uniqueName('b');
      const blocksA: Block[] = [];
      const blocksB: Block[] = [];
      for (let i = 0; i < 5; i++) {
        blocksA.push([await ids.reserve(a, 100), 100]);
        blocksB.push([await ids.reserve(b, 7), 7]);
      }
      expectDisjoint(blocksA);
      expectDisjoint(blocksB);
    });
  });
}
