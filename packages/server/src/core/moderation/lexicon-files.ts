import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { WordList, WordPolicy } from './content-filter.js';

const FILE = /^([A-Za-z0-9_-]+)\.(reject|mask|flag)\.txt$/;

/**
 * Reads a lexicon directory: every `<list>.<policy>.txt` file is one word
 * list (policy `reject`, `mask` or `flag`), UTF-8, one word per line; blank
 * lines and lines starting with `#` are ignored. Other files are ignored, so
 * editors' temporary files do not count. Asynchronous: never blocks the loop.
 */
export async function readLexiconDir(dir: string): Promise<WordList[]> {
  const names = (await readdir(dir)).filter((n) => FILE.test(n)).sort();
  const lists: WordList[] = [];
  for (const n of names) {
    const [, name, policy] = FILE.exec(n)!;
    const text = await readFile(join(dir, n), 'utf8');
    const words = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
    lists.push({ name: name!, policy: policy as WordPolicy, words });
  }
  return lists;
}
