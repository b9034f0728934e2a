// `npm run build`, and before `npm start` / `npm run cluster`: compiles
// protocol, sdk and server to JS + declarations in their dist/ (tsc project
// references, incremental: well under a second when nothing changed) and
// builds the web client when its inputs are newer than its last build.
import { execFileSync } from 'node:child_process';
import { chmodSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { ensureNativeBuild } from './native-build.mjs';
import { ensureWebBuild } from './web-build.mjs';

const root = resolve(import.meta.dirname, '..');
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const started = Date.now();
try {
  execFileSync(process.execPath, [tsc, '-b', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
} catch {
  console.error('[xinbox] build failed: TypeScript errors above (npm run build)');
  process.exit(1);
}
try {
  ensureNativeBuild();
} catch (e) {
  console.error(`${e.message}\n[xinbox] or run without it: XINBOX_SQLITE_WAL_COALESCING=false (docs/operations.md)`);
  process.exit(1);
}
// tsc does not set the executable bit of the `xinbox` bin (npm links it from node_modules/.bin).
chmodSync(resolve(root, 'packages/server/dist/cli/xinbox.js'), 0o755);
const web = ensureWebBuild();
console.log(`[xinbox] build ready in ${((Date.now() - started) / 1000).toFixed(1)} s${web ? ' (web client rebuilt)' : ''}`);
