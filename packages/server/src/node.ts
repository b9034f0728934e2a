import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { randomBytes, randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { buildConfig, type XinboxConfig } from './config.js';
import { createLogger } from './logger.js';
import { openStorage } from './storage.js';
import { IdentityService } from './core/identity/identity-service.js';
import { TokenSigner } from './core/identity/tokens.js';
import { SnowflakeGenerator, SNOWFLAKE_MAX_NODES } from './core/ids/snowflake.js';
import { ConversationCache } from './core/messaging/conversation-cache.js';
import { SendPipeline } from './core/messaging/send-pipeline.js';
import { MessagingService } from './core/messaging/messaging-service.js';
import { PresenceService } from './core/presence/presence-service.js';
import { GroupService } from './core/groups/group-service.js';
import { RelationGuard } from './core/social/relation-guard.js';
import { SocialService } from './core/social/social-service.js';
import { ConversationSettingsService, NO_PUSH_SETTINGS } from './core/settings/conversation-settings-service.js';
import { conversationSettingsHandlers } from './gateway/handlers/conversation-settings-handlers.js';
import { socialHandlers } from './gateway/handlers/social-handlers.js';
import { ModerationService } from './core/moderation/moderation-service.js';
import { ContentScreen } from './core/moderation/content-screen.js';
import { LexiconLoader } from './core/moderation/lexicon-loader.js';
import { moderationHandlers } from './gateway/handlers/moderation-handlers.js';
import { searchHandlers } from './gateway/handlers/search-handlers.js';
import { pinHandlers } from './gateway/handlers/pin-handlers.js';
import { PinListService } from './core/messaging/pin-list.js';
import { SearchBackfill } from './core/search/search-backfill.js';
import { SearchService } from './core/search/search-service.js';
import type { SendScreening } from './core/moderation/send-screening.js';
import { CloseCodes, Errors, XinboxError, decodeFrame, encodeFrame, splitFrames } from '@xinbox/protocol';
import type { Outbox } from './core/ports/outbox.js';
import { Gateway, type SessionHooks } from './gateway/gateway.js';
import { LocalSessions } from './gateway/local-sessions.js';
import { hotSendHandler, messagingHandlers } from './gateway/handlers/messaging-handlers.js';
import { RequestDispatcher } from './gateway/request-dispatcher.js';
import { groupHandlers } from './gateway/handlers/group-handlers.js';
import { LocalOutbox } from './router/local-outbox.js';
import { ClusterOutbox } from './router/cluster-outbox.js';
import { NodeDirectory, type NodeInfo } from './router/node-directory.js';
import { OwnerRing } from './router/owner-ring.js';
import { RpcClient } from './router/rpc-client.js';
import { RequestExecutor } from './router/request-executor.js';
import { Forwarder } from './router/forwarder.js';
import { ClusterLink } from './router/cluster-link.js';
import { AccessService } from './access/access-service.js';
import { createRooms, type RoomOptions } from './gateway/rooms.js';
import { BusRoomBroadcaster } from './router/bus-room-broadcaster.js';
import { createMediaRoutes } from './api/media-routes.js';
import { openMediaChannel } from './media/index.js';
import { EventLoopDelayMonitor } from './runtime/event-loop-delay.js';
import { createWebhooks } from './platform/webhooks/index.js';
import { startHttpListeners } from './api/http-listeners.js';
import { NodeMetrics } from './metrics/node-metrics.js';
import { GcStats } from './runtime/gc-stats.js';
import { RequestLimits, type RequestLimitRules } from './gateway/request-limits.js';
import type { RateRule } from './core/ports/rate-limiter.js';
import { readTlsFiles, setSecureContext } from './tls-files.js';
import { createPush, pushTokenCheck } from './platform/push/index.js';
import { pushTokenRoutes } from './api/push-token-routes.js';
import { serverApiRoutes } from './api/server-api/routes.js';
import { adminConsoleRoutes } from './api/admin-console-routes.js';
import { adminReportRoutes } from './api/admin-report-routes.js';
import { adminAccountRoutes } from './api/admin-account-routes.js';
import { adminGroupRoutes } from './api/admin-group-routes.js';
import { adminRoomRoutes } from './api/admin-room-routes.js';
import { AccountOperations } from './core/identity/account-operations.js';
import { adminWebhookRoutes } from './api/admin-webhook-routes.js';
import { createAppDirectory } from './platform/apps/create-app-directory.js';
import { AppLimitResolver } from './core/apps/app-limits.js';
import { httpRateLimitOf } from './api/http-rate-limit.js';
import type { AppOfUser } from './core/ports/app-store.js';
import { EventRecorder } from './platform/event-log/event-recorder.js';
import type { SessionEvent } from './core/identity/identity-service.js';
import { ServerActions, type RunAs } from './platform/server-api/server-actions.js';
import { ServiceRouter } from './core/service/service-router.js';
import { CustomerService } from './core/service/customer-service.js';
import { ItemConversationService } from './core/items/item-conversation-service.js';
import { serviceHandlers } from './gateway/handlers/service-handlers.js';
import { AggregatorRegistry } from 'prom-client';
import { createForwardingServer } from './processes/http-forwarder.js';
import { gatewayProcessCount, startWithGatewayProcesses } from './processes/primary.js';
import type { HandedInConnections, NodeDeps, NodeMetricsSnapshot, XinboxNode } from './node-types.js';
import { UserApps } from './core/identity/user-apps.js';

export type { HandedInConnections, NodeDeps, NodeMetricsSnapshot, XinboxNode } from './node-types.js';

/**
 * The composition root: builds adapters chosen by config, the core services
 * over them, and the gateway and HTTP API in front. Everything is constructed
 * here and injected; nothing is global. With a membership adapter (Redis, or
 * an injected one) the node joins a cluster: requests are routed to the
 * conversation's owner over the bus and pushes go to the recipients' gateways.
 */
export async function startXinbox(overrides: Partial<Record<keyof XinboxConfig, unknown>> | XinboxConfig = {}, deps: NodeDeps = {}): Promise<XinboxNode> {
  const config = Object.isFrozen(overrides) ? (overrides as XinboxConfig) : buildConfig(overrides);
  // Gateway processes in front of this one (ADR gateway-processes-over-local-ipc).
  if (!deps.handedIn && !deps.apiPath && config.roles.includes('gateway') && gatewayProcessCount(config) > 1) {
    return startWithGatewayProcesses(config, deps, startXinbox);
  }
  const dataDir = resolve(config.dataDir);
  mkdirSync(dataDir, { recursive: true });
  const tls = readTlsFiles(config); // before anything opens: a bad file fails the start at once
  const nodeId = config.nodeId || `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
  const log = (deps.log ?? createLogger(config.logLevel)).child({ node: nodeId });
  const prometheus = deps.metrics ?? new NodeMetrics(nodeId, config.roles);
  const roles = new Set(config.roles);
  const isGateway = roles.has('gateway');
  const isLogic = roles.has('logic');

  const storage = deps.storage ?? (await openStorage(config, dataDir, nodeId));
  const clustered = storage.membership !== null;
  const nodeNumber = await storage.leases.acquire(nodeId, SNOWFLAKE_MAX_NODES, config.leaseTtlMs, Date.now());
  if (nodeNumber === null) throw new Error('no free snowflake node number (all 1024 leased)');
  const leaseTimer = setInterval(() => {
    storage.leases.renew(nodeId, nodeNumber, config.leaseTtlMs, Date.now()).then((ok) => {
      if (!ok) {
        // Another node may now issue ids with our number: stop before a duplicate can exist.
        log.error(`lost snowflake lease ${nodeNumber}; exiting`);
        process.exit(70);
      }
    }, (e) => log.warn('lease renewal failed', e));
  }, config.leaseTtlMs / 3);
  leaseTimer.unref();

  const secret = config.tokenSecret || tokenSecretIn(dataDir);
  // Apps (ADR 0013): the config's `default` plus stored ones; every user's app, cached (it never changes).
  const apps = createAppDirectory(config, storage.apps);
  const userApps = new UserApps(storage.identity);
  const appOfUser: AppOfUser = userApps.appOfUser;
  // Per-app limits (app.limits.x ?? config.x), for the gateway's per-user rules and the identity endpoints' per-IP rules.
  const appLimits = config.rateLimits ? new AppLimitResolver(apps, appOfUser, config, log) : null;
  await appLimits?.start();
  // Moderation (issue #15): mutes and bans are checked at login, connect and send.
  const moderation: ModerationService = new ModerationService(storage.moderation, storage.identity, storage.messages,
    (userId, conversationId) => messaging.requireMember(userId, conversationId),
    { moderators: config.moderators.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean), restrictionCacheMs: config.restrictionCacheMs });
  // The user event log (seed 004): logins, logouts, connections, kept eventLogRetentionDays.
  const eventLog = config.eventLogRetentionDays > 0
    ? new EventRecorder(storage.eventLog, nodeId, { retentionMs: config.eventLogRetentionDays * 86_400_000 }, log)
    : null;
  const identity = new IdentityService(storage.identity, new TokenSigner(secret), {
    ...config, accountCheck: (u) => moderation.checkAccount(u), ...(eventLog ? { sessionEvents: (e: SessionEvent) => eventLog.record(e) } : {}),
    appExists: async (id) => (await apps.get(id)) !== null,
  },
    Date.now, undefined, config.rateLimits ? storage.limiter : null);
  const sessions = new LocalSessions();
  const local = isGateway ? new LocalOutbox(sessions) : null;
  const outbox: Outbox = clustered ? new ClusterOutbox(nodeId, storage.bus, storage.routes, local, log) : local!;
  const webhooks = await createWebhooks({ config, outbox: storage.webhooks, nodeId, deliver: isLogic, log, apps, appOfUser });
  const events = webhooks.events;
  // Per-user conversation settings (issue 14): built below with SocialService; push asks them at notify time only.
  let conversationSettings: ConversationSettingsService | null = null;
  const push = await createPush({
    config, tokens: storage.pushTokens, presence: storage.presence, conversations: storage.conversations, identity: storage.identity, log, apps, appOfUser,
    settingsOf: async (u) => (conversationSettings ? conversationSettings.pushView(u) : NO_PUSH_SETTINGS),
  });
  const cache = new ConversationCache(storage.conversations, config.conversationCacheSize);
  // One generator per node number: messages and room messages share it.
  const snowflake = new SnowflakeGenerator(nodeNumber);
  // Blocks and privacy, checked by messaging, groups and presence (issue #15).
  const relationGuard = new RelationGuard(storage.social, { ttlMs: config.relationCacheMs });
  const social = new SocialService(storage.social, storage.identity, relationGuard, outbox, config, userApps);
  const settings = new ConversationSettingsService(storage.social, social, storage.conversations);
  conversationSettings = settings;
  // The sensitive-word filter (issue #15): lexicon files reloaded on change and on SIGHUP.
  const screen = new ContentScreen();
  const lexicon = config.lexiconDir ? new LexiconLoader(resolve(config.lexiconDir), screen, log) : null;
  await lexicon?.start();
  const reloadLexicon = () => void lexicon?.reload();
  if (lexicon) process.on('SIGHUP', reloadLexicon);
  const screening: SendScreening = { screen, flagged: (caller, ack, matches) => moderation.flagged(caller, ack, matches, matches.map((m) => m.word).join(', ')) };
  const pipeline = new SendPipeline(storage.messages, cache, outbox, snowflake, {
    maxBatch: config.maxSendBatch, commitIntervalMs: config.commitIntervalMs, maxQueued: config.maxQueuedSends, maxQueuedPerUser: config.maxQueuedSendsPerUser, timelineRetention: config.timelineRetention,
    dedupeCacheSize: config.dedupeCacheSize,
    admission: webhooks.admission, afterSendEvents: webhooks.afterSend, committed: bothListeners(webhooks.committed, push.committed),
    relations: relationGuard, senderCheck: (u) => moderation.checkSenderNow(u),
    observer: prometheus,
  });
  const media = await openMediaChannel({
    config, dataDir, catalog: storage.media, conversations: storage.conversations, tokenSecret: secret, log, store: deps.mediaStore,
  });
  const messaging = new MessagingService(pipeline, cache, storage.messages, storage.conversations, storage.identity, outbox, config, relationGuard, screening, media.attacher, settings, userApps);
  const presence = new PresenceService(storage.presence, storage.conversations, storage.identity, outbox, nodeId, Date.now, relationGuard);
  const groups = new GroupService(storage.conversations, storage.identity, cache, pipeline, outbox, config, relationGuard, userApps);
  const search = new SearchService(storage.search, storage.conversations, { hiddenAmong: (u, c, seqs) => settings.hiddenAmong(u, c, seqs) });
  const pins = new PinListService(storage.messages, storage.conversations);
  // Indexes messages stored before the search index existed (or after a rebuild), off the request path.
  const searchBackfill = new SearchBackfill(storage.search, log);
  // Customer service (issue #15): each shop is routed by one logic node, its owner on the ring (`s:<shopId>`).
  const serviceRouter = new ServiceRouter(storage.service, storage.conversations, storage.messages, storage.presence,
    (shopId) => !clustered || ring.ownerOfShop(shopId) === nodeId,
    { answerTimeoutMs: config.serviceAnswerTimeoutMs, sweepMs: config.serviceSweepMs });
  const membersListeners: Array<(ids: number[]) => void> = [];
  const customerService = new CustomerService(storage.service, serviceRouter, storage.identity, outbox, { maxQueue: config.serviceMaxQueue }, (ids) => {
    // The router changed members of ordinary conversations: their owners (here or elsewhere) must reload them.
    for (const id of ids) cache.invalidate(id);
    for (const l of membersListeners) l([...ids]);
  }, Date.now, userApps);
  const items = new ItemConversationService(storage.items, storage.identity, relationGuard, Date.now, userApps);
  // Rooms live at the gateways (seed 002 "scale"): each gateway fans out to its own audience.
  const rooms = isGateway
    ? createRooms({
      store: storage.rooms,
      ids: snowflake,
      log,
      options: roomOptionsOf(config),
      events,
      senderCheck: (u) => moderation.checkSender(u),
      apps: userApps,
      broadcaster: clustered ? (fanout) => new BusRoomBroadcaster(nodeId, storage.bus, fanout, log) : undefined,
    })
    : null;
  const handlers = {
    ...messagingHandlers(messaging, presence, sessions), ...groupHandlers(groups), ...socialHandlers(social), ...conversationSettingsHandlers(settings),
    ...moderationHandlers(moderation), ...serviceHandlers(customerService, items), ...rooms?.handlers,
    ...moderationHandlers(moderation), ...searchHandlers(search), ...pinHandlers(pins), ...rooms?.handlers,
  };
  // One request path: this node's sockets and requests forwarded by other gateways run the same handlers.
  const dispatcher = new RequestDispatcher(handlers, hotSendHandler(messaging), log, prometheus);

  // Cluster routing: who owns what, and how requests and frames cross nodes.
  const directory = new NodeDirectory();
  const ring = new OwnerRing(directory);
  ring.onChange(() => {
    cache.clear();
    serviceRouter.forget();
  });
  const rpc = new RpcClient(storage.bus, nodeId, config.rpcTimeoutMs, config.rpcMaxPending);
  let link: ClusterLink | null = null;

  const hooks: SessionHooks = {
    opened: async (conn) => {
      if (clustered) {
        await storage.routes.bind({ userId: conn.userId, deviceId: conn.deviceId, nodeId });
        link?.deviceConnected(conn.userId, conn.deviceId);
      }
      const [bounds, large] = await Promise.all([storage.messages.timelineBounds(conn.userId), groups.largeConversationsOf(conn.userId)]);
      for (const id of large) sessions.joinAudience(id, [conn.userId]);
      events.emit('user.online', `user:${conn.userId}`, { userId: String(conn.userId), deviceId: conn.deviceId, platform: conn.platform });
      eventLog?.record({ type: 'connect', userId: conn.userId, deviceId: conn.deviceId, platform: conn.platform, ip: conn.remoteAddress, detail: '' });
      return bounds.head;
    },
    closed: async (conn) => {
      rooms?.onConnectionClosed(conn);
      events.emit('user.offline', `user:${conn.userId}`, { userId: String(conn.userId), deviceId: conn.deviceId, platform: conn.platform });
      eventLog?.record({ type: 'disconnect', userId: conn.userId, deviceId: conn.deviceId, platform: conn.platform, ip: conn.remoteAddress, detail: '' });
      const stillHere = sessions.connectionsOf(conn.userId).some((c) => c.deviceId === conn.deviceId);
      // An agent whose last connection here closed: re-route their shops now rather than at the next sweep
      // (after the gateway's presence update, which runs beside this hook).
      if (isLogic && sessions.connectionsOf(conn.userId).length === 0) setTimeout(() => void serviceRouter.agentMayHaveLeft(conn.userId).catch(() => undefined), 100).unref();
      if (clustered && !stillHere) await storage.routes.unbind(conn.userId, conn.deviceId, nodeId);
    },
    refreshed: async (conn) => {
      if (clustered) await storage.routes.bind({ userId: conn.userId, deviceId: conn.deviceId, nodeId });
    },
  };

  const executor = clustered && isLogic ? new RequestExecutor(storage.bus, dispatcher, log) : null;
  // The server API (api role) sends requests to owners like a gateway does.
  const forwarder = clustered && (isGateway || roles.has('api')) ? new Forwarder(ring, rpc, nodeId, isLogic) : null;
  // The server API's requests take the path a client's frame takes: the owner node, or this one.
  const runAs: RunAs = async (caller, body) => {
    const bytes = encodeFrame({ id: 1, body });
    const reply = await (forwarder?.forward(caller, decodeFrame(bytes)) ?? dispatcher.run(caller, bytes));
    if (!reply) throw new XinboxError(Errors.INTERNAL, 'no reply');
    const frame = decodeFrame(splitFrames(reply, reply.length)[0]!); // one reply frame, any size (list replies exceed the client frame limit)
    if (frame.body.case === 'error') throw new XinboxError(frame.body.value.code, frame.body.value.message, frame.body.value.retryAfterMs);
    return frame.body;
  };
  // The server API (with app secrets) and the admin console (with the admin token) share the actions.
  const serverActions = roles.has('api')
    ? new ServerActions({
      identity, identityStore: storage.identity, conversations: storage.conversations, moderation, social, pushTokens: storage.pushTokens,
      rooms: rooms?.service ?? null, runAs, systemUsername: config.systemUsername, eventLog: storage.eventLog, userApps,
    })
    : null;
  const gateway = isGateway
    ? new Gateway({ ...config, nodeId }, identity, presence, sessions, dispatcher, hooks, log, forwarder, Date.now, prometheus,
      appLimits ? new RequestLimits(storage.limiter, requestLimitRulesOf(config), Date.now, { forUser: (u) => appLimits.forUser(u), burstSeconds: config.limitBurstSeconds }) : null)
    : null;

  // A ban disconnects every device of the user here at once; other nodes hear it from the cluster link.
  moderation.onBanned((userId) => gateway?.closeUser(userId, CloseCodes.BANNED));

  const loopDelay = new EventLoopDelayMonitor();
  loopDelay.start();
  const gc = new GcStats();
  gc.start();
  const metrics = () => ({
    nodeId,
    roles: [...roles],
    connections: gateway?.connectionCount ?? 0,
    clientVersions: gateway?.clientVersions() ?? {},
    users: sessions.userCount,
    sendQueue: pipeline.queued,
    eventLoopLagMs: loopDelay.sinceStart().meanMs,
    eventLoopLagP99Ms: loopDelay.sinceStart().p99Ms,
    // Delay of the thread serving sockets: since start and over the last completed window.
    eventLoopDelay: { sinceStart: loopDelay.sinceStart(), lastWindow: loopDelay.lastWindow(), windowMs: loopDelay.window },
    gc: gc.figures(),
    rssBytes: process.memoryUsage.rss(),
    logicNodes: ring.nodes,
    flow: gateway?.flowStats.snapshot(),
    rateLimited: gateway?.limits?.refused,
    forwardedRequests: forwarder?.forwarded ?? 0,
    executedRequests: executor?.executed ?? 0,
    rooms: rooms?.stats(),
    webhooks: webhooks.stats(),
    contentFilter: { words: screen.words, ...screen.stats },
    push: push.stats(),
    eventLog: eventLog ? { ...eventLog.counters } : undefined,
  });
  prometheus.watch({
    connections: gateway ? () => gateway.connectionCount : undefined,
    users: gateway ? () => sessions.userCount : undefined,
    outboundBacklogBytes: gateway ? () => gateway.outboundBacklogBytes : undefined,
    delivered: local ? () => local.delivered : undefined,
    sendQueue: isLogic ? () => pipeline.queued : undefined,
    rpcInFlight: forwarder ? () => rpc.inFlight : undefined,
    forwarded: forwarder ? () => forwarder.forwarded : undefined,
    executed: executor ? () => executor.executed : undefined,
    logicNodes: () => ring.nodes.length,
    eventLoopDelay: () => ({ sinceStart: loopDelay.sinceStart(), lastWindow: loopDelay.lastWindow() }),
    rooms: rooms ? () => rooms.stats() as unknown as Record<string, number> : undefined,
    searchBackfill: isLogic ? () => searchBackfill.stats : undefined,
  });

  const host = config.publicHost || publicHost(config.host);
  let port = 0;
  let tcpPort = -1;
  const describe = (): NodeInfo => ({
    nodeId,
    roles: [...roles],
    ws: isGateway ? `${tls ? 'wss' : 'ws'}://${host}:${port}/ws` : null,
    tcp: isGateway && tcpPort > 0 ? { host, port: tcpPort } : null,
    region: config.region,
    canary: config.canary,
    connections: gateway?.connectionCount ?? 0,
    eventLoopLagMs: loopDelay.sinceStart().meanMs,
    at: Date.now(),
  });
  const access = new AccessService(directory, config, () => (clustered ? null : describe()));

  const needsHttp = isGateway || roles.has('api') || roles.has('access');
  const snapshot = async (): Promise<NodeMetricsSnapshot> => ({ json: metrics(), prometheus: await prometheus.registry.getMetricsAsJSON() });
  const peerMetrics = deps.peerMetrics;
  const admin = peerMetrics
    ? {
      metrics: async () => ({ ...metrics(), gatewayProcesses: (await peerMetrics()).map((p) => p.json) }),
      prometheus: {
        contentType: prometheus.contentType,
        text: async () => AggregatorRegistry.aggregate([await prometheus.registry.getMetricsAsJSON(), ...(await peerMetrics()).map((p) => p.prometheus)]).metrics(),
      },
      adminToken: config.adminToken,
      moderation,
      apps,
    }
    : { metrics, prometheus, adminToken: config.adminToken, moderation, apps };
  const http = deps.handedIn ? handedInHttp(deps.handedIn, config, tls, gateway) : await startHttpListeners({
    api: needsHttp
      ? {
        ...admin,
        identity: roles.has('api') ? identity : null,
        media: roles.has('api') ? createMediaRoutes(media.service, identity, log) : null,
        access: roles.has('access') ? (q) => access.rank(q) : null,
        webRoot: config.webRoot || defaultWebRoot(),
        maxBodyBytes: config.httpMaxBodyBytes,
        rateLimit: appLimits ? httpRateLimitOf(storage.limiter, appLimits) : null,
        accessListTtlMs: config.accessListTtlMs,
        keepAliveTimeoutMs: config.httpKeepAliveTimeoutMs,
        tls,
        trustClientIpHeader: deps.apiPath !== undefined,
        log,
        // Tokens can be registered even before a provider is configured (the app ships first).
        routes: roles.has('api')
          ? [
            pushTokenRoutes(identity, storage.pushTokens, {
              check: pushTokenCheck(config), webPushPublicKey: config.webPushPublicKey,
              webPushKeyOf: async (appId) => (await apps.require(appId)).push.webPushPublicKey ?? '',
            }),
            // Always mounted: the config's secrets are the `default` app's, created apps bring their own.
            ...(serverActions ? [serverApiRoutes(serverActions, apps)] : []),
            ...(serverActions ? [adminConsoleRoutes(serverActions, config.adminToken, apps)] : []),
            ...(serverActions && rooms ? [adminRoomRoutes(serverActions, rooms.fanout, config.adminToken)] : []),
            ...(serverActions ? [adminGroupRoutes({ actions: serverActions, conversations: storage.conversations, identity: storage.identity, adminToken: config.adminToken })] : []),
            adminReportRoutes(moderation, config.adminToken),
            adminAccountRoutes(new AccountOperations(storage.identity, { scryptCost: config.scryptCost, forget: (ids, why) => identity.forget(ids, why) }), config.adminToken, apps),
            adminWebhookRoutes(storage.webhooks, config.adminToken),
          ]
          : [],
      }
      : null,
    attach: gateway ? (server) => gateway.attachWebSocket(server) : undefined,
    host: config.host,
    port: config.port,
    path: deps.apiPath,
    adminHost: config.adminHost,
    adminPort: config.adminPort,
    admin,
    log,
  });
  port = http.port;
  if (gateway && deps.handedIn) {
    if (deps.handedIn.tcpPort > 0) deps.handedIn.tcp(gateway.tcpServer(tls ?? undefined));
    tcpPort = deps.handedIn.tcpPort;
  } else if (gateway && config.tcpPort >= 0) tcpPort = await gateway.listenTcp(config.tcpPort, config.host, tls ?? undefined);
  gateway?.start();
  if (isLogic) serviceRouter.start();
  if (isLogic) searchBackfill.start();

  let stopMembership = (): void => undefined;
  if (clustered) {
    link = new ClusterLink({
      nodeId,
      bus: storage.bus,
      directory,
      rpc,
      executor,
      local,
      gateway,
      rooms: rooms?.fanout ?? null,
      identity,
      relations: { changed: (l) => social.onChanged(l), invalidate: (u) => relationGuard.invalidate(u) },
      members: { changed: (l) => membersListeners.push(l), invalidate: (ids) => ids.forEach((id) => cache.invalidate(id)) },
      moderation: {
        changed: (l) => moderation.onChanged(l),
        banned: (l) => moderation.onBanned(l),
        invalidate: (u) => moderation.invalidate(u),
      },
      describe,
      log,
    });
    await link.start(config.announceIntervalMs);
    await storage.membership!.join();
    stopMembership = storage.membership!.watch((members) => directory.setLive(members));
    await waitForRing(ring, isLogic ? nodeId : null, 5_000);
  } else {
    directory.setLive([nodeId]);
    directory.announce(describe());
  }

  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    clearInterval(leaseTimer);
    serviceRouter.stop();
    await searchBackfill.stop();
    loopDelay.stop();
    gc.stop();
    lexicon?.stop();
    if (lexicon) process.off('SIGHUP', reloadLexicon);
    stopMembership();
    if (clustered) await storage.membership!.leave().catch(() => undefined);
    await link?.stop();
    rpc.close();
    await gateway?.stop();
    rooms?.stop();
    await webhooks.stop();
    appLimits?.stop();
    await push.stop();
    await eventLog?.stop();
    await http.close();
    await media.close();
    await storage.leases.release(nodeId, nodeNumber).catch(() => undefined);
    if (!deps.storage) await storage.close();
  };
  return {
    config,
    nodeId,
    apps,
    appOf: userApps.appOfUser,
    port,
    tcpPort,
    httpUrl: `${tls ? 'https' : 'http'}://${host}:${port}`,
    wsUrl: `${tls ? 'wss' : 'ws'}://${host}:${port}/ws`,
    adminPort: http.adminPort,
    metrics: prometheus,
    media,
    metricsSnapshot: snapshot,
    reloadTls: () => {
      if (!tls) return false;
      const files = readTlsFiles(config)!;
      if (http.server) setSecureContext(http.server, files);
      gateway?.setTcpSecureContext(files);
      return true;
    },
    drain: async (timeoutMs) => {
      // Leave first so the access service stops sending clients here.
      if (clustered) await storage.membership!.leave().catch(() => undefined);
      await gateway?.drain(timeoutMs);
      await stop();
    },
    stop,
  };
}

/** Wait until the owner ring is usable (and includes this node if it is a logic node). */
async function waitForRing(ring: OwnerRing, self: string | null, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (ring.nodes.length > 0 && (self === null || ring.nodes.includes(self))) return;
    await new Promise((r) => setTimeout(r, 20));
  }
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

/** The rooms feature's tunables, from their settings (room* in config.ts). */
function roomOptionsOf(c: XinboxConfig): RoomOptions {
  return {
    userSendPerSec: c.roomUserSendPerSec,
    userSendBurst: c.roomUserSendBurst,
    roomOrdinaryPerSec: c.roomOrdinaryPerSec,
    tickMs: c.roomTickMs,
    pushBudgetPerSec: c.roomPushBudget,
    reliableRetryMs: c.roomReliableRetryMs,
    reliableRetries: c.roomReliableRetries,
    reliableWindow: c.roomReliableWindow,
    audienceEventMs: c.roomAudienceEventMs,
    stateCacheMs: c.roomStateCacheMs,
  };
}

/** Per-user and per-IP request limits from their settings (limit* in config.ts); 0 = unlimited. */
function requestLimitRulesOf(c: XinboxConfig): RequestLimitRules {
  const rule = (perSec: number): RateRule | null => (perSec > 0 ? { perSec, burst: perSec * c.limitBurstSeconds } : null);
  return {
    send: { user: rule(c.limitSendPerUser), ip: rule(c.limitSendPerIp) },
    read: { user: rule(c.limitReadPerUser), ip: rule(c.limitReadPerIp) },
    create: { user: rule(c.limitCreatePerUser), ip: rule(c.limitCreatePerIp) },
  };
}

/** Both after-commit listeners, or the one that is set (nothing when neither is). */
function bothListeners<A extends unknown[]>(a: ((...args: A) => void) | undefined, b: ((...args: A) => void) | undefined): ((...args: A) => void) | undefined {
  if (a && b) {
    return (...args: A) => {
      a(...args);
      b(...args);
    };
  }
  return a ?? b;
}

/** A gateway process's HTTP front: WebSocket upgrades here, everything else to the primary's API. */
function handedInHttp(h: HandedInConnections, config: XinboxConfig, tls: ReturnType<typeof readTlsFiles>, gateway: Gateway | null) {
  const server = createForwardingServer({ upstreamPath: h.apiPath, tls, keepAliveTimeoutMs: config.httpKeepAliveTimeoutMs });
  if (gateway) gateway.attachWebSocket(server);
  h.http(server);
  return {
    port: h.port,
    adminPort: -1,
    server,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
