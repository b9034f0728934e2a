import { XinboxError } from '@xinbox/protocol';
import { DuplicateClientMsgIdError, SeqConflictError } from '../../../core/ports/message-store.js';
import { RoomUnavailableError } from '../../../core/ports/room-store.js';
import type { SqliteOpenOptions } from '../sqlite-database.js';

/**
 * The messages between the event loop and the storage worker. Calls and
 * replies are small arrays (structured clone copies them; Uint8Array content
 * and bigint ids survive as such), so a call costs one postMessage each way.
 */

/** The stores the worker serves, by the name a call addresses. */
export const STORE_NAMES = ['identity', 'messages', 'conversations', 'leases', 'rooms', 'webhooks', 'social', 'moderation', 'media', 'pushTokens', 'eventLog', 'service', 'items', 'search', 'apps'] as const;
export type StoreName = (typeof STORE_NAMES)[number];

/** main → worker: [call id, store, method, arguments]. */
export type CallMessage = [id: number, store: StoreName, method: string, args: unknown[]];
/** worker → main: [call id, true, result] or [call id, false, error]. */
export type ReplyMessage = [id: number, ok: true, value: unknown] | [id: number, ok: false, error: WireError];
/** worker → main once, before any reply: the database is open (or why not). */
export type StartMessage = { started: true } | { started: false; error: WireError };

export interface StorageWorkerData {
  readonly options: SqliteOpenOptions;
}

/** The method name a packed `messages.append` travels under (see append-codec). */
export const APPEND_PACKED = 'appendPacked';

/** main → worker: close the database and end the thread. */
export const CLOSE = 'close';

/** An error as it crosses the thread boundary: the domain errors keep their class and fields. */
export interface WireError {
  readonly name: string;
  readonly message: string;
  readonly code?: string;
  readonly fields?: readonly unknown[];
}

export function errorToWire(error: unknown): WireError {
  if (error instanceof SeqConflictError) return { name: error.name, message: error.message, fields: [error.conversationId, error.seq] };
  if (error instanceof DuplicateClientMsgIdError) return { name: error.name, message: error.message, fields: [error.senderId, error.clientMsgId] };
  if (error instanceof RoomUnavailableError) return { name: 'RoomUnavailableError', message: error.message, fields: [error.roomId, error.reason] };
  // A store's answer in the error catalog (e.g. APP_ID_TAKEN) reaches the caller as itself.
  if (error instanceof XinboxError) return { name: 'XinboxError', message: error.message, fields: [error.code, error.retryAfterMs] };
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return { name: error.name, message: error.message, ...(typeof code === 'string' ? { code } : {}) };
  }
  return { name: 'Error', message: String(error) };
}

export function errorFromWire(wire: WireError): Error {
  const f = wire.fields ?? [];
  switch (wire.name) {
    case 'SeqConflictError': return new SeqConflictError(f[0] as never, f[1] as number);
    case 'DuplicateClientMsgIdError': return new DuplicateClientMsgIdError(f[0] as never, f[1] as string);
    case 'RoomUnavailableError': return new RoomUnavailableError(f[0] as never, f[1] as 'missing' | 'closed');
    case 'RangeError': return new RangeError(wire.message);
    case 'XinboxError': return new XinboxError(f[0] as number, wire.message, f[1] as number);
    default: {
      const error = new Error(wire.message);
      error.name = wire.name;
      if (wire.code !== undefined) Object.assign(error, { code: wire.code });
      return error;
    }
  }
}
