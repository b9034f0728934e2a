/**
 * Structured logs: one JSON object per line on stderr (pino), injected, never
 * global. Call sites keep a small interface: `log.warn('what happened', err)`;
 * an Error argument becomes the `err` field (message, stack), other arguments
 * go to `details`. `child({ conn, user })` / `child({ reqId })` add
 * correlation fields; tokens, passwords and secrets are redacted wherever
 * they appear in a logged object (REDACTED_PATHS).
 */
import { pino, type DestinationStream, type Logger as PinoLogger } from 'pino';

export interface Logger {
  debug(msg: string, ...rest: unknown[]): void;
  info(msg: string, ...rest: unknown[]): void;
  warn(msg: string, ...rest: unknown[]): void;
  error(msg: string, ...rest: unknown[]): void;
  /** A logger whose lines carry `bindings` too (connection id, request id, node id...). */
  child(bindings: Record<string, unknown>): Logger;
  /** The underlying pino instance (handed to fastify so request logs share the same stream and redaction). */
  readonly pino: PinoLogger;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

const SECRET_KEYS = ['password', 'token', 'accessToken', 'refreshToken', 'tokenSecret', 'adminToken', 'authorization', 'cookie', 'secret'];
/** Where a secret may appear: top level, one or two levels down (details.*, req.headers.*). */
export const REDACTED_PATHS = SECRET_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`]);

/** `destination`: where lines go (default stderr, written asynchronously and flushed on exit). */
export function createLogger(level: LogLevel, name = 'xinbox', destination?: DestinationStream): Logger {
  const root = pino(
    {
      name,
      level,
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      formatters: { level: (label) => ({ level: label }) },
    },
    destination ?? pino.destination({ dest: 2, sync: false }),
  );
  return wrap(root);
}

function wrap(p: PinoLogger): Logger {
  const at = (level: 'debug' | 'info' | 'warn' | 'error') => (msg: string, ...rest: unknown[]) => {
    if (!p.isLevelEnabled(level)) return;
    if (rest.length === 0) return p[level](msg);
    const fields: Record<string, unknown> = {};
    const details: unknown[] = [];
    for (const r of rest) {
      if (r instanceof Error && !fields.err) fields.err = r;
      else details.push(r);
    }
    if (details.length) fields.details = details.length === 1 ? details[0] : details;
    p[level](fields, msg);
  };
  return {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: (bindings) => wrap(p.child(bindings)),
    pino: p,
  };
}
