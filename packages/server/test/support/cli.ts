import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';

/** The compiled `xinbox` command (npm run build / tsc -b tsconfig.build.json makes it). */
export const XINBOX_CLI = resolve(import.meta.dirname, '../../dist/cli/xinbox.js');

export interface CliResult { code: number; stdout: string; stderr: string }

/**
 * Runs `node dist/cli/xinbox.js ...args` as an operator would: plain node,
 * only PATH, a quiet log level and the given settings in its environment.
 * Never throws: a failing command is a non-zero `code` with its output.
 */
export async function runXinbox(args: readonly string[], env: Record<string, string> = {}): Promise<CliResult> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [XINBOX_CLI, ...args], {
      env: { PATH: process.env.PATH, XINBOX_LOG_LEVEL: 'warn', ...env },
      timeout: 30_000,
    });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof err.code === 'number' ? err.code : -1, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
  }
}
