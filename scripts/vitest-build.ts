/**
 * Vitest global setup: compiles protocol, sdk and server into dist/ once per
 * run (incremental: under a second when current), so tests that spawn plain
 * `node` on the compiled code — the CLI, the README example, process-level
 * cluster tests — run what `npm start` runs. In-process tests import sources.
 * Also compiles the native SQLite extension (scripts/native-build.mjs).
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { ensureNativeBuild } from './native-build.mjs';

export default function buildDist(): void {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  try {
    execFileSync(process.execPath, [tsc, '-b', resolve(import.meta.dirname, '../tsconfig.build.json')], { stdio: 'pipe' });
  } catch (e) {
    // tsc -b still emits on type errors; report them, and let the type check fail the run.
    const out = (e as { stdout?: Buffer }).stdout?.toString() ?? String(e);
    console.warn(`[vitest] tsc -b tsconfig.build.json reported errors:\n${out.slice(0, 4000)}`);
  }
  // The SQLite WAL write-coalescing extension the server loads by default (ADR 0015).
  ensureNativeBuild();
  const bin = resolve(import.meta.dirname, '../packages/server/dist/cli/xinbox.js');
  if (existsSync(bin)) chmodSync(bin, 0o755);
}
