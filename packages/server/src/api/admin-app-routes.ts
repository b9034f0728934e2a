/**
 * The apps of the deployment (ADR 0013), behind the admin token like the
 * operator's ban routes (served on the main listener and the admin listener):
 *
 *   POST   /v1/admin/apps                               { id, name? } -> the app and its secret (shown this once)
 *   GET    /v1/admin/apps                               every app, `default` first
 *   GET    /v1/admin/apps/{id}
 *   PATCH  /v1/admin/apps/{id}                          { name?, webhook? (with beforeSend?), push?, limits? }
 *   POST   /v1/admin/apps/{id}/secrets                  rotate: a new secret (shown this once); the old ones keep working
 *   DELETE /v1/admin/apps/{id}/secrets/{digestPrefix}   retire the secret whose SHA-256 digest starts so
 *   DELETE /v1/admin/apps/{id}
 *
 * Answers never carry a server API secret (only the first characters of its
 * digest), a webhook signing secret (masked to its last 4 characters) or key
 * material (push credentials are file paths and public ids). `xinbox app ...`
 * and the admin console's Apps section call these.
 */
import { Errors, XinboxError } from '@xinbox/protocol';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppDirectory } from '../core/apps/app-directory.js';
import { DEFAULT_APP_ID, type AppRecord } from '../core/ports/app-store.js';
import { LIMIT_KEYS, MAX_SIGNING_SECRETS, PUSH_KEYS, appPatchOf, type AppPatchInput } from './admin-app-input.js';

/** Characters of a secret's digest shown in listings: enough to name it, not enough to matter. */
export const DIGEST_SHOWN = 12;
/** Shortest digest prefix that retires a secret (a shorter one could match several). */
const MIN_PREFIX = 6;

const errors = { '4xx': { $ref: 'XinboxError#' }, '5xx': { $ref: 'XinboxError#' } } as const;
const security = [{ adminBearer: [] }];
const tags = ['apps'];
const idParam = { type: 'string', minLength: 1, maxLength: 64 } as const;
const params = { type: 'object', properties: { id: idParam }, required: ['id'] } as const;
const str = (maxLength: number, description?: string) => ({ type: 'string', maxLength, ...(description ? { description } : {}) }) as const;

const pushProperties = Object.fromEntries(PUSH_KEYS.map((k) => [k, str(1024)]));
const limitProperties = Object.fromEntries(LIMIT_KEYS.map((k) => [k, { type: 'integer', description: `Overrides the config's ${k}` }]));

const beforeSendView = {
  type: 'object',
  properties: { url: { type: 'string' }, timeoutMs: { type: 'integer' }, onFailure: { type: 'string', enum: ['allow', 'reject'] } },
  required: ['url'],
  description: 'The before-send check (absent: the app\'s messages are not checked)',
} as const;
const appView = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    builtIn: { type: 'boolean', description: 'The `default` app: from the server config, changed there only' },
    createdAt: { type: 'integer', description: 'ms since the epoch; 0 for `default`' },
    version: { type: 'integer', description: 'Grows with every change' },
    secrets: { type: 'array', items: { type: 'string' }, description: `The first ${DIGEST_SHOWN} hex characters of each server API secret's SHA-256 digest (never the secret)` },
    webhook: {
      type: ['object', 'null'],
      properties: {
        url: { type: 'string' },
        events: { type: 'string' },
        signingSecrets: { type: 'array', items: { type: 'string' }, description: 'Masked: the last 4 characters only' },
        beforeSend: beforeSendView,
      },
      required: ['url', 'events', 'signingSecrets'],
    },
    push: { type: 'object', properties: pushProperties, description: 'Provider credentials: file paths and public ids, never key material' },
    limits: { type: 'object', properties: limitProperties, description: 'Overrides of the config\'s per-user limits; absent = the config\'s' },
  },
  required: ['id', 'name', 'builtIn', 'createdAt', 'version', 'secrets', 'webhook', 'push', 'limits'],
} as const;
const appReply = { type: 'object', properties: { app: appView }, required: ['app'] } as const;
const issuedReply = {
  type: 'object',
  properties: { app: appView, secret: { type: 'string', description: 'The new server API secret: shown this once, stored only as a digest' }, digestPrefix: { type: 'string' } },
  required: ['app', 'secret', 'digestPrefix'],
} as const;

export const createAppSchema = {
  summary: 'Create an app with one server API secret (shown this once); admin only', tags, security,
  body: {
    type: 'object', additionalProperties: false, required: ['id'],
    properties: { id: { type: 'string', maxLength: 64, description: '3-32 characters: a-z, 0-9, -' }, name: str(100) },
  },
  response: { 201: issuedReply, ...errors },
} as const;
export const listAppsSchema = {
  summary: 'Every app (`default` first); secrets shown as digest prefixes, signing secrets masked', tags, security,
  response: { 200: { type: 'object', properties: { apps: { type: 'array', items: appView } }, required: ['apps'] }, ...errors },
} as const;
export const getAppSchema = { summary: 'One app', tags, security, params, response: { 200: appReply, ...errors } } as const;
export const patchAppSchema = {
  summary: 'Change an app\'s name, webhook, push credentials or limits (each given section replaces the stored one); not `default`', tags, security, params,
  body: {
    type: 'object', additionalProperties: false,
    properties: {
      name: str(100),
      webhook: {
        type: ['object', 'null'], additionalProperties: false, required: ['url'],
        description: 'null = no webhook (none of the app\'s events are kept)',
        properties: {
          url: str(2048),
          signingSecrets: { type: 'array', maxItems: MAX_SIGNING_SECRETS, items: str(256), description: '16+ characters each; absent = keep the current ones' },
          events: str(1024, 'Comma list of event types, `prefix.*` or `*` (default `*`)'),
          beforeSend: {
            type: ['object', 'null'], additionalProperties: false, required: ['url'],
            description: 'The app\'s before-send check, signed with the signing secrets; null = none; absent = keep the current one',
            properties: {
              url: str(2048),
              timeoutMs: { type: 'integer', description: 'As config beforeSendTimeoutMs (10-60000); absent = the config\'s' },
              onFailure: { type: 'string', enum: ['allow', 'reject'], description: 'As config beforeSendOnFailure; absent = the config\'s' },
            },
          },
        },
      },
      push: { type: 'object', additionalProperties: false, properties: pushProperties },
      limits: { type: 'object', additionalProperties: false, properties: limitProperties },
    },
  },
  response: { 200: appReply, ...errors },
} as const;
export const rotateSecretSchema = {
  summary: 'Add a server API secret (shown this once); the app\'s other secrets keep working until retired', tags, security, params,
  response: { 201: issuedReply, ...errors },
} as const;
export const retireSecretSchema = {
  summary: 'Retire the server API secret whose digest starts with digestPrefix (not the app\'s last one)', tags, security,
  params: { type: 'object', properties: { id: idParam, digestPrefix: { type: 'string', minLength: 1, maxLength: 64 } }, required: ['id', 'digestPrefix'] },
  response: { 200: appReply, ...errors },
} as const;
export const deleteAppSchema = {
  summary: 'Delete an app: its secrets stop working at once (its users and rooms stay stored); not `default`', tags, security, params,
  response: { 200: { type: 'object', properties: { ok: { type: 'boolean' } }, required: ['ok'] }, ...errors },
} as const;

type IdRoute = { Params: { id: string } };

export function registerAdminAppRoutes(app: FastifyInstance, apps: AppDirectory, guard: (req: FastifyRequest) => Promise<void>): void {
  app.post<{ Body: { id: string; name?: string } }>('/v1/admin/apps', { schema: createAppSchema, onRequest: guard }, async (req, reply) => {
    const issued = await apps.create(req.body.id, req.body.name?.trim() ?? '');
    req.log.info({ app: issued.app.id, digest: issued.digest.slice(0, DIGEST_SHOWN) }, 'operator created an app');
    return reply.code(201).send({ app: viewOf(issued.app), secret: issued.secret, digestPrefix: issued.digest.slice(0, DIGEST_SHOWN) });
  });
  app.get('/v1/admin/apps', { schema: listAppsSchema, onRequest: guard }, async () => ({ apps: (await apps.list()).map(viewOf) }));
  app.get<IdRoute>('/v1/admin/apps/:id', { schema: getAppSchema, onRequest: guard }, async (req) => ({ app: viewOf(await apps.require(req.params.id)) }));
  app.patch<IdRoute & { Body: AppPatchInput }>('/v1/admin/apps/:id', { schema: patchAppSchema, onRequest: guard }, async (req) => {
    const current = await apps.require(req.params.id);
    if (current.id === DEFAULT_APP_ID) throw new XinboxError(Errors.APP_DEFAULT_IMMUTABLE);
    const updated = await apps.update(current.id, appPatchOf(req.body, current));
    req.log.info({ app: updated.id, version: updated.version, sections: Object.keys(req.body) }, 'operator changed an app');
    return { app: viewOf(updated) };
  });
  app.post<IdRoute>('/v1/admin/apps/:id/secrets', { schema: rotateSecretSchema, onRequest: guard }, async (req, reply) => {
    const issued = await apps.rotateSecret(req.params.id);
    req.log.info({ app: issued.app.id, digest: issued.digest.slice(0, DIGEST_SHOWN) }, 'operator added an app secret');
    return reply.code(201).send({ app: viewOf(issued.app), secret: issued.secret, digestPrefix: issued.digest.slice(0, DIGEST_SHOWN) });
  });
  app.delete<{ Params: { id: string; digestPrefix: string } }>('/v1/admin/apps/:id/secrets/:digestPrefix', { schema: retireSecretSchema, onRequest: guard }, async (req) => {
    const current = await apps.require(req.params.id);
    if (current.id === DEFAULT_APP_ID) throw new XinboxError(Errors.APP_DEFAULT_IMMUTABLE);
    const prefix = req.params.digestPrefix.toLowerCase();
    if (!/^[0-9a-f]+$/.test(prefix) || prefix.length < MIN_PREFIX) {
      throw new XinboxError(Errors.INVALID_ARGUMENT, `digestPrefix must be ${MIN_PREFIX}-64 hex characters of the secret's SHA-256 digest (as listed)`);
    }
    const matches = current.secretDigests.filter((d) => d.startsWith(prefix));
    if (matches.length === 0) throw new XinboxError(Errors.APP_SECRET_NOT_FOUND);
    if (matches.length > 1) throw new XinboxError(Errors.APP_SECRET_PREFIX_AMBIGUOUS);
    const updated = await apps.retireSecret(current.id, matches[0]!);
    req.log.info({ app: updated.id, digest: matches[0]!.slice(0, DIGEST_SHOWN) }, 'operator retired an app secret');
    return { app: viewOf(updated) };
  });
  app.delete<IdRoute>('/v1/admin/apps/:id', { schema: deleteAppSchema, onRequest: guard }, async (req) => {
    if (!(await apps.delete(req.params.id))) throw new XinboxError(Errors.APP_NOT_FOUND);
    req.log.info({ app: req.params.id }, 'operator deleted an app');
    return { ok: true };
  });
}

/** What an admin listing shows of an app: no secret, no signing secret, no key material. */
export function viewOf(app: AppRecord) {
  return {
    id: app.id,
    name: app.name,
    builtIn: app.id === DEFAULT_APP_ID,
    createdAt: app.createdAt,
    version: app.version,
    secrets: app.secretDigests.map((d) => d.slice(0, DIGEST_SHOWN)),
    webhook: app.webhook
      ? {
        url: app.webhook.url, events: app.webhook.events, signingSecrets: app.webhook.signingSecrets.map(mask),
        ...(app.webhook.beforeSend ? { beforeSend: { ...app.webhook.beforeSend } } : {}),
      }
      : null,
    push: Object.fromEntries(PUSH_KEYS.filter((k) => app.push[k]).map((k) => [k, app.push[k]])),
    limits: { ...app.limits },
  };
}

function mask(secret: string): string {
  return `…${secret.slice(-4)}`;
}
