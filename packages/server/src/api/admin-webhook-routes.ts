/**
 * The admin console's webhook delivery log (/v1/admin/webhooks/*), behind
 * the admin token: recent delivery attempts (newest first, per lane or event
 * type or app: status, attempt, the app, events, last error, next retry) and the lanes with
 * events still waiting. Read from the durable outbox, so every node shows the
 * whole deployment's deliveries, whichever node made them.
 */
import { Errors, XinboxError } from '@xinbox/protocol';
import type { FastifyInstance } from 'fastify';
import { WEBHOOK_DELIVERY_LOG_SIZE, WEBHOOK_MAX_LANES, type WebhookOutbox } from '../core/ports/webhook-outbox.js';
import type { RouteRegistrar } from './http-api.js';
import { adminGuard } from './admin-routes.js';

const errors = { '4xx': { $ref: 'XinboxError#' }, '5xx': { $ref: 'XinboxError#' } } as const;
const security = [{ adminBearer: [] }];
const tags = ['admin console'];
const lane = { type: 'integer', minimum: 0, maximum: WEBHOOK_MAX_LANES - 1, description: '0-31: the default app\'s; another app\'s lanes are higher (ADR 0013)' } as const;

export const adminDeliveriesSchema = {
  summary: `Webhook delivery attempts, newest first (the last ${WEBHOOK_DELIVERY_LOG_SIZE} are kept), by lane, event type, event id or app`, tags, security,
  querystring: {
    type: 'object', additionalProperties: false,
    properties: {
      lane: { type: 'string', pattern: '^[0-9]{1,5}$', description: `0-${WEBHOOK_MAX_LANES - 1}: only this lane` },
      type: { type: 'string', minLength: 1, maxLength: 64, description: 'Only attempts whose batch carried this event type' },
      event: { type: 'string', pattern: '^[A-Za-z0-9-]{1,64}$', description: 'Only attempts whose batch carried this event id' },
      app: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{0,63}$', description: 'Only attempts of this app\'s batches (an app deleted since still matches its old attempts)' },
      limit: { type: 'string', pattern: '^[0-9]{1,4}$', description: `1-${WEBHOOK_DELIVERY_LOG_SIZE} (default 100)` },
    },
  },
  response: {
    200: {
      type: 'object',
      properties: {
        deliveries: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              seq: { type: 'integer' },
              lane,
              app: { type: 'string', description: 'The app whose receiver the batch went to' },
              at: { type: 'number' },
              status: { type: 'string', enum: ['delivered', 'failed'] },
              attempt: { type: 'integer', description: '1 = first try of this batch' },
              events: {
                type: 'array',
                items: { type: 'object', properties: { id: { type: 'string' }, type: { type: 'string' }, orderKey: { type: 'string' } }, required: ['id', 'type', 'orderKey'] },
              },
              error: { type: 'string', description: "'' when delivered" },
              nextAttemptAt: { type: 'number', description: 'When failed: the next try (ms since the epoch); 0 when delivered' },
            },
            required: ['seq', 'lane', 'app', 'at', 'status', 'attempt', 'events', 'error', 'nextAttemptAt'],
          },
        },
      },
      required: ['deliveries'],
    },
    ...errors,
  },
} as const;

export const adminLanesSchema = {
  summary: 'Webhook lanes with events waiting: how many, failed attempts of the head, next try, last error', tags, security,
  response: {
    200: {
      type: 'object',
      properties: {
        lanes: {
          type: 'array',
          items: {
            type: 'object',
            properties: { lane, pending: { type: 'integer' }, attempts: { type: 'integer' }, nextAttemptAt: { type: 'number' }, lastError: { type: 'string' } },
            required: ['lane', 'pending', 'attempts', 'nextAttemptAt', 'lastError'],
          },
        },
      },
      required: ['lanes'],
    },
    ...errors,
  },
} as const;

type DeliveriesRoute = { Querystring: { lane?: string; type?: string; event?: string; app?: string; limit?: string } };

export function adminWebhookRoutes(outbox: WebhookOutbox, adminToken: string): RouteRegistrar {
  return (root: FastifyInstance) => {
    void root.register(async (app) => {
      app.addHook('onRequest', adminGuard(adminToken, 'main'));
      app.get<DeliveriesRoute>('/webhooks/deliveries', { schema: adminDeliveriesSchema }, async (req) => {
        const { lane: laneText, type, event, app: appId, limit } = req.query;
        const lane = laneText === undefined ? undefined : Number(laneText);
        if (lane !== undefined && lane >= WEBHOOK_MAX_LANES) throw new XinboxError(Errors.INVALID_ARGUMENT, `lane must be 0-${WEBHOOK_MAX_LANES - 1}`);
        const n = Math.max(1, Math.min(WEBHOOK_DELIVERY_LOG_SIZE, Number(limit ?? 100)));
        return { deliveries: await outbox.deliveries({ limit: n, ...(lane !== undefined ? { lane } : {}), ...(type ? { eventType: type } : {}), ...(event ? { eventId: event } : {}), ...(appId ? { app: appId } : {}) }) };
      });
      app.get('/webhooks/lanes', { schema: adminLanesSchema }, async () => ({ lanes: await outbox.lanes() }));
    }, { prefix: '/v1/admin' });
  };
}
