// Runs before `npm start` and `npm test`: installs dependencies on a fresh
// clone so each of the README's commands works on its own.
import { existsSync } from 'node:fs';
import { execSync } from 'node:child_process';

const markers = ['node_modules/.package-lock.json', 'node_modules/better-sqlite3/build/Release/better_sqlite3.node'];
if (!markers.every((m) => existsSync(m))) {
  console.log('[xinbox] installing dependencies (first run; the SQLite driver compiles from source, ~90 s)');
  // `npm install`, not `npm ci`: it follows the lock file but tolerates npm's habit of
  // leaving other platforms' optional binaries (e.g. @bufbuild/buf-darwin-*) out of it.
  execSync('npm install --no-audit --no-fund', { stdio: 'inherit' });
}
