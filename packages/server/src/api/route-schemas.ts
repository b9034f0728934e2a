/**
 * JSON Schemas of the HTTP API, one per route, in the shape fastify and
 * @fastify/swagger read (body / querystring / headers / response, plus
 * summary, tags, security): an OpenAPI document can be generated from the
 * routes as they are. Bodies declare types and required fields; the finer
 * rules (username pattern, password length) stay with IdentityService, whose
 * messages clients already show, and are described here in prose.
 */

export const errorBody = {
  $id: 'XinboxError',
  type: 'object',
  description: 'Every error: a code from the shared error catalog (packages/protocol), its name, a message, and whether a retry may succeed.',
  properties: {
    error: {
      type: 'object',
      properties: {
        code: { type: 'integer' },
        name: { type: 'string' },
        message: { type: 'string' },
        retryable: { type: 'boolean' },
        retryAfterMs: { type: 'integer', description: 'With RATE_LIMITED (and sometimes UNAVAILABLE): milliseconds to wait before retrying' },
      },
      required: ['code', 'name', 'message', 'retryable'],
    },
  },
  required: ['error'],
} as const;

const errors = { '4xx': { $ref: 'XinboxError#' }, '5xx': { $ref: 'XinboxError#' } } as const;

const session = {
  type: 'object',
  properties: {
    userId: { type: 'integer' },
    deviceId: { type: 'string' },
    accessToken: { type: 'string', description: 'Bearer token for the WebSocket/TCP Auth frame and /v1/logout' },
    refreshToken: { type: 'string', description: 'Single use: /v1/refresh returns a new one' },
    accessExpiresAt: { type: 'integer', description: 'ms since the epoch' },
    refreshExpiresAt: { type: 'integer', description: 'ms since the epoch' },
  },
  required: ['userId', 'deviceId', 'accessToken', 'refreshToken', 'accessExpiresAt', 'refreshExpiresAt'],
} as const;

export const registerSchema = {
  summary: 'Create a user',
  tags: ['identity'],
  body: {
    type: 'object',
    properties: {
      username: { type: 'string', description: '3-32 of a-z 0-9 _ . - (lower-cased)' },
      password: { type: 'string', description: '8 to 256 characters' },
      appId: { type: 'string', description: 'The app (tenant) the user belongs to; absent = `default`. An unknown app is APP_NOT_FOUND' },
    },
    required: ['username', 'password'],
  },
  response: { 201: { type: 'object', properties: { userId: { type: 'integer' } }, required: ['userId'] }, ...errors },
} as const;

export const loginSchema = {
  summary: 'Log a device in: a session with an access and a refresh token (an older session of the same device is revoked)',
  tags: ['identity'],
  body: {
    type: 'object',
    properties: {
      username: { type: 'string' },
      password: { type: 'string' },
      deviceId: { type: 'string', description: '1-64 of A-Z a-z 0-9 _ . : -' },
      platform: { type: 'string', enum: ['ios', 'android', 'web', 'desktop', 'other'] },
      appId: { type: 'string', description: 'The app (tenant) of the account; absent = `default`. An unknown app is APP_NOT_FOUND' },
    },
    required: ['username', 'password', 'deviceId'],
  },
  response: { 200: session, ...errors },
} as const;

export const refreshSchema = {
  summary: 'Rotate the refresh token and get a new access token (a refresh token works once)',
  tags: ['identity'],
  body: { type: 'object', properties: { refreshToken: { type: 'string' } }, required: ['refreshToken'] },
  response: { 200: session, ...errors },
} as const;

export const logoutSchema = {
  summary: 'Revoke the session of the bearer access token; its live connections are closed (4006)',
  tags: ['identity'],
  security: [{ bearer: [] }],
  response: { 204: { type: 'null', description: 'Logged out' }, ...errors },
} as const;

export const addDeviceSchema = {
  summary: 'Open a session for another device of the bearer token\'s user (e.g. a new browser tab), without the password',
  tags: ['identity'],
  security: [{ bearer: [] }],
  body: {
    type: 'object',
    properties: {
      deviceId: { type: 'string', description: '1-64 of A-Z a-z 0-9 _ . : -; not the bearer token\'s own device' },
      platform: { type: 'string', enum: ['ios', 'android', 'web', 'desktop', 'other'] },
    },
    required: ['deviceId'],
  },
  response: { 200: session, ...errors },
} as const;

export const accessSchema = {
  summary: 'Gateways ranked for this client (seed 004 access scheduling)',
  tags: ['access'],
  querystring: {
    type: 'object',
    properties: {
      clientVersion: { type: 'string', description: 'Canary gateways only take matching versions' },
      region: { type: 'string', description: 'Gateways of this region first' },
      app: { type: 'string', description: 'Tenant: pins to gateways by rendezvous hash' },
      room: { type: 'string', description: 'Live room: keeps its audience on few gateways' },
    },
  },
  response: {
    200: {
      type: 'object',
      properties: {
        endpoints: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              ws: { type: 'string' },
              tcp: { anyOf: [{ type: 'null' }, { type: 'object', properties: { host: { type: 'string' }, port: { type: 'integer' } }, required: ['host', 'port'] }] },
              weight: { type: 'number' },
              nodeId: { type: 'string' },
            },
            required: ['ws', 'tcp', 'weight', 'nodeId'],
          },
        },
        ttlMs: { type: 'integer', description: 'How long the list may be reused' },
      },
      required: ['endpoints', 'ttlMs'],
    },
    ...errors,
  },
} as const;

export const healthSchema = {
  summary: 'Liveness',
  tags: ['operations'],
  response: { 200: { type: 'object', properties: { ok: { type: 'boolean' } }, required: ['ok'] } },
} as const;

export const metricsTextSchema = {
  summary: 'Prometheus metrics (text exposition format 0.0.4); admin only',
  tags: ['operations'],
  security: [{ adminBearer: [] }],
  produces: ['text/plain'],
  response: { 200: { type: 'string' }, ...errors },
} as const;

export const metricsJsonSchema = {
  summary: 'Node counters as JSON (used by the bench); admin only',
  tags: ['operations'],
  security: [{ adminBearer: [] }],
  response: { 200: { type: 'object', additionalProperties: true }, ...errors },
} as const;
