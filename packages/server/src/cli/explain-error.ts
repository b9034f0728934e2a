/**
 * Turns the common ways a start fails into one line that names the setting
 * to change, instead of a stack trace: a port in use or forbidden, an
 * unreachable database (StartupError from storage.ts), invalid settings.
 */
import { ConfigError, type XinboxConfig } from '../config.js';
import { StartupError } from '../startup-error.js';

interface SystemError extends Error {
  readonly code?: string;
  readonly syscall?: string;
  readonly port?: number;
  readonly address?: string;
}

/** Which setting chose the port a listen error is about. */
function portSetting(port: number | undefined, config: XinboxConfig | undefined): string {
  if (config && port === config.tcpPort && port !== config.port) return 'XINBOX_TCP_PORT';
  return 'XINBOX_PORT';
}

export function explainStartError(error: unknown, config?: XinboxConfig): string {
  if (error instanceof ConfigError) return error.message;
  if (error instanceof StartupError) return `xinbox: ${error.message}`;
  const e = error as SystemError;
  if (e?.syscall === 'listen' && e.code === 'EADDRINUSE') {
    const setting = portSetting(e.port, config);
    return `xinbox: port ${e.port} on ${e.address ?? config?.host} is already in use; stop the process holding it or choose another with ${setting} (0 picks a free port)`;
  }
  if (e?.syscall === 'listen' && e.code === 'EACCES') {
    const setting = portSetting(e.port, config);
    return `xinbox: no permission to listen on port ${e.port} (${setting}); ports below 1024 need root or CAP_NET_BIND_SERVICE`;
  }
  if (e?.syscall === 'listen' && e.code === 'EADDRNOTAVAIL') {
    return `xinbox: cannot listen on ${e.address}: not an address of this machine (XINBOX_HOST)`;
  }
  return `xinbox: failed to start: ${e?.message ?? String(error)}`;
}
