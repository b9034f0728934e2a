/**
 * JSON Schemas of the server API routes (/v1/server/*): they validate
 * requests, shape responses, and are the source of /v1/openapi.json.
 */
const errors = { '4xx': { $ref: 'XinboxError#' }, '5xx': { $ref: 'XinboxError#' } } as const;
const security = [{ appSecret: [] }];
const tags = ['server API'];
const id = { type: 'string', pattern: '^[1-9][0-9]{0,18}$', description: '64-bit id as a decimal string' } as const;
const nothing = { 204: { type: 'null', description: 'Done' }, ...errors } as const;
const userParams = { type: 'object', properties: { userId: id }, required: ['userId'] } as const;
const groupParams = { type: 'object', properties: { groupId: id }, required: ['groupId'] } as const;
const content = {
  type: 'object', additionalProperties: true, minProperties: 1,
  description: 'A xinbox.v1.Content in protobuf JSON (docs/protocol.md), e.g. {"text":{"text":"hi"}}',
} as const;

const user = {
  type: 'object',
  properties: { userId: id, username: { type: 'string' }, createdAt: { type: 'number' }, banned: { type: 'boolean' }, mutedUntil: { type: 'number', description: '0 = not muted' } },
  required: ['userId', 'username', 'createdAt', 'banned', 'mutedUntil'],
} as const;

const group = {
  type: 'object',
  properties: {
    groupId: id, name: { type: 'string' }, avatarUrl: { type: 'string' }, announcement: { type: 'string' }, ownerId: id,
    memberCount: { type: 'integer' }, dissolved: { type: 'boolean' }, lastSeq: { type: 'integer' },
  },
  required: ['groupId', 'name', 'avatarUrl', 'announcement', 'ownerId', 'memberCount', 'dissolved', 'lastSeq'],
} as const;

const message = {
  type: 'object',
  properties: {
    messageId: id, conversationId: id, seq: { type: 'integer' }, senderId: id, clientMsgId: { type: 'string' },
    serverTime: { type: 'number' }, content: { type: 'object', additionalProperties: true }, hidden: { type: 'boolean' },
  },
  required: ['messageId', 'conversationId', 'seq', 'senderId', 'clientMsgId', 'serverTime', 'content', 'hidden'],
} as const;

const conversation = {
  type: 'object',
  properties: {
    conversationId: id, kind: { type: 'string', enum: ['direct', 'group'] }, title: { type: 'string' }, peerId: { type: 'string', description: 'direct chats: the other user; "0" for groups' },
    lastSeq: { type: 'integer' }, readSeq: { type: 'integer' }, unread: { type: 'integer' }, updatedAt: { type: 'number' }, memberCount: { type: 'integer' },
  },
  required: ['conversationId', 'kind', 'title', 'peerId', 'lastSeq', 'readSeq', 'unread', 'updatedAt', 'memberCount'],
} as const;

const profileFields = {
  displayName: { type: 'string', maxLength: 64 }, avatarUrl: { type: 'string', maxLength: 2048 }, bio: { type: 'string', maxLength: 500 },
} as const;

export const createUserSchema = {
  summary: 'Create (import) a user. Without a password the account logs in only with tokens this API issues',
  tags, security,
  body: {
    type: 'object', additionalProperties: false,
    properties: { username: { type: 'string', description: '3-32 of a-z 0-9 _ . -' }, password: { type: 'string', description: '8 to 256 characters' }, displayName: profileFields.displayName, avatarUrl: profileFields.avatarUrl },
    required: ['username'],
  },
  response: { 201: { type: 'object', properties: { userId: id }, required: ['userId'] }, ...errors },
} as const;

export const getUserSchema = { summary: 'A user and its account state', tags, security, params: userParams, response: { 200: user, ...errors } } as const;

export const updateUserSchema = {
  summary: 'Update a user\'s profile', tags, security, params: userParams,
  body: { type: 'object', additionalProperties: false, properties: profileFields, minProperties: 1 },
  response: nothing,
} as const;

export const banUserSchema = {
  summary: 'Ban a user: every session ends at once (close 4008), no login or connection until unbanned', tags, security, params: userParams,
  body: { type: 'object', additionalProperties: false, properties: { reason: { type: 'string', maxLength: 500 } } },
  response: nothing,
} as const;

export const unbanUserSchema = { summary: 'Lift a ban', tags, security, params: userParams, response: nothing } as const;

export const deleteUserSchema = {
  summary: 'Close an account for good: banned, sessions ended, push tokens removed; its messages stay in the other participants\' history',
  tags, security, params: userParams, response: nothing,
} as const;

export const issueTokensSchema = {
  summary: 'Log an existing user in without a password: a session for one device, as /v1/login returns (use accessToken on the WebSocket)',
  tags, security, params: userParams,
  body: {
    type: 'object', additionalProperties: false,
    properties: { deviceId: { type: 'string', description: '1-64 of A-Z a-z 0-9 _ . : -' }, platform: { type: 'string', enum: ['ios', 'android', 'web', 'desktop', 'other'] } },
    required: ['deviceId'],
  },
  response: {
    200: {
      type: 'object',
      properties: {
        userId: { type: 'integer' }, deviceId: { type: 'string' }, accessToken: { type: 'string' }, refreshToken: { type: 'string' },
        accessExpiresAt: { type: 'integer' }, refreshExpiresAt: { type: 'integer' },
      },
      required: ['userId', 'deviceId', 'accessToken', 'refreshToken', 'accessExpiresAt', 'refreshExpiresAt'],
    },
    ...errors,
  },
} as const;

export const sendSchema = {
  summary: 'Send a message as a user, or as the system account (no "from"), to a user (their direct chat), a group or a live room',
  tags, security,
  body: {
    type: 'object', additionalProperties: false,
    properties: {
      from: { ...id, description: 'The sending user; absent = the system account (systemUsername)' },
      to: {
        type: 'object', additionalProperties: false, minProperties: 1, maxProperties: 1,
        properties: { userId: id, groupId: id, roomId: { type: 'string', minLength: 1, maxLength: 64 } },
      },
      content,
      clientMsgId: { type: 'string', minLength: 1, maxLength: 64, description: 'Your id for the message: a retry with the same id stores nothing new (duplicate: true)' },
    },
    required: ['to', 'content', 'clientMsgId'],
  },
  response: {
    200: {
      type: 'object',
      properties: {
        conversationId: id, roomId: { type: 'string' }, messageId: { type: 'string' }, seq: { type: 'integer' },
        serverTime: { type: 'number' }, duplicate: { type: 'boolean' },
      },
      required: ['messageId', 'seq'],
    },
    ...errors,
  },
} as const;

export const broadcastSchema = {
  summary: 'A notice from the system account to every user (stored in each user\'s chat with it; offline users get it on sync). Answers when all are sent',
  tags, security,
  body: { type: 'object', additionalProperties: false, properties: { content, clientMsgId: { type: 'string', minLength: 1, maxLength: 40 } }, required: ['content', 'clientMsgId'] },
  response: { 200: { type: 'object', properties: { recipients: { type: 'integer' }, failed: { type: 'integer' } }, required: ['recipients', 'failed'] }, ...errors },
} as const;

export const createGroupSchema = {
  summary: 'Create a group owned by a user', tags, security,
  body: {
    type: 'object', additionalProperties: false,
    properties: {
      ownerId: id, name: { type: 'string', minLength: 1, maxLength: 64 }, memberIds: { type: 'array', items: id, maxItems: 500 },
      announcement: { type: 'string' }, avatarUrl: { type: 'string' },
    },
    required: ['ownerId', 'name'],
  },
  response: { 201: group, ...errors },
} as const;

export const getGroupSchema = { summary: 'A group', tags, security, params: groupParams, response: { 200: group, ...errors } } as const;

export const updateGroupSchema = {
  summary: 'Rename a group, change its announcement or avatar (as its owner)', tags, security, params: groupParams,
  body: { type: 'object', additionalProperties: false, minProperties: 1, properties: { name: { type: 'string', minLength: 1, maxLength: 64 }, announcement: { type: 'string' }, avatarUrl: { type: 'string' } } },
  response: { 200: group, ...errors },
} as const;

export const addMembersSchema = {
  summary: 'Add members to a group (invited by its owner)', tags, security, params: groupParams,
  body: { type: 'object', additionalProperties: false, properties: { userIds: { type: 'array', items: id, minItems: 1, maxItems: 500 } }, required: ['userIds'] },
  response: { 200: group, ...errors },
} as const;

export const removeMemberSchema = {
  summary: 'Remove a member from a group', tags, security,
  params: { type: 'object', properties: { groupId: id, userId: id }, required: ['groupId', 'userId'] },
  response: nothing,
} as const;

export const dissolveGroupSchema = { summary: 'Dissolve a group', tags, security, params: groupParams, response: nothing } as const;

export const createRoomSchema = {
  summary: 'Open a live room hosted by a user', tags, security,
  body: { type: 'object', additionalProperties: false, properties: { roomId: { type: 'string', minLength: 1, maxLength: 64 }, hostId: id }, required: ['roomId', 'hostId'] },
  response: { 201: { type: 'object', properties: { roomId: { type: 'string' }, hostId: id, createdAt: { type: 'number' } }, required: ['roomId', 'hostId', 'createdAt'] }, ...errors },
} as const;

export const closeRoomSchema = {
  summary: 'Close a live room', tags, security,
  params: { type: 'object', properties: { roomId: { type: 'string', minLength: 1, maxLength: 64 } }, required: ['roomId'] },
  response: nothing,
} as const;

export const listConversationsSchema = {
  summary: 'A user\'s conversations, most recent first, with unread counts', tags, security, params: userParams,
  querystring: {
    type: 'object', additionalProperties: false,
    properties: { limit: { type: 'string', pattern: '^[0-9]{1,3}$', description: '1-100 (default 50)' }, beforeTime: { type: 'string', pattern: '^[0-9]{1,15}$', description: 'ms: conversations active before this (the last page\'s oldest updatedAt)' } },
  },
  response: {
    200: { type: 'object', properties: { conversations: { type: 'array', items: conversation }, totalUnread: { type: 'integer' }, hasMore: { type: 'boolean' } }, required: ['conversations', 'totalUnread', 'hasMore'] },
    ...errors,
  },
} as const;

export const historySchema = {
  summary: 'Messages of a conversation as a member reads them, newest first', tags, security,
  params: { type: 'object', properties: { conversationId: id }, required: ['conversationId'] },
  querystring: {
    type: 'object', additionalProperties: false,
    properties: {
      asUser: { ...id, description: 'The member whose view is read (visibility, hidden messages)' },
      beforeSeq: { type: 'string', pattern: '^[0-9]{1,10}$', description: 'Messages below this seq (paging; default: the newest)' },
      limit: { type: 'string', pattern: '^[0-9]{1,3}$', description: '1-100 (default 50)' },
    },
    required: ['asUser'],
  },
  response: { 200: { type: 'object', properties: { messages: { type: 'array', items: message }, hasMore: { type: 'boolean' } }, required: ['messages', 'hasMore'] }, ...errors },
} as const;

export const eventsSchema = {
  summary: 'The user event log: logins, logouts, connection opens and closes per user and device, oldest first, kept eventLogRetentionDays',
  tags, security,
  querystring: {
    type: 'object', additionalProperties: false,
    properties: {
      userId: id,
      deviceId: { type: 'string', maxLength: 64 },
      type: { type: 'string', pattern: '^(login|logout|connect|disconnect)(,(login|logout|connect|disconnect))*$', description: 'Comma list of event types' },
      from: { type: 'string', pattern: '^[0-9]{1,15}$', description: 'ms: events at or after' },
      to: { type: 'string', pattern: '^[0-9]{1,15}$', description: 'ms: events before' },
      after: { type: 'string', pattern: '^[0-9]{1,19}$', description: 'The previous page\'s `next`' },
      limit: { type: 'string', pattern: '^[0-9]{1,3}$', description: '1-500 (default 100)' },
    },
  },
  response: {
    200: {
      type: 'object',
      properties: {
        events: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              id: { type: 'string' }, userId: id, deviceId: { type: 'string' }, type: { type: 'string', enum: ['login', 'logout', 'connect', 'disconnect'] },
              at: { type: 'number' }, platform: { type: 'string' }, ip: { type: 'string' }, nodeId: { type: 'string' },
              detail: { type: 'string', description: 'login: "password" or "server API"' },
            },
            required: ['id', 'userId', 'deviceId', 'type', 'at', 'platform', 'ip', 'nodeId', 'detail'],
          },
        },
        next: { type: ['string', 'null'], description: 'Pass as `after` for the next page; null: no more events now' },
      },
      required: ['events', 'next'],
    },
    ...errors,
  },
} as const;
