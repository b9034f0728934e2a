/**
 * What to do after a connection ends or fails to open, following the shared
 * close-code table (packages/protocol/src/close-codes.ts).
 */
import { CloseCodes, Errors, XinboxError, closeByCode, type ReconnectAdvice } from '@xinbox/protocol';
import { ConnectionLostError, type ConnectionClose } from './errors.js';

/** After an established connection ended. */
export function adviceForClose(close: ConnectionClose): ReconnectAdvice {
  // Our own heartbeat or protocol-error closes are ordinary failures.
  if (close.byClient) return close.code === CloseCodes.NORMAL.code ? 'never' : 'backoff';
  if (close.code === undefined) return 'backoff';
  return closeByCode(close.code)?.reconnect ?? 'backoff';
}

const AUTH_ERRORS: ReadonlySet<number> = new Set([
  Errors.TOKEN_EXPIRED.code,
  Errors.TOKEN_INVALID.code,
  Errors.TOKEN_REVOKED.code,
  Errors.NOT_AUTHENTICATED.code,
]);

/** After opening or authenticating failed (or a token refresh failed). */
export function adviceForError(err: unknown): ReconnectAdvice {
  if (err instanceof ConnectionLostError) {
    return err.closeCode === undefined ? 'backoff' : (closeByCode(err.closeCode)?.reconnect ?? 'backoff');
  }
  if (err instanceof XinboxError) {
    if (AUTH_ERRORS.has(err.code)) return 'after-refresh';
    if (err.code === Errors.REFRESH_INVALID.code) return 'never';
    return 'backoff';
  }
  // Network errors, timeouts, refused connections.
  return 'backoff';
}
