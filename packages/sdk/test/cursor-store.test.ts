import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileCursorStore, LocalStorageCursorStore, MemoryCursorStore, parseSyncState, type CursorStore, type KeyValueStorage, type SyncState } from '../src/cursor-store.js';

const sample: SyncState = { syncCursor: 42, conversations: { '100': 7, '200': 3 }, rooms: { lobby: 9 } };

class MapStorage implements KeyValueStorage {
  readonly map = new Map<string, string>();
  getItem(k: string) {
    return this.map.get(k) ?? null;
  }
  setItem(k: string, v: string) {
    this.map.set(k, v);
  }
  removeItem(k: string) {
    this.map.delete(k);
  }
}

function contract(name: string, make: () => Promise<CursorStore>) {
  describe(`${name} (CursorStore contract)`, () => {
    it('returns undefined for an unknown key', async () => {
      expect(await (await make()).load('nobody:dev')).toBeUndefined();
    });

    it('round-trips a state and keeps keys apart', async () => {
      const s = await make();
      await s.save('1:a', sample);
      await s.save('1:b', { syncCursor: 1, conversations: {}, rooms: {} });
      expect(await s.load('1:a')).toEqual(sample);
      expect((await s.load('1:b'))?.syncCursor).toBe(1);
    });

    it('the newest save wins, also when saves overlap', async () => {
      const s = await make();
      await Promise.all(Array.from({ length: 20 }, (_, i) => s.save('k', { ...sample, syncCursor: i })));
      expect((await s.load('k'))?.syncCursor).toBe(19);
    });

    it('returns a copy: mutating it does not change the store', async () => {
      const s = await make();
      await s.save('k', sample);
      const got = (await s.load('k'))!;
      got.conversations['100'] = 999;
      got.syncCursor = 0;
      expect(await s.load('k')).toEqual(sample);
    });

    it('clear removes the state', async () => {
      const s = await make();
      await s.save('k', sample);
      await s.clear('k');
      expect(await s.load('k')).toBeUndefined();
    });
  });
}

contract('MemoryCursorStore', async () => new MemoryCursorStore());
contract('LocalStorageCursorStore', async () => new LocalStorageCursorStore(new MapStorage()));

let dir = '';
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'xinbox-cursor-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});
contract('FileCursorStore', async () => new FileCursorStore(join(dir, 'nested', 'state')));

describe('FileCursorStore on disk', () => {
  it('survives a new instance (a process restart) and leaves no temp files', async () => {
    await new FileCursorStore(dir).save('12:phone/1', sample);
    expect(await new FileCursorStore(dir).load('12:phone/1')).toEqual(sample);
    const files = await readdir(dir);
    expect(files).toHaveLength(1);
    expect(files[0]).not.toContain('/');
    expect(files[0]).toMatch(/\.json$/);
    expect(JSON.parse(await readFile(join(dir, files[0]!), 'utf8'))).toEqual(sample);
  });

  it('treats a corrupt file as no state', async () => {
    const store = new FileCursorStore(dir);
    await store.save('k', sample);
    const [file] = await readdir(dir);
    await writeFile(join(dir, file!), '{"syncCursor": "oops"', 'utf8');
    expect(await store.load('k')).toBeUndefined();
  });
});

describe('LocalStorageCursorStore', () => {
  it('writes JSON under a prefixed key', async () => {
    const storage = new MapStorage();
    await new LocalStorageCursorStore(storage, 'app.').save('5:web', sample);
    expect(JSON.parse(storage.map.get('app.5:web')!)).toEqual(sample);
  });

  it('needs a storage object', () => {
    expect(() => new LocalStorageCursorStore()).toThrow(/localStorage/);
  });
});

describe('parseSyncState', () => {
  it('accepts valid state and drops malformed entries', () => {
    expect(parseSyncState('{"syncCursor":3,"conversations":{"1":2,"x":"bad","y":-1},"rooms":null}')).toEqual({
      syncCursor: 3,
      conversations: { '1': 2 },
      rooms: {},
    });
  });
  it('rejects garbage', () => {
    for (const t of [null, '', 'nope', '[]', '{"syncCursor":-1}', '{"syncCursor":1.5}', '{}']) expect(parseSyncState(t)).toBeUndefined();
  });
});
