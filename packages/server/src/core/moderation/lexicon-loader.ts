import { watch, type FSWatcher } from 'node:fs';
import { ContentFilter } from './content-filter.js';
import { readLexiconDir } from './lexicon-files.js';
import type { ContentScreen } from './content-screen.js';

export interface LexiconLog {
  info(msg: string, ...rest: unknown[]): void;
  warn(msg: string, ...rest: unknown[]): void;
}

/**
 * Keeps the ContentScreen's filter in step with the lexicon directory:
 * loads it at start, then reloads (debounced) when a file in it changes
 * (fs.watch) or on `reload()` (the node calls it on SIGHUP). A lexicon that
 * fails to load leaves the previous filter in place. Reading is async and
 * building the automaton takes milliseconds, so the loop never waits on disk.
 */
export class LexiconLoader {
  private watcher: FSWatcher | null = null;
  private timer: NodeJS.Timeout | null = null;
  private loading: Promise<void> = Promise.resolve();

  constructor(private readonly dir: string, private readonly screen: ContentScreen, private readonly log: LexiconLog, private readonly debounceMs = 200) {}

  async start(): Promise<void> {
    await this.reload();
    try {
      this.watcher = watch(this.dir, () => this.schedule());
      this.watcher.on('error', (e) => this.log.warn('lexicon watch failed; reload with SIGHUP', e));
      this.watcher.unref();
    } catch (e) {
      this.log.warn(`cannot watch lexicon directory ${this.dir}; reload with SIGHUP`, e);
    }
  }

  /** Load now (after any load in progress). */
  reload(): Promise<void> {
    this.loading = this.loading.then(() => this.load());
    return this.loading;
  }

  stop(): void {
    this.watcher?.close();
    this.watcher = null;
    if (this.timer) clearTimeout(this.timer);
  }

  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.reload();
    }, this.debounceMs);
    this.timer.unref();
  }

  private async load(): Promise<void> {
    try {
      const lists = await readLexiconDir(this.dir);
      const filter = new ContentFilter(lists);
      this.screen.use(filter);
      this.log.info(`lexicon loaded: ${lists.length} lists, ${filter.wordCount} words from ${this.dir}`);
    } catch (e) {
      this.log.warn(`lexicon reload from ${this.dir} failed; keeping the previous one`, e);
    }
  }
}
