/** Minimal leveled logger writing one line per event to stderr. Injected, never global. */
export interface Logger {
  debug(msg: string, ...rest: unknown[]): void;
  info(msg: string, ...rest: unknown[]): void;
  warn(msg: string, ...rest: unknown[]): void;
  error(msg: string, ...rest: unknown[]): void;
}

const ORDER = ['debug', 'info', 'warn', 'error', 'silent'] as const;
export type LogLevel = (typeof ORDER)[number];

export function createLogger(level: LogLevel, name = 'xinbox'): Logger {
  const min = ORDER.indexOf(level);
  const at = (l: LogLevel) => (msg: string, ...rest: unknown[]) => {
    if (ORDER.indexOf(l) < min) return;
    console.error(`${new Date().toISOString()} ${l.toUpperCase()} [${name}] ${msg}`, ...rest);
  };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
