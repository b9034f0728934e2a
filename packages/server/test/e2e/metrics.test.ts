import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Errors } from '@xinbox/protocol';
import { device, register, text } from '../support/raw-client.js';
import { startTestNode } from '../support/server.js';
import { body } from '../support/frames.js';
import { adminGet, TEST_ADMIN_TOKEN } from '../support/admin.js';
import { parsePrometheusText, sampleValue } from '../support/prom-text.js';
import { createRoom, errorName, joined, roomName, send as roomSend } from '../rooms/support/room-client.js';

type Node = Awaited<ReturnType<typeof startTestNode>>;

describe('Prometheus /metrics', () => {
  let node: Node;
  beforeAll(async () => {
    // Rooms allow one send per user per second here, so the third is RATE_LIMITED.
    node = await startTestNode({ roomUserSendPerSec: 1, roomUserSendBurst: 1 });
  });
  afterAll(async () => node.cleanup());

  it('serves the text format with connections, sends, deliveries, latencies, queue depths and rate-limit hits, per role', async () => {
    const [alice, bob] = await Promise.all([register(node.httpUrl, 'ma'), register(node.httpUrl, 'mb')]);
    const a = await device(node, alice, 'a');
    const b = await device(node, bob, 'b');
    const conv = body(await a.request({ case: 'openDirect', value: { userId: bob.userId } }), 'conversationInfo').conversation!.conversationId;
    for (let i = 0; i < 3; i++) {
      expect((await a.request({ case: 'send', value: { conversationId: conv, clientMsgId: `m${i}`, content: text(`hi ${i}`) } })).body.case).toBe('sendAck');
    }
    const roomId = roomName('met');
    await createRoom(a, roomId);
    await joined(a, roomId);
    const roomReplies = [];
    for (let i = 0; i < 3; i++) roomReplies.push(await roomSend(a, roomId, `r${i}`));
    expect(roomReplies.filter((r) => errorName(r) === 'RATE_LIMITED').length).toBeGreaterThanOrEqual(2);

    const res = await adminGet(node.httpUrl, '/metrics');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const m = parsePrometheusText(await res.text());
    const node1 = { node: node.nodeId };

    expect(m.get('xinbox_connections')!.type).toBe('gauge');
    expect(sampleValue(m, 'xinbox_connections', { ...node1, role: 'gateway' })).toBe(2);
    expect(sampleValue(m, 'xinbox_online_users', { role: 'gateway' })).toBe(2);
    expect(m.get('xinbox_send_ack_seconds')!.type).toBe('histogram');
    expect(sampleValue(m, 'xinbox_send_ack_seconds_count', { role: 'gateway' })).toBe(3);
    expect(sampleValue(m, 'xinbox_send_ack_seconds_bucket', { role: 'gateway', le: '+Inf' })).toBe(3);
    expect(sampleValue(m, 'xinbox_commit_seconds_count', { role: 'logic' })).toBeGreaterThanOrEqual(1);
    expect(sampleValue(m, 'xinbox_commit_batch_sends_sum', { role: 'logic' })).toBeGreaterThanOrEqual(3);
    // Direct chat: each message goes to two timelines (sender's other devices and the recipient).
    expect(sampleValue(m, 'xinbox_fanout_recipients_count', { role: 'logic' })).toBe(3);
    expect(sampleValue(m, 'xinbox_fanout_recipients_sum', { role: 'logic' })).toBe(6);
    expect(sampleValue(m, 'xinbox_deliveries_total', { role: 'gateway' })).toBeGreaterThanOrEqual(3);
    expect(sampleValue(m, 'xinbox_send_queue', { role: 'logic' })).toBe(0);
    expect(sampleValue(m, 'xinbox_rate_limited_total', { role: 'gateway', scope: 'request' })).toBeGreaterThanOrEqual(2);
    expect(sampleValue(m, 'xinbox_room_events_total', { role: 'gateway', event: 'rateLimited' })).toBeGreaterThanOrEqual(2);
    expect(sampleValue(m, 'xinbox_event_loop_delay_seconds', { window: 'since_start', stat: 'p99' })).toBeGreaterThanOrEqual(0);
    expect(sampleValue(m, 'xinbox_event_loop_delay_seconds', { window: 'last_window', stat: 'max' })).toBeGreaterThanOrEqual(0);
    expect(sampleValue(m, 'process_resident_memory_bytes')).toBeGreaterThan(1e6);

    // Buckets are cumulative and every series carries this node's label.
    const buckets = m.get('xinbox_send_ack_seconds')!.samples.filter((s) => s.name.endsWith('_bucket')).map((s) => s.value);
    expect(buckets).toEqual([...buckets].sort((x, y) => x - y));
    for (const f of m.values()) for (const s of f.samples) expect(s.labels.node).toBe(node.nodeId);

    // A counter only grows between scrapes.
    await a.request({ case: 'send', value: { conversationId: conv, clientMsgId: 'm3', content: text('again') } });
    const again = parsePrometheusText(await (await adminGet(node.httpUrl, '/metrics')).text());
    expect(sampleValue(again, 'xinbox_deliveries_total', { role: 'gateway' })).toBeGreaterThan(sampleValue(m, 'xinbox_deliveries_total', { role: 'gateway' }));
    a.close();
    b.close();
  });

  it('refuses /metrics and /v1/metrics without the admin token, and with a wrong one', async () => {
    for (const path of ['/metrics', '/v1/metrics']) {
      const none = await fetch(node.httpUrl + path);
      expect(none.status).toBe(401);
      expect(none.headers.get('www-authenticate')).toBe('Bearer');
      expect(((await none.json()) as { error: { code: number } }).error.code).toBe(Errors.TOKEN_INVALID.code);
      const wrong = await fetch(node.httpUrl + path, { headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}x` } });
      expect(wrong.status).toBe(401);
      await wrong.body?.cancel();
    }
    const json = (await (await adminGet(node.httpUrl, '/v1/metrics')).json()) as { connections: number; nodeId: string };
    expect(json.nodeId).toBe(node.nodeId);
  });
});

describe('admin endpoints without a token', () => {
  it('are refused on the main port, and served on the loopback admin listener when one is configured', async () => {
    const node = await startTestNode({ adminToken: '', adminPort: 0 });
    try {
      const refused = await fetch(node.httpUrl + '/metrics');
      expect(refused.status).toBe(403);
      const err = ((await refused.json()) as { error: { name: string; message: string } }).error;
      expect(err.name).toBe('PERMISSION_DENIED');
      expect(err.message).toContain('XINBOX_ADMIN_TOKEN');
      expect(node.adminPort).toBeGreaterThan(0);
      const admin = `http://127.0.0.1:${node.adminPort}`;
      const scraped = await fetch(admin + '/metrics');
      expect(scraped.status).toBe(200);
      expect(parsePrometheusText(await scraped.text()).has('xinbox_connections')).toBe(true);
      expect((await fetch(admin + '/v1/metrics')).status).toBe(200);
      // The admin listener serves nothing else.
      const register = await fetch(admin + '/v1/register', { method: 'POST', body: '{}' });
      expect(register.status).toBe(404);
    } finally {
      await node.cleanup();
    }
  });
});
