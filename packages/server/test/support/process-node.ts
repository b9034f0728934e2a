import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';

const REPO = resolve(import.meta.dirname, '../../../..');
// The compiled entry point `npm start` runs (built by the vitest global setup).
const CLI = resolve(REPO, 'packages/server/dist/cli.js');

export interface ProcessNode {
  readonly proc: ChildProcess;
  readonly httpUrl: string;
  readonly wsUrl: string;
  readonly tcpPort: number;
  /** Output so far, for failure messages. */
  output(): string;
  kill(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Run the real, compiled CLI under plain node in a child process and wait for its "xinbox listening" line. */
export function spawnNode(env: Record<string, string>, timeoutMs = 60_000): Promise<ProcessNode> {
  const proc = spawn(process.execPath, [CLI], {
    cwd: REPO,
    env: { ...process.env, XINBOX_HOST: '127.0.0.1', XINBOX_PORT: '0', XINBOX_TCP_PORT: '0', XINBOX_LOG_LEVEL: 'warn', XINBOX_SCRYPT_COST: '4', XINBOX_RATE_LIMITS: 'false', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  return new Promise((resolveNode, reject) => {
    const timer = setTimeout(() => reject(new Error(`node did not start:\n${out}`)), timeoutMs);
    const onData = (b: Buffer) => {
      out += b.toString();
      const m = /xinbox listening: .* http=(\S+) ws=(\S+) tcp=(\S+)/.exec(out);
      if (!m) return;
      clearTimeout(timer);
      resolveNode({
        proc,
        httpUrl: m[1]!,
        wsUrl: m[2]!,
        tcpPort: m[3] === '-' ? -1 : Number(m[3]),
        output: () => out,
        kill: (signal = 'SIGKILL') => {
          proc.kill(signal);
          return exited;
        },
      });
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', onData);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`node exited with ${code}:\n${out}`));
    });
  });
}
