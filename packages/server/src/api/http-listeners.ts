import type { Server as HttpServer } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { Logger } from '../logger.js';
import type { AdminRoutesDeps } from './admin-routes.js';
import { createAdminApi, createHttpApi, type HttpApiDeps } from './http-api.js';

export interface HttpListenOptions {
  /** The main listener's API; null for a node without an HTTP role (a logic node). */
  readonly api: HttpApiDeps | null;
  /** Called with the main server before it listens (the gateway attaches /ws to its upgrade event). */
  readonly attach?: (server: HttpServer) => void;
  readonly host: string;
  readonly port: number;
  /** A unix socket path to listen on instead of host:port (a primary's API behind its gateway processes). */
  readonly path?: string;
  readonly adminHost: string;
  /** -1: no admin listener. */
  readonly adminPort: number;
  readonly admin: AdminRoutesDeps;
  readonly log: Logger;
}

export interface HttpListeners {
  /** Bound port of the main listener; 0 when there is none. */
  readonly port: number;
  /** Bound port of the admin listener; -1 when there is none. */
  readonly adminPort: number;
  /** The main listener's server (an https.Server with TLS, for setSecureContext on SIGHUP); null when there is none. */
  readonly server: HttpServer | null;
  close(): Promise<void>;
}

/** Starts the main HTTP(+WebSocket) listener and, when configured, the admin listener. */
export async function startHttpListeners(o: HttpListenOptions): Promise<HttpListeners> {
  const apps: FastifyInstance[] = [];
  const close = async () => {
    for (const app of apps) {
      app.server.closeAllConnections();
      await app.close();
    }
  };
  try {
    let port = 0;
    let server: HttpServer | null = null;
    if (o.api) {
      const app = await createHttpApi(o.api);
      apps.push(app);
      server = app.server;
      o.attach?.(app.server);
      if (o.path) await app.listen({ path: o.path, listenTextResolver: () => '' });
      else port = await listen(app, o.port, o.host);
    }
    let adminPort = -1;
    if (o.adminPort >= 0) {
      const admin = await createAdminApi({ ...o.admin, log: o.log });
      apps.push(admin);
      adminPort = await listen(admin, o.adminPort, o.adminHost);
    }
    return { port, adminPort, server, close };
  } catch (e) {
    await close();
    throw e;
  }
}

async function listen(app: FastifyInstance, port: number, host: string): Promise<number> {
  await app.listen({ port, host, listenTextResolver: () => '' });
  const a = app.server.address();
  return typeof a === 'object' && a ? a.port : port;
}
