/**
 * SDK-side error helpers. Everything a caller sees is a XinboxError from the
 * shared catalog; the subclasses below only add what the SDK itself knows.
 */
import { Errors, XinboxError, errorByCode, type Kicked } from '@xinbox/protocol';

/** The connection went away before a request was answered. Retryable. */
export class ConnectionLostError extends XinboxError {
  constructor(
    readonly closeCode: number | undefined,
    reason: string,
  ) {
    super(Errors.UNAVAILABLE, `connection closed${closeCode ? ` (${closeCode})` : ''}${reason ? `: ${reason}` : ''}`);
  }
}

/** Builds the XinboxError for an Error frame from the server. */
export function fromErrorFrame(e: { code: number; message: string; retryAfterMs?: number }): XinboxError {
  return new XinboxError(errorByCode(e.code) ?? Errors.INTERNAL, e.message || undefined, e.retryAfterMs ?? 0);
}

/** Why a connection ended, as the client sees it. */
export interface ConnectionClose {
  /** Kicked.closeCode if one arrived, else the transport's close code. */
  readonly code: number | undefined;
  readonly reason: string;
  readonly kicked?: Kicked;
  readonly error?: Error;
  /** This side closed it (client.close(), heartbeat loss, protocol error). */
  readonly byClient: boolean;
}
