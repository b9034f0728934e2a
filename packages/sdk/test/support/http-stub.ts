/** A real HTTP server answering a few JSON routes, for client tests that need /v1/refresh or /v1/access. */
import { createServer, type Server } from 'node:http';

export interface HttpStub {
  readonly url: string;
  readonly requests: Array<{ method: string; path: string; body: unknown }>;
  stop(): Promise<void>;
}

export type Route = (body: unknown) => { status: number; body?: unknown };

export async function startHttpStub(routes: Record<string, Route>): Promise<HttpStub> {
  const requests: HttpStub['requests'] = [];
  const server: Server = createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString()));
    req.on('end', () => {
      const path = new URL(req.url!, 'http://x').pathname;
      const body = text ? (JSON.parse(text) as unknown) : undefined;
      requests.push({ method: req.method!, path, body });
      const route = routes[`${req.method} ${path}`];
      const r = route ? route(body) : { status: 404, body: { error: { code: 1200, name: 'NOT_FOUND', message: 'no route', retryable: false } } };
      res.writeHead(r.status, { 'content-type': 'application/json' }).end(r.body === undefined ? '' : JSON.stringify(r.body));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    requests,
    stop: () => new Promise<void>((r) => server.close(() => r())),
  };
}
