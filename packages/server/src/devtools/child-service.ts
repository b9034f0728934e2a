import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';

export interface ChildServiceOptions extends Omit<SpawnOptions, 'stdio'> {
  /** Output (stdout or stderr) that means the service accepts connections. */
  readonly ready: RegExp;
  readonly timeoutMs?: number;
  /** Signal sent if the test process exits with the service still running. */
  readonly exitSignal?: NodeJS.Signals;
}

/**
 * A long-running child process (a database server) started for tests: waits
 * for a readiness line in its output, keeps the last lines of output for
 * error messages, and stops it by pid. Children still alive when the test
 * process exits are killed so no server outlives its test run.
 */
export class ChildService {
  private readonly output: string[] = [];
  private readonly exited: Promise<number | null>;
  private exitCode: number | null | undefined;

  private constructor(readonly name: string, private readonly child: ChildProcess, readonly exitSignal: NodeJS.Signals) {
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exitCode = code ?? (signal ? -1 : null);
        live.delete(this);
        resolve(this.exitCode);
      });
    });
    const keep = (chunk: Buffer): void => {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) this.output.push(line);
      if (this.output.length > 40) this.output.splice(0, this.output.length - 40);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    live.add(this);
  }

  /** Spawn `command` and resolve once a line of its output matches `ready`. */
  static async start(
    name: string, command: string, args: readonly string[], options: ChildServiceOptions,
  ): Promise<ChildService> {
    const { ready, timeoutMs = 30_000, exitSignal = 'SIGKILL', ...spawnOptions } = options;
    const child = spawn(command, args, { ...spawnOptions, stdio: ['ignore', 'pipe', 'pipe'] });
    const service = new ChildService(name, child, exitSignal);
    await new Promise<void>((resolve, reject) => {
      let seen = '';
      const onData = (chunk: Buffer): void => {
        seen = (seen + chunk.toString('utf8')).slice(-4096);
        if (ready.test(seen)) finish();
      };
      const timer = setTimeout(() => finish(new Error(`${name} not ready after ${timeoutMs} ms`)), timeoutMs);
      const onExit = (): void => finish(new Error(`${name} exited during start`));
      const onError = (e: Error): void => finish(e);
      function finish(error?: Error): void {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        child.stderr?.off('data', onData);
        child.off('exit', onExit);
        child.off('error', onError);
        if (error) reject(error);
        else resolve();
      }
      child.stdout?.on('data', onData);
      child.stderr?.on('data', onData);
      child.once('exit', onExit);
      child.once('error', onError);
    }).catch(async (e: Error) => {
      await service.stop('SIGKILL');
      throw new Error(`${e.message}: ${command} ${args.join(' ')}\n${service.recentOutput()}`, { cause: e });
    });
    return service;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.exitCode === undefined;
  }

  recentOutput(): string {
    return this.output.join('\n');
  }

  /** Send `signal`, escalate to SIGKILL after `graceMs`, resolve when the process is gone. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 10_000): Promise<void> {
    if (!this.running) return;
    this.child.kill(signal);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}

// Safety net for a test process that exits without running its afterAll hooks.
const live = new Set<ChildService>();
process.once('exit', () => {
  for (const service of live) if (service.pid) safeKill(service.pid, service.exitSignal);
});

function safeKill(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}
