import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { MediaObjectMissingError, type MediaStore } from '../../src/core/ports/media-store.js';
import { useFixture, type FixtureFactory } from './contract-support.js';

export interface MediaStorePorts {
  readonly store: MediaStore;
}

async function bytesOf(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream as AsyncIterable<Buffer>) chunks.push(c);
  return Buffer.concat(chunks);
}

const key = (): string => createHash('sha256').update(randomBytes(16)).digest('hex');

/** The MediaStore contract (core/ports/media-store.ts), for every adapter. */
export function describeMediaStoreContract(name: string, open: FixtureFactory<MediaStorePorts>): void {
  describe(`MediaStore contract: ${name}`, () => {
    const { stores, peer } = useFixture(open);
    const dir = mkdtempSync(join(tmpdir(), 'xinbox-media-contract-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('stores a file and a buffer, stats their size and reads them back byte for byte', async () => {
      const { store } = stores();
      const big = randomBytes(3 * 1024 * 1024 + 17);
      const path = join(dir, 'big.bin');
      writeFileSync(path, big);
      const k1 = key();
      const k2 = `${key()}.thumb160`;
      await store.putFile(k1, path);
      await store.put(k2, Buffer.from('small object'));
      expect(await store.stat(k1)).toEqual({ size: big.length });
      expect(await store.stat(k2)).toEqual({ size: 12 });
      expect((await bytesOf(await store.read(k1))).equals(big)).toBe(true);
      expect((await bytesOf(await store.read(k2))).toString()).toBe('small object');
    });

    it('reads inclusive byte ranges, including the last byte and a one-byte range', async () => {
      const { store } = stores();
      const data = randomBytes(100_000);
      const k = key();
      await store.put(k, data);
      expect((await bytesOf(await store.read(k, { start: 0, end: 9 }))).equals(data.subarray(0, 10))).toBe(true);
      expect((await bytesOf(await store.read(k, { start: 65_530, end: 99_999 }))).equals(data.subarray(65_530))).toBe(true);
      expect((await bytesOf(await store.read(k, { start: 500, end: 500 }))).equals(data.subarray(500, 501))).toBe(true);
    });

    it('has no object for an unknown key: stat is null and read rejects with MediaObjectMissingError', async () => {
      const { store } = stores();
      const k = key();
      expect(await store.stat(k)).toBeNull();
      await expect(store.read(k)).rejects.toBeInstanceOf(MediaObjectMissingError);
    });

    it('replaces an object on a second put and deletes idempotently', async () => {
      const { store } = stores();
      const k = key();
      await store.put(k, Buffer.from('first'));
      await store.put(k, Buffer.from('second!'));
      expect((await bytesOf(await store.read(k))).toString()).toBe('second!');
      await store.delete(k);
      await store.delete(k);
      expect(await store.stat(k)).toBeNull();
    });

    it('shows the whole object once a put resolves, also when puts of one key overlap', async () => {
      const { store } = stores();
      const data = randomBytes(2 * 1024 * 1024);
      const path = join(dir, 'concurrent.bin');
      writeFileSync(path, data);
      const k = key();
      await Promise.all([store.putFile(k, path), store.putFile(k, path)]);
      expect(await store.stat(k)).toEqual({ size: data.length });
      expect((await bytesOf(await store.read(k))).equals(data)).toBe(true);
    });

    it('is shared: a second handle on the same backing store sees the objects', async () => {
      const other = await peer();
      if (!other) return;
      const k = key();
      await stores().store.put(k, Buffer.from('shared'));
      expect((await bytesOf(await other.store.read(k))).toString()).toBe('shared');
      await other.store.delete(k);
      expect(await stores().store.stat(k)).toBeNull();
    });
  });
}
