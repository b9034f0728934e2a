/**
 * The error catalog shared by server and SDK. A code never changes meaning;
 * new errors get new codes. `retryable` tells a client whether sending the
 * same request again (after a backoff) can succeed.
 */
export interface ErrorSpec {
  readonly code: number;
  readonly name: string;
  readonly retryable: boolean;
  readonly description: string;
}

function spec(code: number, name: string, retryable: boolean, description: string): ErrorSpec {
  return Object.freeze({ code, name, retryable, description });
}

export const Errors = Object.freeze({
  // 1000-1099: framing and session
  BAD_FRAME: spec(1000, 'BAD_FRAME', false, 'The bytes could not be decoded as a Frame.'),
  FRAME_TOO_LARGE: spec(1001, 'FRAME_TOO_LARGE', false, 'The frame exceeds the maximum frame size.'),
  UNKNOWN_OPERATION: spec(1002, 'UNKNOWN_OPERATION', false, 'The frame body is empty, unknown, or server-only.'),
  NOT_AUTHENTICATED: spec(1003, 'NOT_AUTHENTICATED', false, 'The first frame on a connection must be Auth.'),
  ALREADY_AUTHENTICATED: spec(1004, 'ALREADY_AUTHENTICATED', false, 'Auth was sent twice on one connection.'),
  INVALID_ARGUMENT: spec(1005, 'INVALID_ARGUMENT', false, 'A field is missing, malformed or out of range.'),

  // 1100-1199: identity
  TOKEN_INVALID: spec(1100, 'TOKEN_INVALID', false, 'The access token is malformed or its signature is wrong.'),
  TOKEN_EXPIRED: spec(1101, 'TOKEN_EXPIRED', false, 'The access token has expired; refresh it.'),
  TOKEN_REVOKED: spec(1102, 'TOKEN_REVOKED', false, 'The session was logged out or revoked.'),
  BAD_CREDENTIALS: spec(1103, 'BAD_CREDENTIALS', false, 'Unknown username or wrong password.'),
  USERNAME_TAKEN: spec(1104, 'USERNAME_TAKEN', false, 'The username is already registered.'),
  REFRESH_INVALID: spec(1105, 'REFRESH_INVALID', false, 'The refresh token is unknown, used, expired or revoked.'),

  // 1200-1299: messaging, conversations and groups
  NOT_FOUND: spec(1200, 'NOT_FOUND', false, 'The user, conversation or message does not exist.'),
  NOT_A_MEMBER: spec(1201, 'NOT_A_MEMBER', false, 'The caller is not a member of the conversation.'),
  PERMISSION_DENIED: spec(1202, 'PERMISSION_DENIED', false, 'The caller\'s role does not allow this operation.'),
  MUTED: spec(1203, 'MUTED', false, 'The caller is muted in this conversation or room.'),
  MESSAGE_TOO_LARGE: spec(1204, 'MESSAGE_TOO_LARGE', false, 'The message content exceeds its size limit.'),
  CONTENT_INVALID: spec(1205, 'CONTENT_INVALID', false, 'The message content is empty or malformed.'),
  RATE_LIMITED: spec(1206, 'RATE_LIMITED', true, 'Too many requests; retry after retryAfterMs (or a backoff when it is 0).'),
  GROUP_FULL: spec(1207, 'GROUP_FULL', false, 'The group has reached its member limit.'),
  GROUP_DISSOLVED: spec(1208, 'GROUP_DISSOLVED', false, 'The group was dissolved.'),
  ALREADY_MEMBER: spec(1209, 'ALREADY_MEMBER', false, 'The user is already a member.'),
  LIST_TOO_LARGE: spec(1210, 'LIST_TOO_LARGE', false, 'Too many ids in one request.'),
  PENDING_APPROVAL: spec(1211, 'PENDING_APPROVAL', false, 'The join request waits for an admin\'s approval.'),
  MESSAGE_REJECTED: spec(1212, 'MESSAGE_REJECTED', false, 'The application\'s before-send check refused the message.'),

  // 1300-1399: rooms
  ROOM_NOT_FOUND: spec(1300, 'ROOM_NOT_FOUND', false, 'The room does not exist or is closed.'),
  ROOM_KICKED: spec(1301, 'ROOM_KICKED', false, 'The caller was kicked from the room.'),
  NOT_IN_ROOM: spec(1302, 'NOT_IN_ROOM', false, 'The caller has not joined the room.'),

  // 1400-1499: relationships, privacy and moderation
  BLOCKED: spec(1400, 'BLOCKED', false, 'One of the two users blocked the other; messages, invites and presence are refused.'),
  PRIVACY_RESTRICTED: spec(1401, 'PRIVACY_RESTRICTED', false, 'The user\'s privacy settings do not allow this (e.g. messages from friends only).'),
  FRIEND_REQUEST_CLOSED: spec(1402, 'FRIEND_REQUEST_CLOSED', false, 'The friend request was already answered, cancelled, or has expired.'),
  ALREADY_FRIENDS: spec(1403, 'ALREADY_FRIENDS', false, 'The two users are already friends.'),
  CONTENT_REJECTED: spec(1404, 'CONTENT_REJECTED', false, 'The message contains a word the content policy rejects.'),
  BANNED: spec(1405, 'BANNED', false, 'The account is banned by a moderator.'),

  // 1600-1699: media (uploads, downloads, signed URLs)
  MEDIA_NOT_FOUND: spec(1600, 'MEDIA_NOT_FOUND', false, 'The media item or upload does not exist (or was collected).'),
  MEDIA_ACCESS_DENIED: spec(1601, 'MEDIA_ACCESS_DENIED', false, 'Only the uploader and members of a conversation the media was sent in may fetch it.'),
  MEDIA_TOO_LARGE: spec(1602, 'MEDIA_TOO_LARGE', false, 'The upload exceeds the size limit for its kind (image, video, audio, file).'),
  MEDIA_QUOTA_EXCEEDED: spec(1603, 'MEDIA_QUOTA_EXCEEDED', false, 'The upload would take the user past their storage quota.'),
  MEDIA_URL_EXPIRED: spec(1604, 'MEDIA_URL_EXPIRED', false, 'The signed media URL has expired; ask for a new one.'),
  MEDIA_URL_INVALID: spec(1605, 'MEDIA_URL_INVALID', false, 'The signed media URL is malformed or its signature is wrong.'),
  UPLOAD_OFFSET_MISMATCH: spec(1606, 'UPLOAD_OFFSET_MISMATCH', false, 'The chunk does not start where the upload stands; ask for the offset (HEAD) and resume there.'),
  MEDIA_KIND_MISMATCH: spec(1607, 'MEDIA_KIND_MISMATCH', false, 'The message kind does not fit the media\'s sniffed type (e.g. an image message naming a PDF).'),
  RANGE_NOT_SATISFIABLE: spec(1608, 'RANGE_NOT_SATISFIABLE', false, 'The requested byte range lies outside the media.'),

  // 1700-1799: the server API (a customer's backend)
  APP_SECRET_INVALID: spec(1700, 'APP_SECRET_INVALID', false, 'The server API call carries no app secret or one that is not configured (Authorization: Bearer <app secret>).'),
  // 1800-1899: customer service (shops, agents, routing) and item conversations
  SHOP_NOT_FOUND: spec(1800, 'SHOP_NOT_FOUND', false, 'The shop does not exist.'),
  NOT_AN_AGENT: spec(1801, 'NOT_AN_AGENT', false, 'Only the shop\'s agents (or its admin) may do this.'),
  NOT_SHOP_ADMIN: spec(1802, 'NOT_SHOP_ADMIN', false, 'Only the shop\'s admin may change its agents.'),
  UNKNOWN_SKILL: spec(1803, 'UNKNOWN_SKILL', false, 'The shop has no such skill group.'),
  SERVICE_CLOSED: spec(1804, 'SERVICE_CLOSED', false, 'The service session is closed; open it again (ServiceOpen) to continue.'),
  SERVICE_NOT_CLOSED: spec(1805, 'SERVICE_NOT_CLOSED', false, 'Only a closed session can be rated.'),
  ALREADY_RATED: spec(1806, 'ALREADY_RATED', false, 'This session was already rated.'),
  AGENT_UNAVAILABLE: spec(1807, 'AGENT_UNAVAILABLE', true, 'The chosen agent is offline, unavailable, full or lacks the skill.'),
  SHOP_LIMIT: spec(1808, 'SHOP_LIMIT', false, 'A shop limit was reached (agents, skills, or queued conversations).'),
  INVALID_ITEM: spec(1809, 'INVALID_ITEM', false, 'The item card is missing a required field, a field is too long, or a URL is not http(s).'),
  // 1900-1999: message operations (recall, edit, reactions, pins, reply, forward)
  RECALL_WINDOW_PASSED: spec(1900, 'RECALL_WINDOW_PASSED', false, 'The sender may recall a message only within the recall window (group owners and admins at any time).'),
  NOT_YOUR_MESSAGE: spec(1901, 'NOT_YOUR_MESSAGE', false, 'Only the sender may edit a message; only the sender or a group owner/admin may recall it.'),
  TARGET_NOT_FOUND: spec(1902, 'TARGET_NOT_FOUND', false, 'The message the operation, reply or forward names does not exist, is not visible to the caller, or is itself an operation.'),
  MESSAGE_RECALLED: spec(1903, 'MESSAGE_RECALLED', false, 'The message was recalled; it cannot be edited, reacted to, pinned, quoted or forwarded.'),

  // 2000-2099: search, @mentions
  SEARCH_QUERY_INVALID: spec(2000, 'SEARCH_QUERY_INVALID', false, 'The search query is empty (after trimming), longer than 100 characters, has more than 8 terms, or the cursor is malformed.'),
  MENTION_ALL_FORBIDDEN: spec(2001, 'MENTION_ALL_FORBIDDEN', false, 'Only a group\'s owner and admins may mention @all (and not in direct chats).'),

  // 2100-2119: per-user conversation settings
  CONVERSATION_SETTINGS_INVALID: spec(2100, 'CONVERSATION_SETTINGS_INVALID', false, 'ConversationSettingsSet names an unknown field, no field, or a draft longer than 4,000 characters.'),
  TOO_MANY_PINNED: spec(2101, 'TOO_MANY_PINNED', false, 'The caller already has the maximum number of pinned conversations (50); unpin one first.'),

  // 2200-2219: apps (tenants)
  APP_NOT_FOUND: spec(2200, 'APP_NOT_FOUND', false, 'No app has this id (register/login `appId`, admin app routes).'),
  APP_ID_INVALID: spec(2201, 'APP_ID_INVALID', false, 'An app id is 3-32 characters: lower-case letters, digits and \'-\', starting with a letter or digit.'),
  APP_ID_TAKEN: spec(2202, 'APP_ID_TAKEN', false, 'An app with this id already exists (including the built-in `default`).'),
  APP_DEFAULT_IMMUTABLE: spec(2203, 'APP_DEFAULT_IMMUTABLE', false, 'The built-in `default` app comes from the server config; change the config instead.'),
  APP_SECRET_LAST: spec(2204, 'APP_SECRET_LAST', false, 'Retiring this secret would leave the app without a server API secret; add a new one first.'),
  // 2210-2219: app administration (admin routes, CLI, console)
  APP_SECRET_NOT_FOUND: spec(2210, 'APP_SECRET_NOT_FOUND', false, 'No server API secret of this app has a SHA-256 digest starting with the given prefix (the digests are listed by `GET /v1/admin/apps/{id}`).'),
  APP_SECRET_PREFIX_AMBIGUOUS: spec(2211, 'APP_SECRET_PREFIX_AMBIGUOUS', false, 'The digest prefix matches more than one secret of the app; give more characters of the digest.'),

  // 1500-1599: server side
  INTERNAL: spec(1500, 'INTERNAL', true, 'An unexpected server error; nothing was half-applied.'),
  UNAVAILABLE: spec(1501, 'UNAVAILABLE', true, 'The server is overloaded, draining or failing over.'),
  TIMEOUT: spec(1502, 'TIMEOUT', true, 'The request did not complete in time.'),
});

export type ErrorName = keyof typeof Errors;

const byCode = new Map<number, ErrorSpec>(Object.values(Errors).map((e) => [e.code, e]));

export function errorByCode(code: number): ErrorSpec | undefined {
  return byCode.get(code);
}

/** An error carrying a catalog entry; thrown by the server core, raised by the SDK. */
export class XinboxError extends Error {
  readonly code: number;
  readonly errorName: string;
  readonly retryable: boolean;
  /** How long to wait before retrying (RATE_LIMITED); 0 = the client's own backoff. */
  readonly retryAfterMs: number;

  constructor(specOrCode: ErrorSpec | number, message?: string, retryAfterMs = 0) {
    const s = typeof specOrCode === 'number' ? (byCode.get(specOrCode) ?? Errors.INTERNAL) : specOrCode;
    super(message ?? s.description);
    this.name = 'XinboxError';
    this.code = s.code;
    this.errorName = s.name;
    this.retryable = s.retryable;
    this.retryAfterMs = retryAfterMs;
  }
}
