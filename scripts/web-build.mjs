/**
 * Builds packages/web/dist (served by the server at `/`) when it is missing or
 * older than any source that goes into it (the web client, the SDK and the
 * protocol package). Used by scripts/build.mjs (`npm start`) and by the
 * browser test, so neither rebuilds what is current.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const WEB_DIR = resolve(import.meta.dirname, '../packages/web');
export const DIST_DIR = join(WEB_DIR, 'dist');
const PACKAGES = resolve(WEB_DIR, '..');

const INPUTS = [
  join(WEB_DIR, 'src'),
  join(WEB_DIR, 'index.html'),
  join(WEB_DIR, 'admin.html'),
  join(WEB_DIR, 'public'),
  join(WEB_DIR, 'vite.config.ts'),
  join(WEB_DIR, 'package.json'),
  join(PACKAGES, 'sdk/src'),
  join(PACKAGES, 'protocol/src'),
];

/** @param {string} path @returns {number} */
function newestMtime(path) {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

/** @returns {boolean} */
export function isDistStale() {
  const index = join(DIST_DIR, 'index.html');
  if (!existsSync(index)) return true;
  const built = statSync(index).mtimeMs;
  return INPUTS.some((p) => newestMtime(p) > built);
}

/** Runs `vite build` in packages/web when needed; returns whether it built. @returns {boolean} */
export function ensureWebBuild() {
  if (!isDistStale()) return false;
  const vite = join(resolve(WEB_DIR, '../../node_modules/vite/bin/vite.js'));
  execFileSync(process.execPath, [vite, 'build', '--logLevel', 'warn'], { cwd: WEB_DIR, stdio: 'inherit', timeout: 5 * 60_000 });
  if (!existsSync(join(DIST_DIR, 'index.html'))) throw new Error(`vite build did not produce ${DIST_DIR}/index.html`);
  return true;
}
