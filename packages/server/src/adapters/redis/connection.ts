import { Redis } from 'ioredis';

export interface RedisConnectionOptions {
  readonly url: string;
  /** Shown in CLIENT LIST. */
  readonly name: string;
  /**
   * Reconnect attempts a queued command waits through before it fails. Small
   * on purpose: callers get an error within seconds of an outage instead of
   * hanging; durable state does not live in Redis.
   */
  readonly maxRetriesPerRequest?: number;
}

/**
 * An ioredis connection that reconnects forever with capped backoff
 * (100 ms doubling to 2 s), and resolves once it is ready.
 */
export async function connectRedis(options: RedisConnectionOptions): Promise<Redis> {
  const client = new Redis(options.url, {
    connectionName: options.name,
    lazyConnect: true,
    maxRetriesPerRequest: options.maxRetriesPerRequest ?? 5,
    retryStrategy: (times) => Math.min(100 * 2 ** (times - 1), 2_000),
    enableAutoPipelining: true,
  });
  // Connection errors reach each command's caller; an unhandled 'error' event would crash the process.
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (error) {
    client.disconnect(); // or it would keep reconnecting in the background
    throw new Error(`cannot connect to Redis at ${redactUrl(options.url)}: ${(error as Error).message}`, { cause: error });
  }
  return client;
}

/**
 * Calls `onReconnect` each time the connection becomes ready again after a
 * loss (not for the first connect). Returns a function that stops it.
 */
export function onReconnect(client: Redis, onReconnect: () => void): () => void {
  const listener = (): void => onReconnect();
  // The client is ready now; every later 'ready' is a reconnect.
  client.on('ready', listener);
  return () => client.off('ready', listener);
}

/** The URL without its password, for error messages. */
function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparsable url)';
  }
}
