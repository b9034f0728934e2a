import { BenchHttp, HttpError } from './http.js';
import { mapLimit, nowMs } from '../time.js';

/**
 * Bench users of one server instance. Registration (scrypt on Xinbox) is the
 * slow part, so users are created once per server and shared by the
 * workloads; each device id gets its own login (and token).
 */

export interface BenchUser {
  readonly index: number;
  readonly username: string;
  readonly userId: string;
  readonly tokens: Map<string, string>;
  /** When each device's token was issued (nowMs), so old ones are renewed before they expire. */
  readonly tokenAt: Map<string, number>;
}

export interface PhaseStats {
  readonly count: number;
  readonly failed: number;
  readonly ms: number;
  readonly perSec: number;
}

const PASSWORD = 'bench-password-123';
/** Renew tokens older than this (Xinbox access tokens live 1 h by default). */
const TOKEN_MAX_AGE_MS = 30 * 60_000;

export class UserPool {
  readonly users: BenchUser[] = [];
  /** Registration and login throughput of every batch this pool ran. */
  readonly registrations: PhaseStats[] = [];
  readonly logins: PhaseStats[] = [];

  constructor(
    private readonly http: BenchHttp,
    private readonly prefix: string,
    private readonly concurrency: number,
  ) {}

  /** Make sure at least `n` users exist; returns the first n. */
  async ensure(n: number): Promise<BenchUser[]> {
    const missing = Array.from({ length: Math.max(0, n - this.users.length) }, (_, k) => this.users.length + k);
    if (missing.length > 0) {
      const t0 = nowMs();
      const made = await mapLimit(missing, this.concurrency, async (index) => {
        const username = `${this.prefix}u${index}`;
        const res = await this.http.post<{ userId?: string | number; user?: { id?: string | number } }>('/v1/register', { username, password: PASSWORD });
        const userId = String(res.userId ?? res.user?.id ?? '');
        if (!userId) throw new Error(`register ${username}: no userId in ${JSON.stringify(res)}`);
        return { index, username, userId, tokens: new Map<string, string>(), tokenAt: new Map<string, number>() } satisfies BenchUser;
      });
      this.users.push(...made);
      this.registrations.push(phase(made.length, 0, nowMs() - t0));
    }
    return this.users.slice(0, n);
  }

  /** Log in every user that has no fresh token for `deviceId`. Failures are counted, not thrown. */
  async login(users: readonly BenchUser[], deviceId: string): Promise<PhaseStats> {
    const now = nowMs();
    const todo = users.filter((u) => !u.tokens.has(deviceId) || now - (u.tokenAt.get(deviceId) ?? 0) > TOKEN_MAX_AGE_MS);
    const t0 = nowMs();
    let failed = 0;
    let firstError = '';
    await mapLimit(todo, this.concurrency, async (u) => {
      try {
        const res = await this.http.post<{ accessToken?: string }>('/v1/login', { username: u.username, password: PASSWORD, deviceId, platform: 'other' });
        if (!res.accessToken) throw new Error('no accessToken');
        u.tokens.set(deviceId, res.accessToken);
        u.tokenAt.set(deviceId, nowMs());
      } catch (e) {
        failed++;
        firstError ||= e instanceof HttpError ? e.message : String(e);
      }
    });
    const stats = phase(todo.length - failed, failed, nowMs() - t0);
    if (todo.length > 0) this.logins.push(stats);
    if (failed > 0 && failed === todo.length) throw new Error(`all ${failed} logins failed: ${firstError}`);
    return stats;
  }

}

function phase(count: number, failed: number, ms: number): PhaseStats {
  return { count, failed, ms: Math.round(ms), perSec: ms > 0 ? Math.round((count / ms) * 1000 * 10) / 10 : 0 };
}
