/**
 * The admin console's moderation queue and webhook delivery log in real
 * Chromium against a real server and a real webhook receiver:
 * - a user reports a message; the operator sees it in the queue and bans the
 *   sender from there: the sender's live SDK session is closed (4011), the
 *   report moves to "resolved" with its decision;
 * - the receiver (verifying every signature) refuses its first delivery with
 *   503 and accepts the retry: the log shows the failed attempt (with the
 *   error and a next retry) and then the delivered one, and the lane drains.
 */
import { createServer, type Server } from 'node:http';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloseCodes } from '@xinbox/protocol';
import { XinboxClient } from '@xinbox/sdk';
import { verifyWebhook } from '@xinbox/server';
import { PASSWORD, startWebHarness, type WebHarness } from './support/web-harness.js';

const WAIT = { timeout: 20_000, interval: 100 };
const ADMIN_TOKEN = 'admin-sections-test-token-0123456789';
const WEBHOOK_SECRET = 'admin-sections-webhook-secret-0123456789';

/** The customer's receiver: checks every signature; answers 503 to the first request, 200 after. */
class Receiver {
  readonly statuses: number[] = [];
  readonly events: Array<{ type: string }> = [];
  badSignatures = 0;
  private server: Server | null = null;

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        if (!verifyWebhook(WEBHOOK_SECRET, req.headers as Record<string, string>, body).ok) this.badSignatures++;
        const status = this.statuses.length === 0 ? 503 : 200;
        this.statuses.push(status);
        if (status === 200) this.events.push(...(JSON.parse(body) as { events: Array<{ type: string }> }).events);
        res.writeHead(status).end();
      });
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', () => r()));
    const addr = this.server.address() as { port: number };
    return `http://127.0.0.1:${addr.port}/hooks`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}

let h: WebHarness;
const receiver = new Receiver();
const clients: XinboxClient[] = [];

beforeAll(async () => {
  const webhookUrl = await receiver.start();
  h = await startWebHarness('xinbox-web-admin-sections-', {
    adminToken: ADMIN_TOKEN,
    webhookUrl, webhookSecret: WEBHOOK_SECRET, webhookEvents: 'message.sent', webhookRetryBaseMs: 1_500, webhookRetryMaxMs: 2_000,
  });
}, 10 * 60_000);

afterAll(async () => {
  for (const c of clients) c.close();
  await h?.close();
  await receiver.stop();
});

const userIds = new Map<XinboxClient, string>();

async function sdkUser(username: string): Promise<XinboxClient> {
  const client = new XinboxClient({ baseUrl: h.node.httpUrl, deviceId: `${username}-node`, platform: 'desktop', accessUrl: false });
  clients.push(client);
  await client.register(username, PASSWORD);
  userIds.set(client, (await client.login(username, PASSWORD)).userId);
  await client.connect();
  return client;
}

async function adminPage(): Promise<Page> {
  const page = await (await h.browser.newContext()).newPage();
  page.setDefaultTimeout(20_000);
  await page.goto(`${h.node.httpUrl}/admin.html`);
  await page.getByTestId('admin-token').fill(ADMIN_TOKEN);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByTestId('admin-reports').waitFor();
  return page;
}

describe('admin console sections', () => {
  it('reviews a report and bans its sender from the queue: the sender\'s session closes, the report is resolved', async () => {
    const troll = await sdkUser('rq_troll');
    const victim = await sdkUser('rq_victim');
    const conv = await troll.openDirect({ username: 'rq_victim' });
    const ack = await troll.send(conv.conversationId, 'buy cheap followers now');
    await victim.reportMessage(conv.conversationId, ack.seq, 'spam');
    const kicked = new Promise<{ code: number }>((resolve) => troll.on('kicked', resolve));

    const admin = await adminPage();
    const report = admin.getByTestId('admin-report').filter({ hasText: 'buy cheap followers now' });
    await report.waitFor();
    await expect.poll(() => report.textContent(), WAIT).toMatch(/spam/);
    await report.getByRole('button', { name: 'Ban sender' }).click();
    await expect.poll(() => admin.getByTestId('admin-report').count(), WAIT).toBe(0);
    expect((await kicked).code).toBe(CloseCodes.BANNED.code);
    await expect(troll.login('rq_troll', PASSWORD)).rejects.toThrow(/banned/i);

    await admin.getByRole('tab', { name: 'resolved' }).click();
    const resolved = admin.getByTestId('admin-report').filter({ hasText: 'buy cheap followers now' });
    await expect.poll(() => resolved.getByTestId('admin-report-resolution').textContent(), WAIT).toBe('ban');
    await admin.context().close();
  });

  it('shows a webhook delivery that failed (503, next retry) and then succeeded', async () => {
    const before = receiver.statuses.length;
    const a = await sdkUser('wh_alice');
    await sdkUser('wh_bob');
    const conv = await a.openDirect({ username: 'wh_bob' });
    await a.send(conv.conversationId, 'hello webhook log');
    const admin = await adminPage();
    // The reports test already sent a message: its delivery took the receiver's one 503.
    expect(before === 0 || receiver.statuses[0] === 503).toBe(true);
    const rows = admin.getByTestId('admin-deliveries').locator('tr');
    await expect.poll(() => admin.getByTestId('admin-deliveries').locator('tr[data-status="failed"]').count(), WAIT).toBeGreaterThan(0);
    const failed = admin.getByTestId('admin-deliveries').locator('tr[data-status="failed"]').first();
    await expect.poll(() => failed.textContent(), WAIT).toMatch(/failed1.*message\.sent.*HTTP 503/);
    await expect.poll(() => admin.getByTestId('admin-deliveries').locator('tr[data-status="delivered"]').count(), WAIT).toBeGreaterThan(0);
    await expect.poll(() => receiver.events.filter((e) => e.type === 'message.sent').length, WAIT).toBeGreaterThanOrEqual(2);
    expect(receiver.badSignatures).toBe(0);
    // The failed attempt is older than the delivery of the same lane (newest first).
    const statuses = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-status')));
    expect(statuses.lastIndexOf('failed')).toBeGreaterThan(statuses.indexOf('delivered'));
    // Filtering by event type keeps both; by another type, none.
    await admin.getByLabel('Event type').fill('user.online');
    await admin.getByRole('button', { name: 'Filter' }).click();
    await expect.poll(() => rows.count(), WAIT).toBe(0);
    // By event id: the attempts that carried the refused event, the 503 and the retry that delivered it.
    const log = await (await fetch(`${h.node.httpUrl}/v1/admin/webhooks/deliveries?limit=1000`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).json() as
      { deliveries: Array<{ status: string; events: Array<{ id: string }> }> };
    const refused = log.deliveries.find((d) => d.status === 'failed')!.events[0]!.id;
    await admin.getByLabel('Event type').fill('');
    await admin.getByLabel('Event id').fill(refused);
    await admin.getByRole('button', { name: 'Filter' }).click();
    await expect.poll(() => rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-status')).join(',')), WAIT).toBe('delivered,failed');
    // Each attempt names its app; filtering by app keeps `default`'s and drops everything for another.
    await admin.getByLabel('Event id').fill('');
    await admin.getByLabel('Filter by app').fill('default');
    await admin.getByRole('button', { name: 'Filter' }).click();
    await expect.poll(() => rows.evaluateAll((trs) => [...new Set(trs.map((tr) => tr.getAttribute('data-app')))].join(',')), WAIT).toBe('default');
    await admin.getByLabel('Filter by app').fill('some-other-app');
    await admin.getByRole('button', { name: 'Filter' }).click();
    await expect.poll(() => rows.count(), WAIT).toBe(0);
    await expect.poll(() => admin.getByTestId('admin-webhook-lanes').textContent(), WAIT).toBe('Nothing waiting.');
    await admin.context().close();
  });

  it('finds users by prefix, ends every session of one, and resets their password', async () => {
    const kim = await sdkUser('acct_kim');
    await sdkUser('acct_kip');
    const admin = await adminPage();
    await admin.getByTestId('admin-user-query').fill('acct_ki');
    await admin.getByRole('button', { name: 'Find' }).click();
    const matches = admin.getByTestId('admin-user-matches');
    await expect.poll(() => matches.textContent(), WAIT).toMatch(/acct_kim.*acct_kip/);
    await matches.getByRole('button', { name: 'acct_kim' }).click();
    await expect.poll(() => admin.getByTestId('admin-user').textContent(), WAIT).toMatch(/acct_kim/);

    const kicked = new Promise<{ code: number }>((resolve) => kim.on('kicked', resolve));
    await admin.getByTestId('admin-revoke').click();
    expect((await kicked).code).toBe(CloseCodes.LOGGED_OUT.code);
    await expect.poll(() => admin.getByRole('status').textContent(), WAIT).toMatch(/^[1-9]\d* sessions ended$/);

    await admin.getByTestId('admin-reset-password').click();
    const password = (await admin.getByTestId('admin-new-password').textContent())!;
    expect(password).toHaveLength(16);
    await expect(kim.login('acct_kim', PASSWORD)).rejects.toThrow();
    // The failed attempt started the account's login backoff (about a second): the new password works once it ends.
    await expect.poll(() => kim.login('acct_kim', password).then(() => 'ok', (e: unknown) => String(e)), WAIT).toBe('ok');
    await admin.context().close();
  });

  it('shows a group with its members, removes one and dissolves it; lists a live room and closes it', async () => {
    const owner = await sdkUser('gr_owner');
    const member = await sdkUser('gr_member');
    const group = await owner.createGroup('night shift', [userIds.get(member)!]);
    await owner.createRoom('admin-room-1');
    await owner.joinRoom('admin-room-1');
    await member.joinRoom('admin-room-1');
    const roomEvents: Array<{ kind: string }> = [];
    member.on('roomEvent', (e) => roomEvents.push(e as { kind: string }));

    const admin = await adminPage();
    const groups = admin.getByTestId('admin-groups');
    await groups.getByLabel('Group or user id').fill(group.group!.conversationId);
    await groups.getByRole('button', { name: 'Look up' }).click();
    const members = admin.getByTestId('admin-group-members');
    await expect.poll(() => members.textContent(), WAIT).toMatch(/gr_owner \(owner\).*gr_member \(member\)|gr_member \(member\).*gr_owner \(owner\)/);
    await members.getByRole('button', { name: 'Remove gr_member' }).click();
    await expect.poll(() => members.textContent(), WAIT).not.toMatch(/gr_member/);
    await groups.getByRole('button', { name: 'Dissolve' }).click();
    await expect.poll(() => admin.getByTestId('admin-group').getAttribute('data-dissolved'), WAIT).toBe('true');
    await expect(owner.getGroup(group.group!.conversationId)).rejects.toThrow(/dissolved/i);

    const room = admin.getByTestId('admin-room').filter({ hasText: 'admin-room-1' });
    await expect.poll(() => room.textContent(), WAIT).toMatch(/2 watching/);
    await room.getByRole('button', { name: 'Close admin-room-1' }).click();
    await expect.poll(() => roomEvents.some((e) => e.kind === 'closed'), WAIT).toBe(true);
    await expect.poll(() => admin.getByTestId('admin-room').filter({ hasText: 'admin-room-1' }).count(), WAIT).toBe(0);
    await admin.context().close();
  });
});
