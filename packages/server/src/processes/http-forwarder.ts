import { Agent, createServer as createHttpServer, request, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { Errors, XinboxError } from '@xinbox/protocol';
import { httpError } from '../api/http-errors.js';
import { CLIENT_IP_HEADER } from '../api/http-api.js';
import type { TlsFiles } from '../tls-files.js';


const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection', 'te', 'trailer']);

export interface ForwardingServerOptions {
  /** The primary's HTTP API (a unix domain socket); null: every plain HTTP request is answered 404. */
  readonly upstreamPath: string | null;
  readonly tls: TlsFiles | null;
  readonly keepAliveTimeoutMs: number;
}

/**
 * The HTTP server of a gateway process. WebSocket upgrades are the gateway's
 * (attached to its `upgrade` event, as on any node); every other request (the
 * HTTP API, media uploads and downloads, metrics, the web client) is passed,
 * streamed both ways, to the primary's API listener, which serves it exactly
 * as a single process would. The client's address travels in
 * CLIENT_IP_HEADER for the per-IP limits.
 */
export function createForwardingServer(o: ForwardingServerOptions): HttpServer {
  const agent = new Agent({ keepAlive: true, maxFreeSockets: 64 });
  const forward = (req: IncomingMessage, res: ServerResponse): void => {
    if (!o.upstreamPath) {
      answerError(res, new XinboxError(Errors.NOT_FOUND, 'this process serves no HTTP API'));
      return;
    }
    const headers: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(req.headers)) if (v !== undefined && !HOP_BY_HOP.has(k)) headers[k] = v;
    headers[CLIENT_IP_HEADER] = req.socket.remoteAddress ?? '';
    const upstream = request({ socketPath: o.upstreamPath, method: req.method, path: req.url, headers, agent }, (answer) => {
      const out: Record<string, string | string[]> = {};
      for (const [k, v] of Object.entries(answer.headers)) if (v !== undefined && !HOP_BY_HOP.has(k)) out[k] = v;
      res.writeHead(answer.statusCode ?? 502, answer.statusMessage, out);
      answer.pipe(res);
      answer.on('error', () => res.destroy());
    });
    upstream.on('error', () => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      answerError(res, new XinboxError(Errors.UNAVAILABLE, 'the API process is not reachable; retry'));
    });
    res.on('close', () => {
      if (!res.writableFinished) upstream.destroy();
    });
    req.pipe(upstream);
  };
  const server = o.tls ? createHttpsServer({ cert: o.tls.cert, key: o.tls.key }, forward) : createHttpServer(forward);
  server.keepAliveTimeout = o.keepAliveTimeoutMs;
  server.on('close', () => agent.destroy());
  return server;
}

function answerError(res: ServerResponse, e: XinboxError): void {
  const { status, body } = httpError(e);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
}
