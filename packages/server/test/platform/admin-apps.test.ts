/**
 * The admin app routes (/v1/admin/apps*, ADR 0013) on a real node over HTTP,
 * every answer validated against /v1/openapi.json: create shows the secret
 * once, listings never show a secret, signing secret or key material, PATCH
 * checks its settings like the config does, rotation and retirement by
 * digest prefix, `default` is read-only, and the admin token is required.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_ADMIN_TOKEN } from '../support/admin.js';
import { OpenApiClient } from '../support/openapi-client.js';
import { startTestNode } from '../support/server.js';

const WEBHOOK_SECRET = 'config-webhook-secret-0123456789';
const SIGNING = 'app-signing-secret-abcdefghijkl';

describe('admin app routes', () => {
  let node: Awaited<ReturnType<typeof startTestNode>>;
  let api: OpenApiClient;
  const admin = (method: string, path: string, body?: unknown) =>
    api.call(method, `/v1/admin${path}`, { ...(body !== undefined ? { body } : {}), bearer: TEST_ADMIN_TOKEN });

  beforeAll(async () => {
    node = await startTestNode({ serverApiSecrets: 'server-secret-0123456789abcdef0123456789', webhookUrl: 'http://127.0.0.1:9/hooks', webhookSecret: WEBHOOK_SECRET });
    api = await OpenApiClient.load(node.httpUrl);
  });
  afterAll(async () => {
    await node.cleanup();
  });

  it('creates an app, showing its secret once and only digest prefixes afterwards', async () => {
    const created = await admin('POST', '/apps', { id: 'shop-eu', name: 'Shop EU' });
    expect(created.status).toBe(201);
    const secret = created.json.secret as string;
    expect(secret).toMatch(/^xbs_/);
    const digest = createHash('sha256').update(secret).digest('hex');
    expect(created.json.digestPrefix).toBe(digest.slice(0, 12));
    expect(created.json.app).toMatchObject({ id: 'shop-eu', name: 'Shop EU', builtIn: false, version: 1, secrets: [digest.slice(0, 12)], webhook: null, push: {}, limits: {} });

    const list = await admin('GET', '/apps');
    expect((list.json.apps as Array<{ id: string }>).map((a) => a.id)).toEqual(['default', 'shop-eu']);
    expect(list.text).not.toContain(secret);
    expect(list.text).not.toContain(digest);
    // The config's webhook signing secret is masked in the default app too.
    expect(list.text).not.toContain(WEBHOOK_SECRET);
    const def = (list.json.apps as Array<Record<string, unknown>>)[0]!;
    expect(def).toMatchObject({ builtIn: true, webhook: { url: 'http://127.0.0.1:9/hooks', signingSecrets: ['…6789'], events: '*' } });

    expect((await admin('POST', '/apps', { id: 'shop-eu' })).json.error).toMatchObject({ name: 'APP_ID_TAKEN' });
    expect((await admin('POST', '/apps', { id: 'default' })).json.error).toMatchObject({ name: 'APP_ID_TAKEN' });
    expect((await admin('POST', '/apps', { id: 'Bad_Id' })).json.error).toMatchObject({ name: 'APP_ID_INVALID' });
    expect((await admin('GET', '/apps/no-such-app')).json.error).toMatchObject({ name: 'APP_NOT_FOUND' });
  });

  it('edits the webhook, push credentials and limits, checking them like the config', async () => {
    await admin('POST', '/apps', { id: 'edit-me' });
    const ok = await admin('PATCH', '/apps/edit-me', {
      name: 'Edited',
      webhook: { url: 'https://hooks.example.com/x', signingSecrets: [SIGNING], events: 'message.sent,group.*' },
      push: { apnsTeamId: 'TEAMB', apnsKeyId: 'KEYB', apnsKeyFile: '/etc/xinbox/b.p8', apnsTopic: 'com.example.b' },
      limits: { limitSendPerUser: 5, limitLoginPerIpPerMin: 0 },
    });
    expect(ok.status).toBe(200);
    expect(ok.json.app).toMatchObject({
      name: 'Edited', version: 2,
      webhook: { url: 'https://hooks.example.com/x', events: 'message.sent,group.*', signingSecrets: ['…ijkl'] },
      push: { apnsTeamId: 'TEAMB', apnsKeyFile: '/etc/xinbox/b.p8' },
      limits: { limitSendPerUser: 5, limitLoginPerIpPerMin: 0 },
    });
    expect(ok.text).not.toContain(SIGNING);
    // Changing the URL keeps the stored signing secrets (the listing never shows them to repeat).
    const moved = await admin('PATCH', '/apps/edit-me', { webhook: { url: 'https://hooks.example.com/y' } });
    expect(moved.json.app).toMatchObject({ webhook: { url: 'https://hooks.example.com/y', signingSecrets: ['…ijkl'], events: 'message.sent,group.*' } });

    const bad = await admin('PATCH', '/apps/edit-me', {
      webhook: { url: 'ftp://nope', signingSecrets: ['short'], events: 'message.sent,Bad Type' },
      push: { apnsTeamId: 'T' },
      limits: { limitSendPerUser: 2_000_000 },
    });
    expect(bad.status).toBe(400);
    expect(bad.json.error).toMatchObject({ name: 'INVALID_ARGUMENT' });
    const message = (bad.json.error as { message: string }).message;
    for (const part of ['webhook.url must be an http(s) URL', 'each must be at least 16 characters', '"Bad Type"', 'APNs (apnsTeamId) needs apnsKeyId', 'limits.limitSendPerUser must be an integer in [0, 1000000]']) {
      expect(message).toContain(part);
    }
    // Nothing of a refused patch is applied.
    expect((await admin('GET', '/apps/edit-me')).json.app).toMatchObject({ version: 3, limits: { limitSendPerUser: 5 } });
    const noSecret = await admin('POST', '/apps', { id: 'no-hook' });
    expect(noSecret.status).toBe(201);
    expect((await admin('PATCH', '/apps/no-hook', { webhook: { url: 'https://x.example.com' } })).json.error)
      .toMatchObject({ name: 'INVALID_ARGUMENT', message: expect.stringContaining('at least one signing secret') });
    expect((await admin('PATCH', '/apps/no-hook', { limits: { limitSendPerUser: 'ten' } })).status).toBe(400);
    expect((await admin('PATCH', '/apps/no-hook', { push: { privateKey: 'x' } })).status).toBe(400);
    // Removing the webhook.
    expect((await admin('PATCH', '/apps/edit-me', { webhook: null })).json.app).toMatchObject({ webhook: null });
    expect((await admin('PATCH', '/apps/default', { name: 'x' })).json.error).toMatchObject({ name: 'APP_DEFAULT_IMMUTABLE' });
    expect((await admin('PATCH', '/apps/missing-app', { name: 'x' })).json.error).toMatchObject({ name: 'APP_NOT_FOUND' });
  });

  it('rotates and retires secrets by digest prefix, never the last one, and deletes apps', async () => {
    const first = await admin('POST', '/apps', { id: 'rotating' });
    const rotated = await admin('POST', '/apps/rotating/secrets');
    expect(rotated.status).toBe(201);
    expect(rotated.json.secret).not.toBe(first.json.secret);
    expect((rotated.json.app as { secrets: string[] }).secrets).toEqual([first.json.digestPrefix, rotated.json.digestPrefix]);

    expect((await admin('DELETE', '/apps/rotating/secrets/zz')).json.error).toMatchObject({ name: 'INVALID_ARGUMENT' });
    expect((await admin('DELETE', '/apps/rotating/secrets/000000')).json.error).toMatchObject({ name: 'APP_SECRET_NOT_FOUND' });
    const retired = await admin('DELETE', `/apps/rotating/secrets/${first.json.digestPrefix as string}`);
    expect((retired.json.app as { secrets: string[] }).secrets).toEqual([rotated.json.digestPrefix]);
    expect((await admin('DELETE', `/apps/rotating/secrets/${rotated.json.digestPrefix as string}`)).json.error).toMatchObject({ name: 'APP_SECRET_LAST' });
    expect((await admin('POST', '/apps/default/secrets')).json.error).toMatchObject({ name: 'APP_DEFAULT_IMMUTABLE' });
    expect((await admin('DELETE', '/apps/default/secrets/abcdef')).json.error).toMatchObject({ name: 'APP_DEFAULT_IMMUTABLE' });

    expect((await admin('DELETE', '/apps/rotating')).json).toEqual({ ok: true });
    expect((await admin('DELETE', '/apps/rotating')).json.error).toMatchObject({ name: 'APP_NOT_FOUND' });
    expect((await admin('DELETE', '/apps/default')).json.error).toMatchObject({ name: 'APP_DEFAULT_IMMUTABLE' });
  });

  it('serves each app\'s own VAPID public key to browsers (?appId=)', async () => {
    await admin('POST', '/apps', { id: 'web-push-app' });
    const key = (appId?: string) => api.call('GET', `/v1/push/webpush-key${appId ? `?appId=${appId}` : ''}`);
    expect((await key('web-push-app')).json.error).toMatchObject({ name: 'NOT_FOUND', message: expect.stringContaining('web-push-app') });
    const publicKey = 'BPublicKeyOfTheWebPushApp-0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456';
    const set = await admin('PATCH', '/apps/web-push-app', { push: { webPushPublicKey: publicKey, webPushPrivateKeyFile: '/etc/xinbox/vapid-web.key', webPushSubject: 'mailto:ops@example.com' } });
    expect(set.json.app).toMatchObject({ push: { webPushPublicKey: publicKey, webPushPrivateKeyFile: '/etc/xinbox/vapid-web.key' } });
    expect((await key('web-push-app')).json).toEqual({ publicKey });
    expect((await key('no-such-app')).json.error).toMatchObject({ name: 'APP_NOT_FOUND' });
    // This server's own (default) has no Web Push configured.
    expect((await key()).status).toBe(404);
    expect((await key('default')).status).toBe(404);
    const half = await admin('PATCH', '/apps/web-push-app', { push: { webPushPublicKey: publicKey } });
    expect(half.json.error).toMatchObject({ name: 'INVALID_ARGUMENT', message: expect.stringContaining('Web Push needs both webPushPublicKey and webPushPrivateKeyFile') });
  });

  it('needs the admin token', async () => {
    for (const [method, path] of [['GET', '/v1/admin/apps'], ['POST', '/v1/admin/apps/x1x/secrets']] as const) {
      const r = await api.call(method, path, { bearer: 'server-secret-0123456789abcdef0123456789' });
      expect(r.status).toBe(401);
    }
  });
});
