import { Agent, request } from 'node:http';
import { assertLoopbackUrl } from '../loopback.js';
import { sleep } from '../time.js';

/**
 * JSON over HTTP to the server under test, through one keep-alive agent so
 * provisioning thousands of users does not open thousands of sockets.
 */

export class HttpError extends Error {
  constructor(readonly status: number, readonly body: string) {
    super(`HTTP ${status}: ${body.slice(0, 300)}`);
  }
}

export class BenchHttp {
  private readonly agent: Agent;
  private readonly base: URL;

  constructor(base: string, maxSockets = 64) {
    this.base = new URL(assertLoopbackUrl(base));
    this.agent = new Agent({ keepAlive: true, maxSockets });
  }

  /** POST JSON; retries (bounded) on 429/503 and connection resets. */
  async post<T>(path: string, body: unknown, attempts = 4): Promise<T> {
    let lastError: unknown;
    for (let i = 0; i < attempts; i++) {
      try {
        return await this.once<T>('POST', path, body);
      } catch (e) {
        lastError = e;
        const retryable = !(e instanceof HttpError) || e.status === 429 || e.status === 503;
        if (!retryable) throw e;
        await sleep(100 * 2 ** i);
      }
    }
    throw lastError;
  }

  async get<T>(path: string): Promise<T> {
    return this.once<T>('GET', path, undefined);
  }

  close(): void {
    this.agent.destroy();
  }

  private once<T>(method: string, path: string, body: unknown): Promise<T> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    return new Promise<T>((resolve, reject) => {
      const req = request(
        {
          host: this.base.hostname,
          port: this.base.port,
          path,
          method,
          agent: this.agent,
          timeout: 30_000,
          headers: payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {},
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            const status = res.statusCode ?? 0;
            if (status < 200 || status >= 300) return reject(new HttpError(status, text));
            try {
              resolve((text ? JSON.parse(text) : {}) as T);
            } catch {
              reject(new HttpError(status, `bad JSON: ${text}`));
            }
          });
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`timeout ${method} ${path}`)));
      req.on('error', reject);
      req.end(payload);
    });
  }
}
