// Runs before `npm start`, `npm run cluster` and `npm test`: installs the
// dependencies on a fresh clone so each of the README's commands works on its
// own. `npm ci` installs exactly the committed lock file and never rewrites it.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const markers = ['node_modules/.package-lock.json', 'node_modules/better-sqlite3/build/Release/better_sqlite3.node'];
if (!markers.every((m) => existsSync(resolve(root, m)))) {
  console.log('[xinbox] installing dependencies with `npm ci` (first run; the SQLite driver compiles from source: about 2-3 minutes on 2 cores)');
  const args = ['ci', '--no-audit', '--no-fund', '--foreground-scripts'];
  // npm draws its progress bar only on a terminal; elsewhere (CI logs, pipes)
  // its per-request log lines are the progress, and the compiler output shows
  // through --foreground-scripts instead of minutes of silence.
  if (!process.stdout.isTTY) args.push('--loglevel=http');
  const npm = process.env.npm_execpath;
  const [cmd, argv] = npm && npm.endsWith('.js') ? [process.execPath, [npm, ...args]] : ['npm', args];
  const result = spawnSync(cmd, argv, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error('[xinbox] `npm ci` failed (see above). It needs the npm registry and a C++ toolchain (apt-get install -y build-essential python3) for better-sqlite3.');
    process.exit(result.status ?? 1);
  }
}
