/**
 * Configuration: read once at start from the environment (and an optional
 * JSON file named by XINBOX_CONFIG), validated with clear messages, frozen.
 * Every key has a default so `npm start` needs nothing.
 */
import { readFileSync } from 'node:fs';

export type Role = 'gateway' | 'logic' | 'access' | 'api';

export interface XinboxConfig {
  readonly host: string;
  /** HTTP + WebSocket port (WebSocket at /ws). 0 picks a free port. */
  readonly port: number;
  /** Raw TCP port; 0 picks a free port; -1 disables TCP. */
  readonly tcpPort: number;
  readonly dataDir: string;
  readonly storage: 'sqlite' | 'memory' | 'postgres';
  /** 'normal': survives a process crash; 'full': survives power loss (fsync per commit). */
  readonly sqliteSync: 'normal' | 'full';
  readonly postgresUrl: string;
  readonly redisUrl: string;
  readonly nodeId: string;
  /** A cluster node that stops heartbeating leaves the membership (and its conversations move) after this. */
  readonly membershipTtlMs: number;
  readonly roles: readonly Role[];
  /** HMAC secret for access tokens; generated and stored in dataDir when empty. */
  readonly tokenSecret: string;
  readonly accessTokenTtlMs: number;
  readonly refreshTokenTtlMs: number;
  /** scrypt cost as log2(N) for new password hashes (14 = 16384). */
  readonly scryptCost: number;
  readonly authTimeoutMs: number;
  readonly pingIntervalMs: number;
  readonly heartbeatTimeoutMs: number;
  readonly maxFrameBytes: number;
  /** Per-connection outbound queue bound; past it the connection is closed (slow consumer). */
  readonly maxOutboundBytes: number;
  readonly maxOutboundFrames: number;
  /** Unacked pushes tracked per connection for retransmission. */
  readonly maxUnackedPushes: number;
  readonly pushRetryBaseMs: number;
  readonly pushRetries: number;
  /** Most sends committed in one storage transaction. */
  readonly maxSendBatch: number;
  /** Timeline entries kept per user; older cursors get resyncRequired. */
  readonly timelineRetention: number;
  /** Groups above this member count use read fan-out. */
  readonly largeGroupThreshold: number;
  readonly maxGroupMembers: number;
  /** New group members see history before their join. */
  readonly groupHistoryForNewMembers: boolean;
  readonly webRoot: string;
  /** Host name clients use to reach this node (advertised by the access service). */
  readonly publicHost: string;
  /** Region tag of this node; clients hinting the same region are sent here first. */
  readonly region: string;
  /** A canary (gray release) gateway: only clients whose version matches canaryClientVersions are sent here. */
  readonly canary: boolean;
  /** Comma list of client version prefixes that go to canary gateways (e.g. "2.1.,2.2.0-beta"). */
  readonly canaryClientVersions: string;
  readonly logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  /**
   * Socket writes per second one live room may cost this gateway (0 = no
   * pacing): a room with L local members is pushed at most every L / budget
   * seconds, messages in between share a frame. Size it to the gateway's
   * share of a core (about 190k writes/s per core measured here).
   */
  readonly roomPushBudget: number;
}

export const defaults: XinboxConfig = Object.freeze({
  host: '0.0.0.0',
  port: 8080,
  tcpPort: 8081,
  dataDir: './data',
  storage: 'sqlite',
  sqliteSync: 'normal',
  postgresUrl: '',
  redisUrl: '',
  nodeId: '',
  membershipTtlMs: 10_000,
  roles: Object.freeze(['gateway', 'logic', 'access', 'api'] as Role[]),
  tokenSecret: '',
  accessTokenTtlMs: 60 * 60_000,
  refreshTokenTtlMs: 30 * 24 * 60 * 60_000,
  scryptCost: 14,
  authTimeoutMs: 10_000,
  pingIntervalMs: 25_000,
  heartbeatTimeoutMs: 60_000,
  maxFrameBytes: 64 * 1024,
  maxOutboundBytes: 4 * 1024 * 1024,
  maxOutboundFrames: 10_000,
  maxUnackedPushes: 2_000,
  pushRetryBaseMs: 2_000,
  pushRetries: 3,
  maxSendBatch: 512,
  timelineRetention: 100_000,
  largeGroupThreshold: 500,
  maxGroupMembers: 100_000,
  groupHistoryForNewMembers: false,
  webRoot: '',
  publicHost: '',
  region: '',
  canary: false,
  canaryClientVersions: '',
  logLevel: 'info',
  roomPushBudget: 100_000,
});

type Parser = (raw: unknown, key: string) => unknown;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

const int = (min: number, max: number): Parser => (raw, key) => {
  const n = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${key} must be an integer in [${min}, ${max}], got ${JSON.stringify(raw)}`);
  return n;
};
const str = (raw: unknown, key: string): string => {
  if (typeof raw !== 'string') throw new Error(`${key} must be a string`);
  return raw;
};
const oneOf = (...allowed: string[]): Parser => (raw, key) => {
  if (typeof raw !== 'string' || !allowed.includes(raw)) throw new Error(`${key} must be one of ${allowed.join(', ')}, got ${JSON.stringify(raw)}`);
  return raw;
};
const bool: Parser = (raw, key) => {
  if (typeof raw === 'boolean') return raw;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new Error(`${key} must be true or false`);
};
const roles: Parser = (raw, key) => {
  const list = Array.isArray(raw) ? raw : String(raw).split(',').map((s) => s.trim()).filter(Boolean);
  const allowed = ['gateway', 'logic', 'access', 'api'];
  for (const r of list) if (!allowed.includes(r)) throw new Error(`${key} has unknown role ${JSON.stringify(r)} (allowed: ${allowed.join(', ')})`);
  if (list.length === 0) throw new Error(`${key} must name at least one role`);
  return Object.freeze([...new Set(list)]);
};

const parsers: { [K in keyof XinboxConfig]: Parser } = {
  host: str,
  port: int(0, 65535),
  tcpPort: int(-1, 65535),
  dataDir: str,
  storage: oneOf('sqlite', 'memory', 'postgres'),
  sqliteSync: oneOf('normal', 'full'),
  postgresUrl: str,
  redisUrl: str,
  nodeId: str,
  membershipTtlMs: int(1_000, 300_000),
  roles,
  tokenSecret: str,
  accessTokenTtlMs: int(1_000, 365 * 24 * 3600_000),
  refreshTokenTtlMs: int(1_000, 3650 * 24 * 3600_000),
  scryptCost: int(4, 20),
  authTimeoutMs: int(100, 600_000),
  pingIntervalMs: int(100, 600_000),
  heartbeatTimeoutMs: int(200, 3_600_000),
  maxFrameBytes: int(1024, 16 * 1024 * 1024),
  maxOutboundBytes: int(64 * 1024, 1024 * 1024 * 1024),
  maxOutboundFrames: int(16, 10_000_000),
  maxUnackedPushes: int(0, 1_000_000),
  pushRetryBaseMs: int(50, 600_000),
  pushRetries: int(0, 20),
  maxSendBatch: int(1, 10_000),
  timelineRetention: int(100, 100_000_000),
  largeGroupThreshold: int(2, 1_000_000),
  maxGroupMembers: int(2, 10_000_000),
  groupHistoryForNewMembers: bool,
  webRoot: str,
  publicHost: str,
  region: str,
  canary: bool,
  canaryClientVersions: str,
  logLevel: oneOf('debug', 'info', 'warn', 'error', 'silent'),
  roomPushBudget: int(0, 100_000_000),
};

/** Environment variable for each key: port -> XINBOX_PORT, tcpPort -> XINBOX_TCP_PORT. */
export function envName(key: string): string {
  return 'XINBOX_' + key.replace(/([A-Z])/g, '_$1').toUpperCase();
}

/** Validate a partial config over the defaults; throws ConfigError listing every problem. */
export function buildConfig(overrides: Partial<Record<keyof XinboxConfig, unknown>> = {}): XinboxConfig {
  const problems: string[] = [];
  const out: Record<string, unknown> = { ...defaults };
  for (const [key, raw] of Object.entries(overrides)) {
    if (raw === undefined) continue;
    const parse = parsers[key as keyof XinboxConfig];
    if (!parse) {
      problems.push(`unknown setting ${JSON.stringify(key)}`);
      continue;
    }
    try {
      out[key] = parse(raw, key);
    } catch (e) {
      problems.push((e as Error).message);
    }
  }
  const c = out as unknown as XinboxConfig;
  if (c.heartbeatTimeoutMs <= c.pingIntervalMs) problems.push('heartbeatTimeoutMs must be greater than pingIntervalMs');
  if (c.storage === 'postgres' && !c.postgresUrl) problems.push('storage=postgres needs postgresUrl (XINBOX_POSTGRES_URL)');
  if (c.storage === 'postgres' && !c.redisUrl) problems.push('storage=postgres (cluster mode) needs redisUrl (XINBOX_REDIS_URL)');
  if (c.storage === 'postgres' && !c.tokenSecret) problems.push('cluster mode needs a shared tokenSecret (XINBOX_TOKEN_SECRET, 16+ characters)');
  if (c.tokenSecret && c.tokenSecret.length < 16) problems.push('tokenSecret must be at least 16 characters');
  if (problems.length) throw new ConfigError(problems);
  return Object.freeze(out) as unknown as XinboxConfig;
}

/** Read XINBOX_CONFIG (a JSON file) and XINBOX_* variables; env wins over the file. */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env): XinboxConfig {
  const fromFile: Record<string, unknown> = {};
  if (env.XINBOX_CONFIG) {
    try {
      Object.assign(fromFile, JSON.parse(readFileSync(env.XINBOX_CONFIG, 'utf8')));
    } catch (e) {
      throw new ConfigError([`cannot read XINBOX_CONFIG ${env.XINBOX_CONFIG}: ${(e as Error).message}`]);
    }
  }
  const fromEnv: Record<string, unknown> = {};
  for (const key of Object.keys(defaults)) {
    const v = env[envName(key)];
    if (v !== undefined) fromEnv[key] = v;
  }
  const known = new Set(Object.keys(defaults).map(envName));
  const unknown = Object.keys(env).filter((k) => k.startsWith('XINBOX_') && k !== 'XINBOX_CONFIG' && !known.has(k));
  if (unknown.length) throw new ConfigError(unknown.map((k) => `unknown environment variable ${k}`));
  return buildConfig({ ...fromFile, ...fromEnv });
}
