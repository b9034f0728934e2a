/**
 * Where a client keeps its sync position between connections and restarts.
 * The state is small: the user's sync cursor plus the delivered seq of each
 * conversation and each reliable room, which is what makes redelivery after a
 * reconnect or restart exactly-once.
 */
export interface SyncState {
  /** Highest sync seq of the user's timeline that was fully handled. */
  syncCursor: number;
  /** conversationId -> highest seq delivered to the application. */
  conversations: Record<string, number>;
  /** roomId -> highest reliable room seq delivered. */
  rooms: Record<string, number>;
}

export interface CursorStore {
  load(key: string): Promise<SyncState | undefined>;
  save(key: string, state: SyncState): Promise<void>;
  clear(key: string): Promise<void>;
}

export function emptySyncState(): SyncState {
  return { syncCursor: 0, conversations: {}, rooms: {} };
}

/** Validates untrusted stored JSON; anything malformed reads as "no state". */
export function parseSyncState(text: string | null | undefined): SyncState | undefined {
  if (!text) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof raw !== 'object' || raw === null) return undefined;
  const r = raw as Record<string, unknown>;
  if (typeof r.syncCursor !== 'number' || !Number.isInteger(r.syncCursor) || r.syncCursor < 0) return undefined;
  return { syncCursor: r.syncCursor, conversations: seqMap(r.conversations), rooms: seqMap(r.rooms) };
}

function seqMap(v: unknown): Record<string, number> {
  const out: Record<string, number> = {};
  if (typeof v !== 'object' || v === null) return out;
  for (const [k, n] of Object.entries(v)) if (typeof n === 'number' && Number.isInteger(n) && n >= 0) out[k] = n;
  return out;
}

function copy(s: SyncState): SyncState {
  return { syncCursor: s.syncCursor, conversations: { ...s.conversations }, rooms: { ...s.rooms } };
}

/** Keeps state for the life of the process (the default). */
export class MemoryCursorStore implements CursorStore {
  private readonly states = new Map<string, SyncState>();

  async load(key: string): Promise<SyncState | undefined> {
    const s = this.states.get(key);
    return s ? copy(s) : undefined;
  }

  async save(key: string, state: SyncState): Promise<void> {
    this.states.set(key, copy(state));
  }

  async clear(key: string): Promise<void> {
    this.states.delete(key);
  }
}

/** The subset of the Web Storage API used here (window.localStorage fits). */
export interface KeyValueStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/** Browser persistence through localStorage (or any Web Storage object). */
export class LocalStorageCursorStore implements CursorStore {
  private readonly storage: KeyValueStorage;

  constructor(storage?: KeyValueStorage, private readonly prefix = 'xinbox.sync.') {
    const s = storage ?? (globalThis as { localStorage?: KeyValueStorage }).localStorage;
    if (!s) throw new Error('LocalStorageCursorStore: no localStorage in this environment');
    this.storage = s;
  }

  async load(key: string): Promise<SyncState | undefined> {
    return parseSyncState(this.storage.getItem(this.prefix + key));
  }

  async save(key: string, state: SyncState): Promise<void> {
    this.storage.setItem(this.prefix + key, JSON.stringify(state));
  }

  async clear(key: string): Promise<void> {
    this.storage.removeItem(this.prefix + key);
  }
}

type FsPromises = typeof import('node:fs/promises');

/**
 * Node persistence: one JSON file per key in `dir`. `node:fs` is imported on
 * first use so this module stays loadable in browsers. Writes go to a temp
 * file that is renamed over the old one, so a crash never leaves half a file.
 */
export class FileCursorStore implements CursorStore {
  private fs: Promise<FsPromises> | undefined;
  /** Serialises writes per key so an older state never lands after a newer one. */
  private readonly chains = new Map<string, Promise<void>>();

  constructor(private readonly dir: string) {}

  async load(key: string): Promise<SyncState | undefined> {
    const fs = await this.fsp();
    try {
      return parseSyncState(await fs.readFile(this.file(key), 'utf8'));
    } catch (err) {
      if ((err as { code?: string }).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  save(key: string, state: SyncState): Promise<void> {
    const text = JSON.stringify(state);
    return this.enqueue(key, async (fs) => {
      await fs.mkdir(this.dir, { recursive: true });
      const tmp = `${this.file(key)}.${Date.now()}-${Math.random().toString(36).slice(2)}.tmp`;
      await fs.writeFile(tmp, text, 'utf8');
      await fs.rename(tmp, this.file(key));
    });
  }

  clear(key: string): Promise<void> {
    return this.enqueue(key, (fs) => fs.rm(this.file(key), { force: true }));
  }

  private enqueue(key: string, op: (fs: FsPromises) => Promise<void>): Promise<void> {
    const prev = this.chains.get(key) ?? Promise.resolve();
    const next = prev.catch(() => undefined).then(async () => op(await this.fsp()));
    this.chains.set(key, next);
    void next.finally(() => {
      if (this.chains.get(key) === next) this.chains.delete(key);
    }).catch(() => undefined);
    return next;
  }

  private file(key: string): string {
    // Keys contain user and device ids; keep file names portable.
    const safe = key.replace(/[^A-Za-z0-9._-]/g, (c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
    return `${this.dir.replace(/[\\/]+$/, '')}/${safe}.json`;
  }

  private fsp(): Promise<FsPromises> {
    const specifier = 'node:fs/promises';
    this.fs ??= import(/* @vite-ignore */ specifier) as Promise<FsPromises>;
    return this.fs;
  }
}
