import { createServer, type Server as HttpServer } from 'node:http';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { randomBytes, randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { buildConfig, type XinboxConfig } from './config.js';
import { createLogger, type Logger } from './logger.js';
import { openStorage, type Storage } from './storage.js';
import { IdentityService } from './core/identity/identity-service.js';
import { TokenSigner } from './core/identity/tokens.js';
import { SnowflakeGenerator, SNOWFLAKE_MAX_NODES } from './core/ids/snowflake.js';
import { ConversationCache } from './core/messaging/conversation-cache.js';
import { SendPipeline } from './core/messaging/send-pipeline.js';
import { MessagingService } from './core/messaging/messaging-service.js';
import { PresenceService } from './core/presence/presence-service.js';
import { GroupService } from './core/groups/group-service.js';
import { Gateway } from './gateway/gateway.js';
import { LocalSessions } from './gateway/local-sessions.js';
import { messagingHandlers } from './gateway/handlers/messaging-handlers.js';
import { groupHandlers } from './gateway/handlers/group-handlers.js';
import { LocalOutbox } from './router/local-outbox.js';
import { createHttpHandler } from './api/http-api.js';

export interface XinboxNode {
  readonly config: XinboxConfig;
  readonly nodeId: string;
  readonly port: number;
  readonly tcpPort: number;
  readonly httpUrl: string;
  readonly wsUrl: string;
  /** Stop accepting, move clients elsewhere (DRAINING), then stop. */
  drain(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

const LEASE_TTL_MS = 60_000;

/**
 * The composition root: builds adapters chosen by config, the core services
 * over them, and the gateway and HTTP API in front. Everything is constructed
 * here and injected; nothing is global.
 */
export async function startXinbox(overrides: Partial<Record<keyof XinboxConfig, unknown>> | XinboxConfig = {}, log?: Logger): Promise<XinboxNode> {
  const config = Object.isFrozen(overrides) ? (overrides as XinboxConfig) : buildConfig(overrides);
  const logger = log ?? createLogger(config.logLevel);
  const dataDir = resolve(config.dataDir);
  mkdirSync(dataDir, { recursive: true });
  const nodeId = config.nodeId || `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;

  const storage: Storage = await openStorage(config, dataDir);
  const nodeNumber = await storage.leases.acquire(nodeId, SNOWFLAKE_MAX_NODES, LEASE_TTL_MS, Date.now());
  if (nodeNumber === null) throw new Error('no free snowflake node number (all 1024 leased)');
  const leaseTimer = setInterval(() => {
    storage.leases.renew(nodeId, nodeNumber, LEASE_TTL_MS, Date.now()).then((ok) => {
      if (!ok) {
        // Another node may now issue ids with our number: stop before a duplicate can exist.
        logger.error(`lost snowflake lease ${nodeNumber}; exiting`);
        process.exit(70);
      }
    }, (e) => logger.warn('lease renewal failed', e));
  }, LEASE_TTL_MS / 3);
  leaseTimer.unref();

  const signer = new TokenSigner(config.tokenSecret || tokenSecretIn(dataDir));
  const identity = new IdentityService(storage.identity, signer, config);
  const sessions = new LocalSessions();
  const outbox = new LocalOutbox(sessions);
  const cache = new ConversationCache(storage.conversations);
  const pipeline = new SendPipeline(storage.messages, cache, outbox, new SnowflakeGenerator(nodeNumber), { maxBatch: config.maxSendBatch });
  const messaging = new MessagingService(pipeline, cache, storage.messages, storage.conversations, storage.identity, outbox, config);
  const presence = new PresenceService(storage.presence, storage.conversations, storage.identity, outbox, nodeId);
  const groups = new GroupService(storage.conversations, storage.identity, cache, pipeline, outbox, config);

  const gateway = new Gateway(
    { ...config, nodeId, presenceRefreshMs: 30_000 },
    identity,
    presence,
    sessions,
    { ...messagingHandlers(messaging, presence, sessions), ...groupHandlers(groups) },
    {
      opened: async (conn) => {
        const [bounds, large] = await Promise.all([storage.messages.timelineBounds(conn.userId), groups.largeConversationsOf(conn.userId)]);
        for (const id of large) sessions.joinAudience(id, [conn.userId]);
        return bounds.head;
      },
      closed: async () => undefined,
    },
    logger,
  );

  const lag = monitorEventLoopDelay({ resolution: 20 });
  lag.enable();
  const http: HttpServer = createServer({ keepAliveTimeout: 65_000 }, createHttpHandler({
    identity,
    access: async () => [{ ws: `ws://${publicHost(config.host)}:${port}/ws`, tcp: tcpPort > 0 ? { host: publicHost(config.host), port: tcpPort } : null, weight: 1, nodeId }],
    metrics: () => ({
      nodeId,
      connections: gateway.connectionCount,
      users: sessions.userCount,
      sendQueue: pipeline.queued,
      eventLoopLagMs: lag.mean / 1e6,
      eventLoopLagP99Ms: lag.percentile(99) / 1e6,
      rssBytes: process.memoryUsage.rss(),
    }),
    webRoot: config.webRoot || defaultWebRoot(),
    log: logger,
  }));
  gateway.attachWebSocket(http);
  const port = await new Promise<number>((res, rej) => {
    http.once('error', rej);
    http.listen(config.port, config.host, () => {
      const a = http.address();
      res(typeof a === 'object' && a ? a.port : config.port);
    });
  });
  const tcpPort = config.tcpPort >= 0 ? await gateway.listenTcp(config.tcpPort, config.host) : -1;
  gateway.start();

  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    clearInterval(leaseTimer);
    lag.disable();
    await gateway.stop();
    http.closeAllConnections();
    await new Promise<void>((r) => http.close(() => r()));
    await storage.leases.release(nodeId, nodeNumber).catch(() => undefined);
    await storage.close();
  };
  const host = publicHost(config.host);
  return {
    config,
    nodeId,
    port,
    tcpPort,
    httpUrl: `http://${host}:${port}`,
    wsUrl: `ws://${host}:${port}/ws`,
    drain: async (timeoutMs) => {
      await gateway.drain(timeoutMs);
      await stop();
    },
    stop,
  };
}

function publicHost(host: string): string {
  return host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
}

/** A per-installation secret kept in the data dir, created on first start. */
function tokenSecretIn(dataDir: string): string {
  const file = join(dataDir, 'token-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const secret = randomBytes(32).toString('base64url');
  writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}

function defaultWebRoot(): string {
  const dist = resolve(import.meta.dirname, '../../web/dist');
  return existsSync(join(dist, 'index.html')) ? dist : '';
}
