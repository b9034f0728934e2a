import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { MediaCatalog, MediaRecord } from '../../src/core/ports/media-catalog.js';
import { uniqueUserId, useFixture, type FixtureFactory } from './contract-support.js';

export interface MediaCatalogPorts {
  readonly media: MediaCatalog;
}

let clock = 1_700_000_000_000;

function record(ownerId: number, extra: Partial<MediaRecord> = {}): MediaRecord {
  clock += 1000;
  return {
    id: randomBytes(16).toString('base64url'), ownerId, sha256: randomBytes(32).toString('hex'), size: 1234, mimeType: 'image/png',
    kind: 'image', name: 'cat.png', width: 640, height: 480, durationMs: 0, placeholder: new Uint8Array([1, 2, 3, 250]),
    variants: ['thumb160', 'thumb320'], createdAt: clock, ...extra,
  };
}

/** The MediaCatalog contract (core/ports/media-catalog.ts) for memory, SQLite and PostgreSQL. */
export function describeMediaCatalogContract(name: string, open: FixtureFactory<MediaCatalogPorts>): void {
  describe(`MediaCatalog contract: ${name}`, () => {
    const { stores } = useFixture(open);

    it('creates and gets a record as stored; ids are unique', async () => {
      const { media } = stores();
      const r = record(uniqueUserId(), { kind: 'video', mimeType: 'video/mp4', durationMs: 3000, variants: ['poster'] });
      await media.create(r);
      expect(await media.get(r.id)).toEqual(r);
      expect(await media.get('nope-nope-nope')).toBeNull();
      await expect(media.create(r)).rejects.toThrow();
    });

    it('records refs once each and lists them ascending', async () => {
      const { media } = stores();
      const r = record(uniqueUserId());
      await media.create(r);
      expect(await media.refs(r.id)).toEqual([]);
      await media.addRef(r.id, { conversationId: 30 }, clock);
      await media.addRef(r.id, { conversationId: 7 }, clock);
      await media.addRef(r.id, { conversationId: 30 }, clock);
      expect(await media.refs(r.id)).toEqual([7, 30]);
    });

    it('sums usage per owner', async () => {
      const { media } = stores();
      const owner = uniqueUserId();
      await media.create(record(owner, { size: 1000 }));
      await media.create(record(owner, { size: 2500 }));
      await media.create(record(uniqueUserId(), { size: 99 }));
      expect(await media.usage(owner)).toBe(3500);
      expect(await media.usage(uniqueUserId())).toBe(0);
    });

    it('lists unreferenced records created before a time, oldest first', async () => {
      const { media } = stores();
      const owner = uniqueUserId();
      const a = record(owner);
      const b = record(owner);
      const c = record(owner);
      for (const r of [a, b, c]) await media.create(r);
      await media.addRef(b.id, { conversationId: 1 }, clock);
      const listed = (await media.unreferencedBefore(c.createdAt, 10_000)).map((r) => r.id);
      expect(listed).toContain(a.id);
      expect(listed).not.toContain(b.id);
      expect(listed).not.toContain(c.id);
      const ordered = await media.unreferencedBefore(c.createdAt, 10_000);
      for (let i = 1; i < ordered.length; i++) expect(ordered[i]!.createdAt).toBeGreaterThanOrEqual(ordered[i - 1]!.createdAt);
    });

    it('deletes a record with its refs and says how many records still share its bytes', async () => {
      const { media } = stores();
      const sha = randomBytes(32).toString('hex');
      const a = record(uniqueUserId(), { sha256: sha });
      const b = record(uniqueUserId(), { sha256: sha });
      await media.create(a);
      await media.create(b);
      await media.addRef(a.id, { conversationId: 5 }, clock);
      expect(await media.delete(a.id)).toBe(1);
      expect(await media.get(a.id)).toBeNull();
      expect(await media.refs(a.id)).toEqual([]);
      expect(await media.delete(a.id)).toBeNull();
      expect(await media.delete(b.id)).toBe(0);
    });
  });
}
