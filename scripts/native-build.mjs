// Compiles the server's one native part, the SQLite WAL write-coalescing
// extension (packages/server/native/walbuf.c, ADR 0015), into
// packages/server/native/dist/. Run by `npm run build` (so before `npm start`
// and `npm run cluster`), by the test run's global setup and by the bench
// launcher; recompiles only when the source is newer than the library.
// It needs a C compiler (`cc`), which the SQLite driver needs too, and the
// SQLite headers that the driver ships.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';

const serverDir = resolve(import.meta.dirname, '../packages/server');

/** Where the server looks for the library (see adapters/sqlite/wal-coalescing.ts). */
export const walCoalescingLibrary = join(serverDir, 'native/dist', process.platform === 'darwin' ? 'walbuf.dylib' : 'walbuf.so');

/**
 * Builds the library if it is missing or older than its source. Returns
 * true when it compiled. Throws (with the compiler's output) when it cannot.
 */
export function ensureNativeBuild() {
  const source = join(serverDir, 'native/walbuf.c');
  if (existsSync(walCoalescingLibrary) && statSync(walCoalescingLibrary).mtimeMs >= statSync(source).mtimeMs) return false;
  const sqliteHeaders = join(dirname(createRequire(join(serverDir, 'package.json')).resolve('better-sqlite3/package.json')), 'deps/sqlite3');
  mkdirSync(dirname(walCoalescingLibrary), { recursive: true });
  // Written under a temporary name and renamed, so a process loading the library never sees half a file.
  const partial = `${walCoalescingLibrary}.${process.pid}.tmp`;
  const args = ['-O2', '-fPIC', '-shared', '-Wall', '-Wextra', '-Werror', '-I', sqliteHeaders, source, '-o', partial];
  if (process.platform === 'darwin') args.splice(3, 0, '-undefined', 'dynamic_lookup');
  try {
    execFileSync(process.env.CC || 'cc', args, { stdio: 'pipe' });
  } catch (e) {
    const out = `${e.stderr?.toString() ?? ''}${e.stdout?.toString() ?? ''}`.trim() || String(e);
    throw new Error(`[xinbox] could not compile ${source} (needs a C compiler: apt-get install -y build-essential):\n${out}`, { cause: e });
  }
  renameSync(partial, walCoalescingLibrary);
  return true;
}

// `node scripts/native-build.mjs`: build now.
if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  try {
    console.log(ensureNativeBuild() ? `[xinbox] built ${walCoalescingLibrary}` : `[xinbox] ${walCoalescingLibrary} is up to date`);
  } catch (e) {
    console.error(e.message);
    process.exit(1);
  }
}
