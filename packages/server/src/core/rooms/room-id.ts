import { Errors, XinboxError } from '@xinbox/protocol';
import { APP_ID_PATTERN, DEFAULT_APP_ID, type AppId } from '../ports/app-store.js';
import type { RoomId } from '../ports/room-store.js';

const ROOM_ID = /^[A-Za-z0-9_.:-]{1,64}$/;

/**
 * Separates the app from the client's id in a room key. `~` occurs neither in
 * an app id ([a-z0-9-]) nor in a client's room id ([A-Za-z0-9_.:-]), so a key
 * splits one way only and no default-app id (stored unqualified) can look
 * like another app's key. Unlike `/` it needs no escaping in a URL path
 * segment (RFC 3986 unreserved), so the admin console takes keys in paths.
 */
export const ROOM_KEY_SEPARATOR = '~';

/** Room ids are chosen by their creator: 1-64 characters of [A-Za-z0-9_.:-]. */
export function parseRoomId(raw: string): string {
  if (!ROOM_ID.test(raw)) throw new XinboxError(Errors.INVALID_ARGUMENT, 'roomId must be 1-64 characters of A-Z a-z 0-9 _ . : -');
  return raw;
}

/**
 * The server's key of a client's room id in an app (ADR 0013): exactly the
 * id for the default app (existing rooms, data and clusters unchanged),
 * `<appId>~<id>` for any other. Room ids are per app; the key is what the
 * room store, the owner ring, the bus and the fan-out index use, and it
 * never leaves the server (clientRoomId turns it back).
 */
export function roomKey(appId: AppId, raw: string): RoomId {
  const id = parseRoomId(raw);
  return appId === DEFAULT_APP_ID ? id : appId + ROOM_KEY_SEPARATOR + id;
}

/**
 * roomKey without validating the id, for the hottest inbound frame
 * (RoomPushAck: every viewer acks every gift). Only for looking up state the
 * connection itself created under a validated key: a malformed id (one
 * holding `~`, say) gives a string that is no key of this app's rooms, so
 * it finds nothing. The default app's key is the id itself, as before.
 */
export function unvalidatedRoomKey(appId: AppId, raw: string): RoomId {
  return appId === DEFAULT_APP_ID ? raw : appId + ROOM_KEY_SEPARATOR + raw;
}

/** The id the room's clients use (wire, webhooks, server API). A default-app key is returned as is (no copy). */
export function clientRoomId(key: RoomId): string {
  const i = key.indexOf(ROOM_KEY_SEPARATOR);
  return i < 0 ? key : key.slice(i + 1);
}

/** The app a room key belongs to. */
export function appOfRoomKey(key: RoomId): AppId {
  const i = key.indexOf(ROOM_KEY_SEPARATOR);
  return i < 0 ? DEFAULT_APP_ID : key.slice(0, i);
}

/**
 * A room key as the operator gives it (admin console: the key its room list
 * shows): a default-app id, or `<appId>~<id>` for another app.
 */
export function parseRoomKey(raw: string): RoomId {
  const i = raw.indexOf(ROOM_KEY_SEPARATOR);
  if (i < 0) return parseRoomId(raw);
  const app = raw.slice(0, i);
  if (app === DEFAULT_APP_ID || !APP_ID_PATTERN.test(app)) {
    throw new XinboxError(Errors.INVALID_ARGUMENT, `a room key is a room id, or <appId>${ROOM_KEY_SEPARATOR}<roomId> for an app other than default`);
  }
  return roomKey(app, raw.slice(i + 1));
}
