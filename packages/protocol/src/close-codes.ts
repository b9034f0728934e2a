/**
 * Why the server closed a connection and what the client should do next.
 * WebSocket closes carry the code directly; TCP connections receive a Kicked
 * frame with the same code just before the socket ends.
 */
export type ReconnectAdvice =
  /** Reconnect after the usual exponential backoff, then sync. */
  | 'backoff'
  /** Reconnect at once (to another endpoint from the access list). */
  | 'immediately'
  /** Refresh the access token (or log in again) before reconnecting. */
  | 'after-refresh'
  /** Do not reconnect automatically. */
  | 'never';

export interface CloseSpec {
  readonly code: number;
  readonly name: string;
  readonly reconnect: ReconnectAdvice;
  readonly description: string;
}

function close(code: number, name: string, reconnect: ReconnectAdvice, description: string): CloseSpec {
  return Object.freeze({ code, name, reconnect, description });
}

export const CloseCodes = Object.freeze({
  NORMAL: close(1000, 'NORMAL', 'never', 'Closed on request.'),
  AUTH_TIMEOUT: close(4001, 'AUTH_TIMEOUT', 'backoff', 'No Auth frame arrived within the auth deadline.'),
  AUTH_FAILED: close(4002, 'AUTH_FAILED', 'after-refresh', 'The token was invalid, expired or revoked.'),
  REPLACED: close(4003, 'REPLACED', 'never', 'The same device connected again; this connection is stale.'),
  HEARTBEAT_TIMEOUT: close(4004, 'HEARTBEAT_TIMEOUT', 'backoff', 'No frame arrived within the heartbeat timeout.'),
  SLOW_CONSUMER: close(4005, 'SLOW_CONSUMER', 'backoff', 'The outbound queue overflowed; reconnect and sync.'),
  PROTOCOL_ERROR: close(4006, 'PROTOCOL_ERROR', 'backoff', 'Undecodable bytes or a broken length prefix.'),
  FRAME_TOO_LARGE: close(4007, 'FRAME_TOO_LARGE', 'backoff', 'A frame exceeded the maximum frame size.'),
  DRAINING: close(4008, 'DRAINING', 'immediately', 'The gateway is shutting down; connect to another one.'),
  LOGGED_OUT: close(4009, 'LOGGED_OUT', 'never', 'The session was logged out or revoked.'),
  SERVER_ERROR: close(4010, 'SERVER_ERROR', 'backoff', 'The server hit an internal error.'),
  BANNED: close(4011, 'BANNED', 'never', 'The account was banned by a moderator; login is refused.'),
  TOKEN_EXPIRED: close(4012, 'TOKEN_EXPIRED', 'after-refresh', 'The access token the connection authenticated with expired; refresh it and reconnect.'),
});

const byCode = new Map<number, CloseSpec>(Object.values(CloseCodes).map((c) => [c.code, c]));

export function closeByCode(code: number): CloseSpec | undefined {
  return byCode.get(code);
}
