/**
 * The TLS certificate and key of the HTTP/WebSocket and TCP listeners, read
 * from the files named by tlsCertFile / tlsKeyFile: at start, and again on
 * SIGHUP (a renewed certificate) — `setSecureContext` swaps them for new
 * handshakes while established connections keep theirs.
 */
import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import type { XinboxConfig } from './config.js';
import { StartupError } from './startup-error.js';

export interface TlsFiles {
  readonly cert: Buffer;
  readonly key: Buffer;
}

/** The configured certificate and key, validated as a pair; null when TLS is off. Throws StartupError naming the setting. */
export function readTlsFiles(config: Pick<XinboxConfig, 'tlsCertFile' | 'tlsKeyFile'>): TlsFiles | null {
  if (!config.tlsCertFile && !config.tlsKeyFile) return null;
  const read = (path: string, setting: string): Buffer => {
    try {
      return readFileSync(path);
    } catch (e) {
      throw new StartupError(`cannot read ${setting} ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  };
  const files = { cert: read(config.tlsCertFile, 'XINBOX_TLS_CERT_FILE'), key: read(config.tlsKeyFile, 'XINBOX_TLS_KEY_FILE') };
  try {
    createSecureContext(files); // a key that does not match, or a file that is not PEM, fails here
  } catch (e) {
    throw new StartupError(`XINBOX_TLS_CERT_FILE / XINBOX_TLS_KEY_FILE do not form a usable certificate and key: ${(e as Error).message}`);
  }
  return files;
}

/** Swaps the certificate of a listener created with TLS (an https.Server or tls.Server) for new handshakes; a plain server is left alone. */
export function setSecureContext(server: object, files: TlsFiles): void {
  if ('setSecureContext' in server) (server as { setSecureContext(o: TlsFiles): void }).setSecureContext(files);
}
