/**
 * Configuration: one zod schema (`configSchema`) is the single description
 * of every setting. It yields the XinboxConfig type, the defaults, the
 * environment variable names (envName), the validation messages and the
 * README table (`npm run docs:config`, checked by test/core/config-docs.test.ts).
 * Read once at start from the environment (and an optional JSON file named
 * by XINBOX_CONFIG), validated listing every problem, frozen.
 * Every key has a default so `npm start` needs nothing. Nothing else reads
 * process.env.
 *
 * Adding a setting: add one entry below with `.default(...)` and
 * `.meta({ description, group })`, then run `npm run docs:config`.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { autoOrInt, bool, commaList, httpUrl, int, oneOf, str, type SettingGroup } from './config-fields.js';

export type Role = 'gateway' | 'logic' | 'access' | 'api';
const ROLES = ['gateway', 'logic', 'access', 'api'] as const satisfies readonly Role[];
const DAY_MS = 24 * 3600_000;

/** Documentation metadata of a setting: `docDefault` replaces the default in the README when it is computed at start. */
const doc = (group: SettingGroup, description: string, docDefault?: string) => ({ group, description, ...(docDefault ? { docDefault } : {}) });

export const configSchema = z.object({
  // --- server --------------------------------------------------------------
  host: str.default('0.0.0.0').meta(doc('server', 'Listen address of the HTTP/WebSocket and TCP listeners')),
  port: int(0, 65535).default(8080).meta(doc('server', 'HTTP API + WebSocket (`/ws`) + web client; `0` = any free port')),
  tcpPort: int(-1, 65535).default(8081).meta(doc('server', 'Raw TCP transport; `0` = any free port, `-1` = off')),
  webRoot: str.default('').meta(doc('server', 'Static files served at `/` (the built web client)', 'packages/web/dist')),
  publicHost: str.default('').meta(doc('server', 'Host name clients use to reach this node, advertised by the access service', 'listen address, or 127.0.0.1')),
  region: str.default('').meta(doc('server', 'Region tag of this node; clients hinting the same region are sent here first')),
  canary: bool.default(false).meta(doc('server', 'A canary (gray release) gateway: only clients whose version matches `canaryClientVersions` are sent here')),
  canaryClientVersions: str.default('').meta(doc('server', 'Comma list of client version prefixes that go to canary gateways (e.g. `2.1.,2.2.0-beta`)')),
  httpKeepAliveTimeoutMs: int(1_000, 600_000).default(65_000).meta(doc('server', 'Idle HTTP keep-alive connections are closed after this (longer than a load balancer\'s 60 s idle timeout)')),
  httpMaxBodyBytes: int(1024, 16 * 1024 * 1024).default(16 * 1024).meta(doc('server', 'Largest HTTP request body accepted (413 `FRAME_TOO_LARGE` beyond)')),
  accessListTtlMs: int(1_000, 3_600_000).default(30_000).meta(doc('server', '`ttlMs` of a `/v1/access` answer: how long a client may reuse its gateway list')),
  drainTimeoutMs: int(0, 600_000).default(10_000).meta(doc('server', 'On SIGTERM, how long connections get to move elsewhere before the node stops')),
  logLevel: oneOf('debug', 'info', 'warn', 'error', 'silent').default('info').meta(doc('admin', 'Least severe log level written (pino JSON lines on stderr; tokens and passwords redacted)')),
  adminToken: str.default('').meta(doc('admin', 'Bearer token for `/metrics` (Prometheus) and `/v1/metrics` (JSON) on the main port; unset: refused there (16+ characters)')),
  adminPort: int(-1, 65535).default(-1).meta(doc('admin', 'Separate admin listener serving `/metrics`, `/v1/metrics`, `/healthz` (token required too when adminToken is set); `0` = any free port, `-1` = off')),
  adminHost: str.default('127.0.0.1').meta(doc('admin', 'Address of the admin listener; anything but loopback needs adminToken')),
  tlsCertFile: str.default('').meta(doc('server', 'PEM certificate (chain) file; with `tlsKeyFile` the HTTP/WebSocket and TCP listeners speak TLS (`https`, `wss`); both files are read again on SIGHUP, without dropping connections')),
  gatewayProcesses: autoOrInt(0, 256).default(0).meta(doc('server', 'Gateway processes in front of the one logic + storage process (sockets, TLS, frame codec, fan-out writes on more cores; they share the HTTP/WebSocket and TCP ports); `auto` = available cores; `0` or `1` = everything in one process. SQLite (embedded) only: a cluster scales gateways as nodes (docs/operations.md)')),
  gcThreads: oneOf('auto', 'single', 'parallel').default('auto').meta(doc('server', 'V8 garbage collection: `single` collects on the thread that allocates (`node --single-threaded-gc`; `xinbox start` restarts itself with it), `parallel` uses V8\'s helper threads; `auto` = single when the process may use only one core (CPU affinity), where helper threads only take turns with the event loop')),
  tlsKeyFile: str.default('').meta(doc('server', 'PEM private key file of `tlsCertFile`')),
  // --- storage and cluster -------------------------------------------------
  dataDir: str.default('./data').meta(doc('storage', 'SQLite database and the generated token secret')),
  storage: oneOf('sqlite', 'memory', 'postgres').default('sqlite').meta(doc('storage', '`sqlite`, `memory` (tests, demos) or `postgres` (cluster)')),
  sqliteSync: oneOf('normal', 'full').default('normal').meta(doc('storage', '`normal`: a committed send survives a crash of the process (WAL, fsync at checkpoints); `full`: also survives power loss (fsync per commit)')),
  sqliteWalCoalescing: bool.default(true).meta(doc('storage', 'Write each SQLite commit\'s WAL frames with one write call instead of two per page (a SQLite VFS shim compiled by `npm run build`; same durability, ADR 0015); `false` runs without it, e.g. where no C compiler is available')),
  sqlitePageSize: int(512, 65536).refine((v) => (v & (v - 1)) === 0, 'must be a power of two').default(2048).meta(doc('storage', 'Page size in bytes (a power of two) of a NEW SQLite database file; an existing file keeps the page size it was created with (docs/operations.md: how to convert one offline)')),
  sqliteCacheMb: int(1, 4096).default(16).meta(doc('storage', 'SQLite page cache of the storage thread\'s connection, MiB (the file is memory-mapped too, so pages outside the cache are still read without a system call unless they are in the WAL)')),
  storageThreadNice: int(0, 19).default(10).meta(doc('storage', 'Nice steps the SQLite storage and checkpoint threads run below the thread serving sockets (Linux), so a commit does not preempt the event loop; 0 = equal priority')),
  postgresUrl: str.default('').meta(doc('storage', 'PostgreSQL URL for `storage=postgres`')),
  redisUrl: str.default('').meta(doc('storage', 'Redis URL for presence, routes, bus and membership in a cluster')),
  nodeId: str.default('').meta(doc('cluster', 'Name of this node in a cluster', 'host-pid-random')),
  roles: commaList(ROLES).default([...ROLES]).meta(doc('cluster', 'Roles this process runs (comma list of `gateway`, `logic`, `access`, `api`)')),
  membershipTtlMs: int(1_000, 300_000).default(10_000).meta(doc('cluster', 'A node that stops heartbeating leaves the membership (and its conversations move) after this')),
  announceIntervalMs: int(100, 60_000).default(2_000).meta(doc('cluster', 'How often a node announces its roles, endpoints and load to the others')),
  leaseTtlMs: int(3_000, 3_600_000).default(60_000).meta(doc('cluster', 'Lease on this node\'s snowflake node number, renewed every third of it; a node that loses it exits')),
  presenceTtlMs: int(1_000, DAY_MS).default(90_000).meta(doc('cluster', 'Redis: a device not refreshed for this long counts offline (covers a crashed gateway)')),
  presenceRetentionMs: int(60_000, 3650 * DAY_MS).default(30 * DAY_MS).meta(doc('cluster', 'Redis: how long an offline device\'s last-seen time is kept')),
  routeTtlMs: int(1_000, DAY_MS).default(60_000).meta(doc('cluster', 'Redis: a device route not bound again for this long lapses')),
  rpcTimeoutMs: int(100, 600_000).default(5_000).meta(doc('cluster', 'A request forwarded to a conversation\'s owner fails with `TIMEOUT` after this')),
  rpcMaxPending: int(1, 10_000_000).default(100_000).meta(doc('cluster', 'Forwarded requests in flight per node; beyond it new ones fail with `UNAVAILABLE`')),
  // --- identity ------------------------------------------------------------
  tokenSecret: str.default('').meta(doc('identity', 'HMAC secret for access tokens (16+ characters; must be shared in a cluster)', 'generated in dataDir')),
  accessTokenTtlMs: int(1_000, 365 * DAY_MS).default(60 * 60_000).meta(doc('identity', 'Access token lifetime')),
  refreshTokenTtlMs: int(1_000, 3650 * DAY_MS).default(30 * DAY_MS).meta(doc('identity', 'Refresh token lifetime (rotated on every use)')),
  scryptCost: int(4, 20).default(14).meta(doc('identity', 'log2 of scrypt N for new password hashes (below 14 only for tests)')),
  sessionCacheMs: int(0, 3_600_000).default(30_000).meta(doc('identity', 'How long a session found alive is trusted without a store read (bounds how late a revocation is seen)')),
  // --- connections ---------------------------------------------------------
  authTimeoutMs: int(100, 600_000).default(10_000).meta(doc('connections', 'A connection must send Auth within this time (close 4001)')),
  pingIntervalMs: int(100, 600_000).default(25_000).meta(doc('connections', 'Heartbeat interval told to clients')),
  heartbeatTimeoutMs: int(200, 3_600_000).default(60_000).meta(doc('connections', 'Silent connections are closed (4004) and their device goes offline')),
  presenceRefreshMs: int(100, 3_600_000).default(20_000).meta(doc('connections', 'How often a gateway refreshes the presence and routes of its connections (below presenceTtlMs and routeTtlMs)')),
  maxFrameBytes: int(1024, 16 * 1024 * 1024).default(64 * 1024).meta(doc('connections', 'Largest frame accepted (close 4007 beyond)')),
  maxOutboundBytes: int(64 * 1024, 1024 * 1024 * 1024).default(4 * 1024 * 1024).meta(doc('connections', 'Per-connection outbound bound; beyond it: close 4005 (slow consumer)')),
  maxOutboundFrames: int(16, 10_000_000).default(10_000).meta(doc('connections', 'Same bound, in frames')),
  maxInFlightPerConnection: int(1, 100_000).default(32).meta(doc('connections', 'Requests read and not yet answered per connection; beyond it the server stops reading that socket until replies go out (backpressure)')),
  outboundHighWaterBytes: int(16 * 1024, 1024 * 1024 * 1024).default(1024 * 1024).meta(doc('connections', 'While a connection\'s unsent replies and pushes exceed this (at most half of maxOutboundBytes), the server stops reading its socket')),
  maxUnackedPushes: int(0, 1_000_000).default(2_000).meta(doc('connections', 'Pushes remembered per connection for retransmission')),
  pushRetryBaseMs: int(50, 600_000).default(2_000).meta(doc('connections', 'First retransmission delay (doubles each time)')),
  pushRetries: int(0, 20).default(3).meta(doc('connections', 'Retransmissions before a push is left to sync')),
  wsPerMessageDeflate: bool.default(false).meta(doc('connections', 'Accept WebSocket permessage-deflate when a client offers it: fewer bytes for text-heavy traffic, more CPU per frame (measured in docs/benchmarks.md)')),
  wsDeflateThresholdBytes: int(0, 16 * 1024 * 1024).default(256).meta(doc('connections', 'With wsPerMessageDeflate: WebSocket messages smaller than this are sent uncompressed (compressing a few bytes costs CPU and saves nothing)')),
  closeGraceMs: int(50, 600_000).default(2_000).meta(doc('connections', 'After the server closes a connection, how long the client may take to finish the WebSocket closing handshake (TCP: to read the Kicked frame) before the socket is cut; also how long a stopping node waits for its connections to close')),
  // --- messaging -----------------------------------------------------------
  maxSendBatch: int(1, 10_000).default(512).meta(doc('messaging', 'Most sends committed in one storage transaction')),
  commitIntervalMs: int(0, 100).default(2).meta(doc('messaging', 'Group commit: batch commits start at least this many ms apart (sooner when a full batch waits), so concurrent sends share a transaction; adds at most this much latency (measured in docs/benchmarks.md)')),
  maxQueuedSends: int(1, 10_000_000).default(51_200).meta(doc('messaging', 'Sends waiting for a commit per logic node; beyond it a send fails with `UNAVAILABLE` (retryable)')),
  dedupeCacheSize: int(1, 10_000_000).default(200_000).meta(doc('messaging', 'Recent sends remembered per logic node by (sender, client message id) as 64-bit fingerprints (about 16 bytes each, allocated at start), so a new send is told apart from a resend without a store read; a resend costs one store read by the (sender, client message id) unique key, which also answers sends forgotten here')),
  conversationCacheSize: int(1, 10_000_000).default(50_000).meta(doc('messaging', 'Conversation states (members, seq) cached per logic node')),
  timelineRetention: int(100, 100_000_000).default(100_000).meta(doc('messaging', 'Sync-timeline entries kept per user; older cursors resync')),
  largeGroupThreshold: int(2, 1_000_000).default(500).meta(doc('messaging', 'Groups above this size use read fan-out')),
  recallWindowMs: int(0, 7 * 86_400_000).default(120_000).meta(doc('messaging', 'How long after sending the sender may recall a message (group owners and admins: any time)')),
  maxGroupMembers: int(2, 10_000_000).default(100_000).meta(doc('messaging', 'Group size limit')),
  groupHistoryForNewMembers: bool.default(false).meta(doc('messaging', 'New members see history from before they joined')),
  // --- live rooms ----------------------------------------------------------
  roomPushBudget: int(0, 100_000_000).default(100_000).meta(doc('rooms', 'Socket writes/s one live room may cost a gateway: a room with L local members gets at most one frame every L / budget s (messages in between share it); 0 = unpaced')),
  roomUserSendPerSec: int(1, 100_000).default(5).meta(doc('rooms', 'Sustained room sends per user per second on one gateway (`RATE_LIMITED` beyond)')),
  roomUserSendBurst: int(1, 100_000).default(5).meta(doc('rooms', 'Room sends a user may burst above the sustained rate')),
  roomOrdinaryPerSec: int(1, 10_000_000).default(500).meta(doc('rooms', 'Ordinary messages delivered per room per second; beyond it the oldest of each tick are dropped (counted)')),
  roomTickMs: int(1, 10_000).default(50).meta(doc('rooms', 'How long a room\'s messages are collected before they are published as one batch')),
  roomReliableRetryMs: int(10, 600_000).default(1_000).meta(doc('rooms', 'Delay between retransmissions of an unacknowledged reliable room message')),
  roomReliableRetries: int(0, 100).default(3).meta(doc('rooms', 'Retransmissions of a reliable room message before it is left to RoomPull')),
  roomReliableWindow: int(1, 1_000_000).default(512).meta(doc('rooms', 'Reliable messages per room kept for retransmission')),
  roomAudienceEventMs: int(10, 600_000).default(2_000).meta(doc('rooms', 'How often a changed audience count is announced')),
  roomStateCacheMs: int(0, 600_000).default(1_000).meta(doc('rooms', 'How long room records and restrictions are trusted without a store read')),
  // --- platform integration (docs/integration.md) ---------------------------
  webhookUrl: httpUrl.default('').meta(doc('platform', 'Webhook receiver for events (`message.sent`, `user.online`, `group.*`, `room.*` ...); empty = no webhooks')),
  webhookSecret: str.default('').meta(doc('platform', 'HMAC-SHA256 signing secret(s), 16+ characters each, comma separated; every one signs (rotation overlap). Required with a webhook or before-send URL')),
  webhookEvents: str.default('*').meta(doc('platform', 'Subscribed event types: comma list of types, `prefix.*` or `*`')),
  webhookTimeoutMs: int(10, 600_000).default(5_000).meta(doc('platform', 'A webhook request taking longer fails and is retried')),
  webhookBatchSize: int(1, 1_000).default(100).meta(doc('platform', 'Most events in one webhook request')),
  webhookConcurrency: int(1, 32).default(4).meta(doc('platform', 'Outbox lanes a logic node delivers at once')),
  webhookRetryBaseMs: int(1, 3_600_000).default(1_000).meta(doc('platform', 'First webhook retry delay; doubles per failed attempt (±20% jitter)')),
  webhookRetryMaxMs: int(1, DAY_MS).default(300_000).meta(doc('platform', 'Webhook retry delay cap; deliveries are retried until they succeed')),
  beforeSendUrl: httpUrl.default('').meta(doc('platform', 'Synchronous before-send check (allow / reject / rewrite each client message); empty = none')),
  beforeSendTimeoutMs: int(10, 60_000).default(1_000).meta(doc('platform', 'How long a send waits for the before-send check')),
  beforeSendOnFailure: oneOf('allow', 'reject').default('allow').meta(doc('platform', 'Before-send check timed out or failed: `allow` (fail open) or `reject` (fail closed: `UNAVAILABLE`, retryable)')),
  // --- relationships and privacy -------------------------------------------
  userLookupPerMinute: int(1, 100_000).default(20).meta(doc('social', 'Exact-username lookups (`UserLookup`) per user per minute (`RATE_LIMITED` beyond)')),
  friendRequestsPerHour: int(1, 100_000).default(30).meta(doc('social', 'New friend requests a user may send per hour (`RATE_LIMITED` beyond)')),
  friendRequestTtlMs: int(1_000, 365 * DAY_MS).default(7 * DAY_MS).meta(doc('social', 'A pending friend request expires after this')),
  lexiconDir: str.default('').meta(doc('social', 'Directory of sensitive-word lists `<list>.<reject|mask|flag>.txt`, reloaded on change and on SIGHUP; empty = no filter')),
  moderators: str.default('').meta(doc('social', 'Comma list of usernames with the moderator role (review reports, mute, ban, read the audit log)')),
  restrictionCacheMs: int(0, 600_000).default(10_000).meta(doc('social', 'How long a user\'s mute/ban state is trusted without a store read when no invalidation arrives')),
  relationCacheMs: int(0, 600_000).default(10_000).meta(doc('social', 'How long block/privacy facts are trusted without a store read when no invalidation arrives (a lost cluster event)')),
  // --- customer service ----------------------------------------------------
  serviceAnswerTimeoutMs: int(1_000, DAY_MS).default(60_000).meta(doc('service', 'An agent who has not answered a routed conversation within this is skipped: the conversation is rerouted')),
  serviceSweepMs: int(100, 60_000).default(1_000).meta(doc('service', 'How often each shop router re-checks its agents\' presence and answer times (reroute latency after a dropped connection)')),
  serviceMaxQueue: int(1, 1_000_000).default(10_000).meta(doc('service', 'Queued conversations per shop (`SHOP_LIMIT` beyond)')),
  // --- media ---------------------------------------------------------------
  mediaStorage: oneOf('fs', 's3').default('fs').meta(doc('media', 'Where media bytes live: `fs` (a directory, `mediaDir`) or `s3` (an S3-compatible bucket; required for a cluster unless `mediaDir` is a shared mount)')),
  mediaDir: str.default('').meta(doc('media', 'Directory of the `fs` media store and of upload staging', '<dataDir>/media')),
  s3Endpoint: str.default('').meta(doc('media', 'S3-compatible endpoint URL (empty: AWS)')),
  s3Region: str.default('us-east-1').meta(doc('media', 'S3 region')),
  s3Bucket: str.default('').meta(doc('media', 'S3 bucket for `mediaStorage=s3`')),
  s3Prefix: str.default('media/').meta(doc('media', 'Key prefix inside the bucket')),
  s3AccessKeyId: str.default('').meta(doc('media', 'S3 access key id (empty: the SDK\'s default credential chain)')),
  s3SecretAccessKey: str.default('').meta(doc('media', 'S3 secret access key')),
  s3ForcePathStyle: bool.default(true).meta(doc('media', 'Bucket in the URL path (most self-hosted S3 servers need it)')),
  mediaMaxImageBytes: int(1024, 1024 * 1024 * 1024).default(30 * 1024 * 1024).meta(doc('media', 'Largest image upload (`MEDIA_TOO_LARGE` beyond)')),
  mediaMaxVideoBytes: int(1024, 5 * 1024 * 1024 * 1024).default(1024 * 1024 * 1024).meta(doc('media', 'Largest video upload')),
  mediaMaxAudioBytes: int(1024, 5 * 1024 * 1024 * 1024).default(100 * 1024 * 1024).meta(doc('media', 'Largest audio (voice) upload')),
  mediaMaxFileBytes: int(1024, 5 * 1024 * 1024 * 1024).default(1024 * 1024 * 1024).meta(doc('media', 'Largest upload of any other type')),
  mediaQuotaBytes: int(0, Number.MAX_SAFE_INTEGER).default(10 * 1024 * 1024 * 1024).meta(doc('media', 'Bytes of media one user may have stored, counting uploads in progress (`MEDIA_QUOTA_EXCEEDED` beyond)')),
  mediaMaxOpenUploads: int(1, 10_000).default(16).meta(doc('media', 'Unfinished uploads one user may have at once (`RATE_LIMITED` beyond)')),
  mediaUnreferencedTtlMs: int(1_000, 365 * DAY_MS).default(DAY_MS).meta(doc('media', 'An upload no message references, or an unfinished upload, is deleted after this')),
  mediaCollectIntervalMs: int(100, DAY_MS).default(10 * 60_000).meta(doc('media', 'How often the collector looks for unreferenced media and stale uploads')),
  mediaUrlTtlMs: int(1_000, DAY_MS).default(15 * 60_000).meta(doc('media', 'Lifetime of a signed download URL')),
  mediaFfmpegPath: str.default('ffmpeg').meta(doc('media', 'ffmpeg binary for video posters (video/audio are stored without derived files when missing)')),
  mediaFfprobePath: str.default('ffprobe').meta(doc('media', 'ffprobe binary for video/audio duration and dimensions')),
  // --- rate limits and fairness ---------------------------------------------
  rateLimits: bool.default(true).meta(doc('limits', 'Enforce the request rate limits below (`RATE_LIMITED` with `retryAfterMs`); off for load tests and bulk provisioning. Flow control and fair send queuing stay on')),
  limitBurstSeconds: int(1, 3600).default(5).meta(doc('limits', 'Bucket size of the per-second limits below: a client may burst this many seconds\' worth of requests')),
  limitSendPerUser: int(0, 1_000_000).default(20).meta(doc('limits', 'Sends per second per user, across all devices and gateways; 0 = unlimited')),
  limitSendPerIp: int(0, 10_000_000).default(2_000).meta(doc('limits', 'Sends per second per client IP address; 0 = unlimited')),
  limitReadPerUser: int(0, 1_000_000).default(20).meta(doc('limits', 'Read requests (Sync, History, PullRange, ListConversations, GroupMembers, GroupGet, ReadReceipts, PresenceQuery, RoomPull) per second per user; 0 = unlimited')),
  limitReadPerIp: int(0, 10_000_000).default(2_000).meta(doc('limits', 'Read requests per second per client IP address; 0 = unlimited')),
  limitCreatePerUser: int(0, 1_000_000).default(2).meta(doc('limits', 'Conversation and group creations (OpenDirect, GroupCreate) per second per user; 0 = unlimited')),
  limitCreatePerIp: int(0, 10_000_000).default(100).meta(doc('limits', 'Creations per second per client IP address; 0 = unlimited')),
  limitRegisterPerIpPerMin: int(0, 10_000_000).default(20).meta(doc('limits', 'Registrations per minute per client IP address (burst: the same number); 0 = unlimited')),
  limitLoginPerIpPerMin: int(0, 10_000_000).default(60).meta(doc('limits', 'Logins and refreshes per minute per client IP address (burst: the same number); 0 = unlimited')),
  loginBackoffBaseMs: int(0, 3_600_000).default(1_000).meta(doc('limits', 'After a failed password, the account\'s next login waits this long, doubling with each further failure (against guessing); 0 = off')),
  loginBackoffMaxMs: int(1_000, 86_400_000).default(300_000).meta(doc('limits', 'Longest wait between login attempts on one account; failures are forgotten this long after the last one')),
  maxQueuedSendsPerUser: int(1, 1_000_000).default(512).meta(doc('limits', 'Sends of one user waiting for a commit on a logic node; beyond it that user\'s sends get `RATE_LIMITED` (sends of others are unaffected: users are served round-robin)')),
  // --- server API ------------------------------------------------------------
  serverApiSecrets: str.default('').meta(doc('platform', 'App secrets of the server API (`/v1/server/*`, `Authorization: Bearer <secret>`): comma list, 32+ characters each, any of them valid (rotate by adding the new one first, then removing the old); empty = the server API is off')),
  systemUsername: str.default('system').meta(doc('platform', 'Account that sends the server API\'s system messages (created on first use; reserve the name)')),
  eventLogRetentionDays: int(0, 3650).default(30).meta(doc('platform', 'How long the user event log (login, logout, connect, disconnect per device; `GET /v1/server/events`) keeps events; 0 = no event log')),
  // --- push notifications --------------------------------------------------
  apnsUrl: httpUrl.default('https://api.push.apple.com').meta(doc('platform', 'APNs endpoint (HTTP/2): production, `https://api.sandbox.push.apple.com`, or a stand-in')),
  apnsTeamId: str.default('').meta(doc('platform', 'Apple developer team id (the provider token\'s `iss`); APNs is off while empty')),
  apnsKeyId: str.default('').meta(doc('platform', 'Id of the APNs signing key (the provider token\'s `kid`)')),
  apnsKeyFile: str.default('').meta(doc('platform', 'Path of the APNs signing key (.p8, PKCS#8 PEM)')),
  apnsTopic: str.default('').meta(doc('platform', 'The iOS app\'s bundle id (`apns-topic`)')),
  fcmUrl: httpUrl.default('https://fcm.googleapis.com').meta(doc('platform', 'FCM HTTP v1 endpoint, or a stand-in')),
  fcmServiceAccountFile: str.default('').meta(doc('platform', 'Path of the Firebase service-account key (JSON); FCM is off while empty')),
  pushWebhookUrl: httpUrl.default('').meta(doc('platform', 'The application\'s own push service: gets notifications for `webhook` tokens as signed POSTs')),
  webPushPublicKey: str.default('').meta(doc('platform', 'VAPID public key (base64url; `npx web-push generate-vapid-keys`); Web Push is off while empty. Browsers get it from `GET /v1/push/webpush-key`')),
  webPushPrivateKey: str.default('').meta(doc('platform', 'VAPID private key (base64url), the pair of `webPushPublicKey`; a secret')),
  webPushSubject: str.default('').meta(doc('platform', 'Contact for push services in the VAPID token: `mailto:ops@example.com` or an https URL')),
  webPushAllowedHosts: str.default('fcm.googleapis.com,updates.push.services.mozilla.com,push.services.mozilla.com,notify.windows.com,push.apple.com').meta(doc('platform', 'Comma list of push-service hosts (and their subdomains) a browser subscription may point at; others are refused at registration')),
  webPushCaFile: str.default('').meta(doc('platform', 'PEM file of extra certificate authorities trusted for push-service endpoints (a TLS-inspecting proxy, a local stand-in); empty = the system\'s')),
  webPushTtlSeconds: int(0, 2_419_200).default(86_400).meta(doc('platform', 'How long a push service keeps a Web Push notification for a browser that is offline')),
  notifyCoalesceMs: int(0, 600_000).default(1_000).meta(doc('platform', 'Messages to one offline user in one conversation within this window become one notification')),
  notifyRetries: int(0, 10).default(3).meta(doc('platform', 'Retries of a push notification the provider refused temporarily (429, 5xx, network)')),
  notifyRetryBaseMs: int(1, 600_000).default(1_000).meta(doc('platform', 'First push retry delay; doubles per attempt')),
  notifyTimeoutMs: int(10, 600_000).default(10_000).meta(doc('platform', 'A push provider request taking longer fails (and is retried)')),
});

export type XinboxConfig = Readonly<Omit<z.output<typeof configSchema>, 'roles'>> & { readonly roles: readonly Role[] };
export type SettingKey = keyof XinboxConfig;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

const shape = configSchema.shape as Record<string, z.ZodType>;

/** Environment variable for each key: port -> XINBOX_PORT, tcpPort -> XINBOX_TCP_PORT. */
export function envName(key: string): string {
  return 'XINBOX_' + key.replace(/([A-Z])/g, '_$1').toUpperCase();
}

function freeze(values: Record<string, unknown>): XinboxConfig {
  return Object.freeze({ ...values, roles: Object.freeze([...new Set(values.roles as Role[])]) }) as unknown as XinboxConfig;
}

export const defaults: XinboxConfig = freeze(configSchema.parse({}));

/** Validate a partial config over the defaults; throws ConfigError listing every problem. */
export function buildConfig(overrides: Partial<Record<keyof XinboxConfig, unknown>> = {}): XinboxConfig {
  const problems: string[] = [];
  const out: Record<string, unknown> = { ...defaults };
  // Field by field, so one bad value does not hide the others or the cross-field checks below.
  for (const [key, raw] of Object.entries(overrides)) {
    if (raw === undefined) continue;
    const field = shape[key];
    if (!field) {
      problems.push(`unknown setting ${JSON.stringify(key)}`);
      continue;
    }
    const r = field.safeParse(raw);
    if (r.success) out[key] = r.data;
    else problems.push(`${key} ${r.error.issues[0]!.message}, got ${JSON.stringify(raw)} (${envName(key)})`);
  }
  const c = out as unknown as XinboxConfig;
  if (c.heartbeatTimeoutMs <= c.pingIntervalMs) problems.push('heartbeatTimeoutMs must be greater than pingIntervalMs');
  if (c.presenceTtlMs <= c.presenceRefreshMs) problems.push('presenceTtlMs must be greater than presenceRefreshMs (presence would lapse between refreshes)');
  if (c.routeTtlMs <= c.presenceRefreshMs) problems.push('routeTtlMs must be greater than presenceRefreshMs (routes would lapse between refreshes)');
  if (c.maxQueuedSends < c.maxSendBatch) problems.push('maxQueuedSends must be at least maxSendBatch');
  if (c.storage === 'postgres' && !c.postgresUrl) problems.push('storage=postgres needs postgresUrl (XINBOX_POSTGRES_URL)');
  if (c.storage === 'postgres' && !c.redisUrl) problems.push('storage=postgres (cluster mode) needs redisUrl (XINBOX_REDIS_URL)');
  if (c.storage === 'postgres' && !c.tokenSecret) problems.push('cluster mode needs a shared tokenSecret (XINBOX_TOKEN_SECRET, 16+ characters)');
  if (c.adminToken && c.adminToken.length < 16) problems.push('adminToken must be at least 16 characters');
  if (c.adminPort >= 0 && !c.adminToken && !isLoopback(c.adminHost)) problems.push(`adminHost ${c.adminHost} is not a loopback address: set adminToken (XINBOX_ADMIN_TOKEN) too`);
  if (c.mediaStorage === 's3' && !c.s3Bucket) problems.push('mediaStorage=s3 needs s3Bucket (XINBOX_S3_BUCKET)');
  if (c.storage === 'postgres' && c.mediaStorage === 'fs' && !c.mediaDir) problems.push('storage=postgres (cluster mode) needs shared media storage: mediaStorage=s3, or mediaDir on a mount every node shares');
  if (c.tokenSecret && c.tokenSecret.length < 16) problems.push('tokenSecret must be at least 16 characters');
  const secrets = c.webhookSecret.split(',').map((x) => x.trim()).filter(Boolean);
  if ((c.webhookUrl || c.beforeSendUrl) && secrets.length === 0) problems.push('webhookUrl / beforeSendUrl need webhookSecret (XINBOX_WEBHOOK_SECRET, 16+ characters)');
  if (secrets.some((x) => x.length < 16)) problems.push('each webhookSecret must be at least 16 characters');
  if (!c.tlsCertFile !== !c.tlsKeyFile) problems.push('TLS needs both tlsCertFile and tlsKeyFile (XINBOX_TLS_CERT_FILE, XINBOX_TLS_KEY_FILE)');
  if (c.apnsTeamId && (!c.apnsKeyId || !c.apnsKeyFile || !c.apnsTopic)) problems.push('APNs (apnsTeamId) needs apnsKeyId, apnsKeyFile and apnsTopic');
  if (c.serverApiSecrets.split(',').map((x) => x.trim()).filter(Boolean).some((x) => x.length < 32)) problems.push('each serverApiSecrets entry must be at least 32 characters');
  if (!c.webPushPublicKey !== !c.webPushPrivateKey) problems.push('Web Push needs both webPushPublicKey and webPushPrivateKey (XINBOX_WEB_PUSH_PUBLIC_KEY, XINBOX_WEB_PUSH_PRIVATE_KEY)');
  if (c.webPushPublicKey && !/^(mailto:|https:\/\/)/.test(c.webPushSubject)) problems.push('webPushSubject must be a mailto: address or an https URL when Web Push is on');
  if (c.pushWebhookUrl && secrets.length === 0) problems.push('pushWebhookUrl needs webhookSecret (XINBOX_WEBHOOK_SECRET)');
  if (problems.length) throw new ConfigError(problems);
  return freeze(out);
}

/** The XINBOX_CONFIG file and XINBOX_* variables as raw settings (env wins), unvalidated; unknown XINBOX_* variables are an error. */
export function settingsFromEnv(env: NodeJS.ProcessEnv = process.env): Partial<Record<keyof XinboxConfig, unknown>> {
  const fromFile: Record<string, unknown> = {};
  if (env.XINBOX_CONFIG) {
    try {
      Object.assign(fromFile, JSON.parse(readFileSync(env.XINBOX_CONFIG, 'utf8')));
    } catch (e) {
      throw new ConfigError([`cannot read XINBOX_CONFIG ${env.XINBOX_CONFIG}: ${(e as Error).message}`]);
    }
  }
  const fromEnv: Record<string, unknown> = {};
  for (const key of Object.keys(shape)) {
    const v = env[envName(key)];
    if (v !== undefined) fromEnv[key] = v;
  }
  const known = new Set(Object.keys(shape).map(envName));
  const unknown = Object.keys(env).filter((k) => k.startsWith('XINBOX_') && k !== 'XINBOX_CONFIG' && !known.has(k));
  if (unknown.length) throw new ConfigError(unknown.map((k) => `unknown environment variable ${k}`));
  return { ...fromFile, ...fromEnv };
}

/** Read XINBOX_CONFIG (a JSON file) and XINBOX_* variables; env wins over the file. */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env): XinboxConfig {
  return buildConfig(settingsFromEnv(env));
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}
