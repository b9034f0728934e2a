import type { IncomingMessage, ServerResponse } from 'node:http';
import type { IntervalHistogram } from 'node:perf_hooks';

/**
 * The HTTP side of the baseline relays: the same register/login/metrics
 * endpoints the Xinbox server offers, with no password hashing or storage, so
 * the load generator provisions users the same way against every target.
 */

export interface RelayDirectory {
  readonly userIds: Map<string, string>;
  nextUserId: number;
  connections: () => number;
  /** Room counters (W4), reported like Xinbox's `rooms` in /v1/metrics. */
  rooms?: () => unknown;
}

export const TOKEN_PREFIX = 'relay:';

function readBody(req: IncomingMessage, limit = 64 * 1024): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) reject(new Error('body too large'));
      else chunks.push(c);
    });
    req.on('end', () => {
      try {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve(text ? (JSON.parse(text) as Record<string, unknown>) : {});
      } catch (e) {
        reject(e as Error);
      }
    });
    req.on('error', reject);
  });
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export function relayHttpHandler(dir: RelayDirectory, lag: IntervalHistogram) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/v1/metrics') {
      // Same fields as Xinbox's /v1/metrics, but over the interval since the previous read.
      const ms = (ns: number): number => (Number.isFinite(ns) ? Math.round(ns / 1e4) / 100 : 0);
      let rssBytes = 0;
      try {
        rssBytes = process.memoryUsage.rss();
      } catch {
        // Reading RSS opens /proc/self/stat, which fails with EMFILE when W3 has used every descriptor.
      }
      const body = { connections: dir.connections(), eventLoopLagMs: ms(lag.mean), eventLoopLagP99Ms: ms(lag.percentile(99)), rssBytes, rooms: dir.rooms?.() };
      lag.reset();
      json(res, 200, body);
      return;
    }
    if (req.method !== 'POST' || (path !== '/v1/register' && path !== '/v1/login')) {
      json(res, 404, { error: 'NOT_FOUND' });
      return;
    }
    readBody(req).then(
      (body) => {
        const username = typeof body.username === 'string' ? body.username : '';
        if (!username) return json(res, 400, { error: 'INVALID_ARGUMENT' });
        if (path === '/v1/register') {
          if (dir.userIds.has(username)) return json(res, 409, { error: 'USERNAME_TAKEN' });
          const userId = String(dir.nextUserId++);
          dir.userIds.set(username, userId);
          return json(res, 200, { userId });
        }
        const userId = dir.userIds.get(username);
        if (!userId) return json(res, 401, { error: 'BAD_CREDENTIALS' });
        return json(res, 200, { userId, accessToken: TOKEN_PREFIX + userId, refreshToken: '', expiresIn: 86_400 });
      },
      () => json(res, 400, { error: 'BAD_FRAME' }),
    );
  };
}
