import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

export interface PostResponse {
  readonly status: number;
  readonly text: string;
}

/**
 * POSTs to one customer endpoint over kept-alive connections (node:http with
 * a bounded Agent). Measured here, fetch (undici) took ~2 s for 200
 * concurrent requests to a local server where this takes ~0.1-0.4 s, and the
 * before-send check is on every message's path.
 */
export class HttpPoster {
  private readonly agent: HttpAgent;
  private readonly target: URL;
  private readonly request: typeof httpRequest;

  constructor(url: string, maxSockets: number) {
    this.target = new URL(url);
    const https = this.target.protocol === 'https:';
    this.agent = https ? new HttpsAgent({ keepAlive: true, maxSockets }) : new HttpAgent({ keepAlive: true, maxSockets });
    this.request = https ? httpsRequest : httpRequest;
  }

  /** Rejects on a network error, on `timeoutMs` (whole exchange) and when `signal` aborts. */
  post(body: string, headers: Record<string, string>, timeoutMs: number, signal?: AbortSignal): Promise<PostResponse> {
    return new Promise((resolve, reject) => {
      // Settle exactly once, whatever the socket does: a request still queued
      // for a free socket when it times out must fail too, not hang.
      let settled = false;
      const done = (fn: () => void): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        fn();
      };
      const payload = Buffer.from(body);
      const req = this.request(this.target, {
        method: 'POST',
        agent: this.agent,
        headers: { 'content-type': 'application/json', 'content-length': payload.length, 'user-agent': 'Xinbox-Webhooks/1', ...headers },
        signal,
      }, (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          // Only the first 64 KiB of an answer matter (a verdict or an error text).
          if (size < 65_536) chunks.push(c);
          size += c.length;
        });
        res.on('end', () => done(() => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') })));
        res.on('error', (e) => done(() => reject(e)));
      });
      const timer = setTimeout(() => {
        done(() => reject(new Error(`timed out after ${timeoutMs} ms`)));
        req.destroy();
      }, timeoutMs);
      req.on('error', (e) => done(() => reject(e)));
      req.end(payload);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
